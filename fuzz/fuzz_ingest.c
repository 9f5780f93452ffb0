/*
 * fuzz_ingest.c: a libFuzzer harness over the whole ingest, the statistics
 * and the writers.
 *
 * Each input is written to a temporary file and read with the default
 * options, as `wardstat report FILE` would read it; a form feed (0x0C)
 * splits it into two files, so that the merge of several files (duplicates,
 * restated figures, conflicts) is fuzzed too. What was read then goes
 * through ws_stats_compute, the rejects writer and every report format
 * (to /dev/null). Then the input is read once more under tight limits
 * (fields of 16 bytes, 8 columns), which fuzz inputs could not reach with
 * the defaults of 1 MiB and 1,000. A crash, a sanitizer report, a leak, a
 * timeout, or rows read != rows used + rows rejected is a bug.
 *
 * Usage: make fuzz FUZZ_SECONDS=60   (see fuzz/README.md)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/ws_engine.h"
#include "../ingest/ws_ingest.h"
#include "../reports/ws_report.h"
#include "../stats/ws_stats.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];     /* private temporary directory */
static char path[2][300]; /* the input files in it */
static FILE *devnull;     /* where the rejects go */

static void cleanup(void)
{
	unlink(path[0]);
	unlink(path[1]);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/wardstat-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz_ingest: mkdtemp");
		exit(1);
	}
	snprintf(path[0], sizeof(path[0]), "%s/a.csv", dir);
	snprintf(path[1], sizeof(path[1]), "%s/b.csv", dir);
	atexit(cleanup);
	/* the writers print to stdout when given no path */
	if (!freopen("/dev/null", "w", stdout) || !(devnull = fopen("/dev/null", "w"))) {
		perror("fuzz_ingest: /dev/null");
		exit(1);
	}
	return 0;
}

/* Reads the files; aborts when the rows do not reconcile. */
static int ingest(const char *const *paths, size_t npaths, const struct ws_ingest_opts *o,
		  struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		  struct ws_err *err)
{
	int rc = ws_ingest_files(paths, npaths, o, t, ix, log, err);

	if (rc == WS_OK && log->rows_read != log->rows_used + log->rows_rejected) {
		fprintf(stderr, "fuzz_ingest: rows read %zu != used %zu + rejected %zu\n",
			log->rows_read, log->rows_used, log->rows_rejected);
		abort();
	}
	return rc;
}

/* Writes n bytes to file k; returns 0 on success. */
static int put(int k, const uint8_t *data, size_t n)
{
	FILE *f = fopen(path[k], "wb");
	int bad;

	if (!f)
		return -1;
	bad = n && fwrite(data, 1, n, f) != n;
	return fclose(f) != 0 || bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int formats[] = {WS_FMT_CSV, WS_FMT_TEXT, WS_FMT_JSON, WS_FMT_MD,
				      WS_FMT_HTML};
	const char *paths[2] = {path[0], path[1]};
	const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
	size_t n0 = ff ? (size_t)(ff - data) : size, npaths = ff ? 2 : 1;
	struct ws_ingest_opts o = {0}, tight = {.max_field = 16, .max_columns = 8};
	struct ws_stats_opts so = {0};
	struct ws_report_opts ro = {0};
	struct ws_table t;
	struct ws_index ix;
	struct ws_ingest_log log;
	struct ws_stats st;
	struct ws_err err = {0};
	char buf[1200];

	if (put(0, data, n0) || (ff && put(1, ff + 1, size - n0 - 1))) {
		perror("fuzz_ingest: writing the input");
		abort();
	}
	memset(&st, 0, sizeof(st));
	if (ingest(paths, npaths, &o, &t, &ix, &log, &err) != WS_OK)
		goto out;
	for (size_t i = 0; i < log.n; i++)
		ws_ingest_describe(&log, &t, &log.e[i], buf, sizeof(buf));
	ws_ingest_write_rejects(&log, &t, devnull);
	if (ws_stats_compute(&t, &ix, &so, &st, &err) != WS_OK)
		goto out;
	for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
		ro.format = formats[k];
		ws_report_write(&t, &st, &ro, NULL, &err);
	}
	{ /* the CSV review in one pass, statistics computed as the rows are written */
		struct ws_stats st1;

		ro.format = WS_FMT_CSV;
		ws_report_csv_review(&t, &ix, &so, &ro, NULL, &st1, NULL, &err);
		ws_stats_fini(&st1);
	}
	fflush(stdout);
out:
	ws_stats_fini(&st);
	ws_index_fini(&ix);
	ws_ingest_log_fini(&log);
	ws_table_fini(&t);
	ingest(paths, npaths, &tight, &t, &ix, &log, &err);
	for (size_t i = 0; i < log.n; i++)
		ws_ingest_describe(&log, &t, &log.e[i], buf, sizeof(buf));
	ws_index_fini(&ix);
	ws_ingest_log_fini(&log);
	ws_table_fini(&t);
	return 0;
}
