/*
 * main.c: the wardstat command line. Parses options and dispatches; the work
 * is done by ingest/, stats/ and reports/, which never print.
 *
 * Usage: wardstat COMMAND [OPTION]... [FILE]...   (wardstat --help)
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/ws_engine.h"
#include "ingest/ws_ingest.h"
#include "reports/ws_report.h"
#include "stats/ws_stats.h"
#include "bench/ws_bench.h"

#define VERSION "0.1.0"
#define EXIT_USAGE 1
#define EXIT_INPUT 2
#define EXIT_REJECTS 3

enum {
	OPT_EXCEL = CHAR_MAX + 1, OPT_NEAR, OPT_STREAK, OPT_DIVISION, OPT_WARD, OPT_DELIM,
	OPT_ENCODING, OPT_REJECTS, OPT_TIMINGS, OPT_VERSION, OPT_COLOR, OPT_REVIEW_YEAR,
	OPT_SERIES, OPT_YEARS, OPT_SEED, OPT_WIDTH, OPT_MAX_FIELD, OPT_THREADS, OPT_COLUMNS
};

static const struct option long_options[] = {
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"excel", no_argument, NULL, OPT_EXCEL},
	{"columns", required_argument, NULL, OPT_COLUMNS},
	{"near", required_argument, NULL, OPT_NEAR},
	{"streak", required_argument, NULL, OPT_STREAK},
	{"division", required_argument, NULL, OPT_DIVISION},
	{"ward", required_argument, NULL, OPT_WARD},
	{"delimiter", required_argument, NULL, OPT_DELIM},
	{"encoding", required_argument, NULL, OPT_ENCODING},
	{"rejects", required_argument, NULL, OPT_REJECTS},
	{"timings", no_argument, NULL, OPT_TIMINGS},
	{"color", required_argument, NULL, OPT_COLOR},
	{"width", required_argument, NULL, OPT_WIDTH},
	{"review-year", required_argument, NULL, OPT_REVIEW_YEAR},
	{"max-field", required_argument, NULL, OPT_MAX_FIELD},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"series", required_argument, NULL, OPT_SERIES},
	{"years", required_argument, NULL, OPT_YEARS},
	{"seed", required_argument, NULL, OPT_SEED},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0}};

/* Everything the options set. */
struct cli {
	const char *cmd;
	const char *output;
	const char *rejects;
	const char *color;
	struct ws_ingest_opts in;
	struct ws_stats_opts st;
	struct ws_report_opts rep;
	int timings;
	long series, years;
	unsigned long seed;
	int have_format;
};

static void usage(int status)
{
	FILE *f = status ? stderr : stdout;

	if (status) {
		fputs("Try 'wardstat --help' for more information.\n", f);
		exit(status);
	}
	fputs(
"Usage: wardstat COMMAND [OPTION]... [FILE]...\n"
"Review public-sector performance targets across the divisions of a ward:\n"
"indicator histories in, annual review out.\n"
"\n"
"Commands:\n"
"  report [FILE]...   the annual review (no FILE: the bundled Chuo Ward data)\n"
"  rank [FILE]...     the division ranking\n"
"  trends [FILE]...   the strongest rising and falling trends, with significance\n"
"  below [FILE]...    indicators missed at the review year and persistently below\n"
"  check FILE...      read and validate; print what was read and the first rejects\n"
"  ingest FILE... -o F.wsc   read, validate and keep a columnar snapshot that\n"
"                     report/rank/trends/below map instantly (wardstat report F.wsc)\n"
"  gen                write synthetic histories (long layout) to stdout or -o FILE\n"
"\n"
"Options:\n"
"  -f, --format=FMT     text (default), csv, json, md, html, xlsx\n"
"  -o, --output=PATH    a file, or for `report -f csv` a directory (default: stdout)\n"
"      --excel          csv: UTF-8 BOM, cells starting = + - @ neutralised\n"
"      --columns=SET    report -f csv: all (default) or core, the 21 series columns of\n"
"                       the data contract only (the trend tests, forecast and reasons\n"
"                       are then not computed)\n"
"      --near=X         achievement >= X and not met is 'near' (default 0.9)\n"
"      --streak=K       persistent after K missed years in a row (default 3)\n"
"      --division=D     only division D's rows (the ward summary stays whole)\n"
"      --ward=W         ward of files without a ward column\n"
"      --delimiter=C    ',' (default) or 'tab'\n"
"      --encoding=E     utf-8 or cp932 (default: detected)\n"
"      --rejects=FILE   where rejected rows go (default: beside the output)\n"
"      --review-year=Y  the year 'lag' is counted to (default: newest in data)\n"
"      --max-field=N    longest field in bytes (default 1048576)\n"
"      --color=WHEN     auto (default), always, never; NO_COLOR disables it\n"
"      --width=N        text: columns to fit (default 80)\n"
"      --threads=N      threads for parsing, statistics and CSV (default: one per core,\n"
"                       at most 8)\n"
"      --timings        per-stage times on stderr\n"
"      --series=N --years=Y --seed=S   gen: size and seed\n"
"  -h, --help           this help;  --version  the version\n"
"\n"
"Exit status: 0 success, 1 wrong usage, 2 input unusable (nothing produced),\n"
"3 output produced but rows were rejected (listed on stderr and in the rejects\n"
"file). A failed write is exit 2.\n"
"\n"
"Examples:\n"
"  wardstat report                            the bundled Chuo Ward review\n"
"  wardstat report sheets/*.csv -f html -o review.html\n"
"  wardstat report a.csv b.csv -f csv -o out/  (series, divisions, objectives)\n"
"  wardstat below --streak 2 --division 建設課\n"
"  wardstat rank -f md                        the ranking as a Markdown table\n"
"  wardstat trends -f csv -o trends.csv       every trend, strongest rising first\n"
"  wardstat report -f xlsx -o review.xlsx     one sheet per table\n"
"  wardstat check --encoding cp932 export.csv\n"
"  wardstat gen --series 100000 --years 10 --seed 1 -o big.csv\n",
	      f);
	exit(0);
}

/* The command whose options are being parsed, for `wardstat COMMAND --help`. */
static const char *help_command;

/* Help of one command: what it does, its options, examples. */
static const struct command_help {
	const char *name;
	const char *text;
} command_help[] = {
	{"report",
	 "Usage: wardstat report [OPTION]... [FILE]...\n"
	 "The annual review: the ward summary, the division ranking, recorded verdicts that\n"
	 "disagree with the numbers, indicators missed and persistently below target, and the\n"
	 "strongest trends. No FILE: the bundled Chuo Ward data (FY2022). A snapshot made by\n"
	 "`wardstat ingest` (FILE.wsc) is mapped instead of read.\n\n"
	 "  -f, --format=FMT   text (default), csv, json, md, html, xlsx\n"
	 "  -o, --output=PATH  a file; for csv a directory: series, divisions, objectives, ward .csv\n"
	 "      --excel        csv: UTF-8 BOM, cells starting = + - @ neutralised\n"
	 "      --columns=SET  csv: all (default), or core: series.csv with only the 21 columns\n"
	 "                     of the data contract, without the trend tests, forecast and reasons\n"
	 "      --near=X --streak=K --division=D --review-year=Y   what counts (see wardstat --help)\n"
	 "      --ward=W --delimiter=C --encoding=E --rejects=FILE --threads=N --timings\n"
	 "      --color=WHEN --width=N\n\n"
	 "Examples:\n"
	 "  wardstat report\n"
	 "  wardstat report sheets/*.csv -f html -o review.html\n"
	 "  wardstat report a.csv b.csv -f csv -o out/ --excel\n"
	 "  wardstat report big.wsc -f csv -o out/ --timings\n"
	 "  wardstat report big.wsc -f csv -o out/ --columns=core\n"},
	{"rank",
	 "Usage: wardstat rank [OPTION]... [FILE]...\n"
	 "The division ranking: dense rank within each ward by met share, then mean achievement.\n\n"
	 "  -f, --format=FMT   text (default), csv, json, md, html, xlsx;  -o, --output=PATH\n"
	 "      --division=D   only division D\n\n"
	 "Examples:\n"
	 "  wardstat rank\n"
	 "  wardstat rank sheets/*.csv -f md\n"},
	{"trends",
	 "Usage: wardstat trends [OPTION]... [FILE]...\n"
	 "The strongest rising and falling trends: Theil-Sen slope per year relative to the\n"
	 "series' mean, with the Mann-Kendall and OLS p-values.\n\n"
	 "  -f, --format=FMT   text (default), csv, json, md, html, xlsx;  -o, --output=PATH\n"
	 "      --division=D   only division D\n\n"
	 "Examples:\n"
	 "  wardstat trends\n"
	 "  wardstat trends -f csv -o trends.csv\n"},
	{"below",
	 "Usage: wardstat below [OPTION]... [FILE]...\n"
	 "Indicators missed at the review year, and those persistently below target (missed K\n"
	 "years in a row), with gap and reason.\n\n"
	 "  -f, --format=FMT   text (default), csv, json, md, html, xlsx;  -o, --output=PATH\n"
	 "      --streak=K     persistent after K missed years in a row (default 3)\n"
	 "      --division=D   only division D\n\n"
	 "Examples:\n"
	 "  wardstat below\n"
	 "  wardstat below --streak 2 --division 建設課\n"},
	{"check",
	 "Usage: wardstat check [OPTION]... FILE...\n"
	 "Reads and validates: files, rows read, used and rejected, series, divisions, years and\n"
	 "restated figures on stdout; the first 20 rejects on stderr.\n\n"
	 "      --rejects=FILE   write every rejected row there, verbatim\n"
	 "      --ward=W --delimiter=C --encoding=E --max-field=N --threads=N\n\n"
	 "Examples:\n"
	 "  wardstat check export.csv\n"
	 "  wardstat check --encoding cp932 --rejects rejects.csv export.csv\n"},
	{"ingest",
	 "Usage: wardstat ingest [OPTION]... FILE... -o FILE.wsc\n"
	 "Reads and validates like check, then writes the columns to a versioned, checksummed\n"
	 "snapshot that report, rank, trends and below map instead of parsing CSV again.\n\n"
	 "  -o, --output=FILE.wsc   the snapshot (required)\n"
	 "      --rejects=FILE --ward=W --delimiter=C --encoding=E --threads=N\n\n"
	 "Examples:\n"
	 "  wardstat ingest big.csv -o big.wsc && wardstat report big.wsc -f csv -o out/\n"},
	{"gen",
	 "Usage: wardstat gen --series N [--years Y] [--seed S] [-o FILE]\n"
	 "Synthetic indicator histories in the long layout: wards of twelve divisions, about 15%\n"
	 "lower-is-better, about 3% missing actuals. The same seed gives the same bytes.\n\n"
	 "Examples:\n"
	 "  wardstat gen --series 100000 --years 10 --seed 1 -o big.csv\n"},
};

/* `wardstat COMMAND --help`: that command's help, or the whole help. */
static void help(void)
{
	for (size_t i = 0; help_command && i < sizeof(command_help) / sizeof(command_help[0]); i++)
		if (strcmp(help_command, command_help[i].name) == 0) {
			fputs(command_help[i].text, stdout);
			fputs("\nExit status: 0 success, 1 wrong usage, 2 input unusable, 3 rows rejected.\n"
			      "wardstat --help lists every command and option.\n", stdout);
			exit(0);
		}
	usage(0);
}

/* Prints "wardstat: MSG 'ARG'" (or just MSG when arg is NULL) and the hint; exits 1. */
static void die_usage(const char *msg, const char *arg)
{
	if (arg)
		fprintf(stderr, "wardstat: %s '%s'\n", msg, arg);
	else
		fprintf(stderr, "wardstat: %s\n", msg);
	usage(EXIT_USAGE);
}

static long number_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < lo || v > hi)
		die_usage(what, s);
	return v;
}

static void parse(int argc, char **argv, struct cli *c)
{
	int opt, fmt;

	memset(c, 0, sizeof(*c));
	c->st.near = 0.9;
	c->st.streak = 3;
	c->rep.streak = 3;
	c->color = "auto";
	c->years = 10;
	c->seed = 1;
	while ((opt = getopt_long(argc, argv, "f:o:h", long_options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			if (ws_report_format(optarg, &fmt) != WS_OK)
				die_usage("unknown format", optarg);
			c->rep.format = fmt;
			c->have_format = 1;
			break;
		case 'o': c->output = optarg; break;
		case OPT_EXCEL: c->rep.excel = 1; break;
		case OPT_COLUMNS:
			if (strcmp(optarg, "core") && strcmp(optarg, "all"))
				die_usage("--columns wants all or core, not", optarg);
			c->st.core = c->rep.core = strcmp(optarg, "core") == 0;
			break;
		case OPT_NEAR: {
			char *end;

			c->st.near = strtod(optarg, &end);
			if (*end || !(c->st.near > 0 && c->st.near <= 1))
				die_usage("--near wants a number in (0, 1], not", optarg);
			break;
		}
		case OPT_STREAK:
			c->st.streak = (int)number_arg(optarg, 1, 1000, "--streak wants a count >= 1, not");
			c->rep.streak = c->st.streak;
			break;
		case OPT_DIVISION: c->rep.division = optarg; break;
		case OPT_WARD: c->in.ward = optarg; break;
		case OPT_DELIM:
			if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\\t") == 0 ||
			    strcmp(optarg, "\t") == 0)
				c->in.delimiter = '\t';
			else if (strlen(optarg) == 1 && optarg[0] != '"' && optarg[0] != '\n')
				c->in.delimiter = optarg[0];
			else
				die_usage("--delimiter wants one character or 'tab', not", optarg);
			break;
		case OPT_ENCODING:
			if (strcasecmp(optarg, "cp932") == 0 || strcasecmp(optarg, "shift_jis") == 0 ||
			    strcasecmp(optarg, "sjis") == 0)
				c->in.encoding = "cp932";
			else if (strcasecmp(optarg, "utf-8") == 0 || strcasecmp(optarg, "utf8") == 0)
				c->in.encoding = "utf-8";
			else
				die_usage("--encoding wants utf-8 or cp932, not", optarg);
			break;
		case OPT_REJECTS: c->rejects = optarg; break;
		case OPT_TIMINGS: c->timings = 1; break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
				die_usage("--color wants auto, always or never, not", optarg);
			c->color = optarg;
			break;
		case OPT_WIDTH: c->rep.width = (int)number_arg(optarg, 40, 1000, "--width wants 40..1000, not"); break;
		case OPT_REVIEW_YEAR:
			c->st.review_year = (int)number_arg(optarg, 1900, 2200, "--review-year wants 1900..2200, not");
			break;
		case OPT_MAX_FIELD:
			c->in.max_field = (size_t)number_arg(optarg, 1, 1L << 30, "--max-field wants a byte count, not");
			break;
		case OPT_THREADS: /* every stage: parse, statistics, CSV formatting */
			c->in.threads = (int)number_arg(optarg, 1, 64, "--threads wants 1..64, not");
			c->st.threads = c->rep.threads = c->in.threads;
			break;
		case OPT_SERIES: c->series = number_arg(optarg, 1, 100000000L, "--series wants a count, not"); break;
		case OPT_YEARS: c->years = number_arg(optarg, 1, 200, "--years wants 1..200, not"); break;
		case OPT_SEED: c->seed = (unsigned long)number_arg(optarg, 0, LONG_MAX, "--seed wants a number, not"); break;
		case 'h': help(); break;
		case OPT_VERSION:
			puts("wardstat " VERSION);
			exit(0);
		default: usage(EXIT_USAGE);
		}
	}
}

/* The bundled data: beside the binary (repo) or in ../share/wardstat (installed). */
static const char *bundled(void)
{
	static char path[PATH_MAX];
	static const char *const rel[] = {"data/chuo-r4.csv", "../share/wardstat/chuo-r4.csv",
					  "../data/chuo-r4.csv"};
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if (snprintf(path, sizeof(path), "%s/%s", exe, rel[i]) < (int)sizeof(path) &&
			    access(path, R_OK) == 0)
				return path;
		}
	}
	return "data/chuo-r4.csv";
}

/* Prints the warnings and the first 20 rejects; returns the number rejected. */
static size_t tell(const struct ws_ingest_log *log, const struct ws_table *t, const char *where)
{
	char buf[1200];
	size_t shown = 0;

	for (size_t i = 0; i < log->n; i++) {
		const struct ws_log_entry *e = &log->e[i];

		if (e->kind == WS_LOG_WARNING) {
			ws_ingest_describe(log, t, e, buf, sizeof(buf));
			fprintf(stderr, "wardstat: warning: %s\n", buf);
		} else if (e->kind == WS_LOG_REJECT && shown < 20) {
			ws_ingest_describe(log, t, e, buf, sizeof(buf));
			fprintf(stderr, "%s\n", buf);
			shown++;
		}
	}
	if (log->rows_rejected > shown && where)
		fprintf(stderr, "wardstat: %zu more rejected rows not shown (%zu in all), written to %s\n",
			log->rows_rejected - shown, log->rows_rejected, where);
	else if (log->rows_rejected > shown)
		fprintf(stderr, "wardstat: %zu more rejected rows not shown (%zu in all); --rejects FILE keeps them\n",
			log->rows_rejected - shown, log->rows_rejected);
	else if (log->rows_rejected && where)
		fprintf(stderr, "wardstat: rejected rows written to %s\n", where);
	return log->rows_rejected;
}

/* Writes the rejects file atomically. */
static int write_rejects(const struct ws_ingest_log *log, const struct ws_table *t,
			 const char *path, struct ws_err *err)
{
	struct ws_out out;
	int rc;

	if ((rc = ws_report_open(&out, path, err)) != WS_OK)
		return rc;
	if (ws_ingest_write_rejects(log, t, out.f) != WS_OK) {
		int e = errno;

		ws_report_abort(&out);
		return ws_err_set(err, WS_EIO, "%s: writing failed: %s", path, strerror(e ? e : EIO));
	}
	return ws_report_commit(&out, err);
}

/* The files read, as the report header names them: "a.csv, b.csv". */
static const char *source_names(const char *const *files, size_t nfiles)
{
	static char buf[1024];
	size_t len = 0;

	for (size_t i = 0; i < nfiles; i++) {
		size_t n = strlen(files[i]);

		if (len + n + 40 >= sizeof(buf)) {
			snprintf(buf + len, sizeof(buf) - len, "%sand %zu more", len ? ", " : "",
				 nfiles - i);
			break;
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "", files[i]);
	}
	return buf;
}

/* Where rejects go by default: DIR/rejects.csv, or FILE.rejects.csv. */
static const char *rejects_path(const struct cli *c, char *buf, size_t cap)
{
	struct stat st;

	if (c->rejects)
		return c->rejects;
	if (!c->output || strcmp(c->output, "-") == 0)
		return NULL;
	/* -o /dev/null, a FIFO: no file beside it (not /dev/null.rejects.csv) */
	if (stat(c->output, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return NULL;
	if (c->rep.format == WS_FMT_CSV && c->rep.view == WS_VIEW_REVIEW)
		snprintf(buf, cap, "%s/rejects.csv", c->output);
	else
		snprintf(buf, cap, "%s.rejects.csv", c->output);
	return buf;
}

/*
 * The progress bar of long ingests, on stderr when it is a terminal: drawn in
 * place with a carriage return, erased when the file is done.
 */
static void progress(void *ctx, const char *path, size_t done, size_t total)
{
	int *shown = ctx;
	int w = 30, k = total ? (int)((double)done / (double)total * w) : w;

	if (k > w) /* a parallel read's share is an estimate */
		k = w;

	if (total < (64u << 20) && !*shown)
		return; /* small files finish before a bar is worth drawing */
	if (done >= total) {
		if (*shown)
			fputs("\r\033[K", stderr);
		*shown = 0;
		return;
	}
	fprintf(stderr, "\rwardstat: reading %.40s [%.*s%*s] %3d%%", path, k,
		"##############################", w - k, "", k * 100 / w);
	*shown = 1;
}

/* Reads the input: one mapped snapshot (.wsc), or CSV files through the ingest. */
static int load(const struct cli *c, const char *const *files, size_t nfiles, struct ws_table *t,
		struct ws_index *ix, struct ws_ingest_log *log, struct ws_err *err)
{
	for (size_t i = 0; i < nfiles; i++)
		if (ws_snapshot_is(files[i])) {
			memset(log, 0, sizeof(*log));
			memset(t, 0, sizeof(*t));
			memset(ix, 0, sizeof(*ix));
			if (nfiles > 1)
				return ws_err_set(err, WS_EUSAGE,
						  "%s: a snapshot is read alone, not merged with other files",
						  files[i]);
			log->files = 1;
			return ws_snapshot_map(files[i], c->in.threads, t, ix, err);
		}
	return ws_ingest_files(files, nfiles, &c->in, t, ix, log, err);
}

/* wardstat ingest: the snapshot of what was read, written atomically to -o. */
static int write_snapshot(const struct cli *c, const struct ws_table *t, const struct ws_index *ix,
			  struct ws_err *err)
{
	struct ws_out out;
	int rc;

	if ((rc = ws_report_open(&out, c->output, err)) != WS_OK)
		return rc;
	if ((rc = ws_snapshot_write(t, ix, out.f, err)) != WS_OK) {
		ws_report_abort(&out);
		return rc;
	}
	return ws_report_commit(&out, err);
}

static int run(struct cli *c, const char *const *files, size_t nfiles)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_ingest_log log;
	struct ws_stats st;
	struct ws_err err = {0};
	char rbuf[4200];
	const char *rpath;
	double t0 = ws_engine_now(), t1, t2, t3;
	int status = 0, rc, check = strcmp(c->cmd, "check") == 0 || strcmp(c->cmd, "ingest") == 0;
	/* the CSV review, the tables for a program: statistics and series rows in one pass */
	int streamed = c->rep.format == WS_FMT_CSV && c->rep.view == WS_VIEW_REVIEW && !c->rep.division;

	rc = load(c, files, nfiles, &t, &ix, &log, &err);
	t1 = ws_engine_now();
	if (log.t_parse == 0) /* a mapped snapshot: all of it was reading */
		log.t_read = t1 - t0;
	memset(&st, 0, sizeof(st));
	if (rc != WS_OK) {
		fprintf(stderr, "wardstat: %s\n", err.msg);
		status = EXIT_INPUT;
		goto out;
	}
	rpath = check ? c->rejects : rejects_path(c, rbuf, sizeof(rbuf));
	if (check) {
		int32_t lo = INT32_MAX, hi = INT32_MIN;
		size_t ndiv = 0;
		struct ws_dict seen;

		for (size_t i = 0; i < t.n; i++) {
			lo = t.year[i] < lo ? t.year[i] : lo;
			hi = t.year[i] > hi ? t.year[i] : hi;
		}
		/* divisions: distinct (ward, division) pairs among the series, counted
		 * with a dictionary */
		ws_dict_init(&seen);
		for (size_t s = 0; s < ix.nseries; s++) {
			char key[16];
			uint32_t code, before = seen.n, a;

			if (ix.start[s] == ix.start[s + 1])
				continue;
			a = t.attr[ix.row[ix.start[s]]];
			memcpy(key, &t.ward[a], 4);
			memcpy(key + 4, &t.division[a], 4);
			ws_dict_intern(&seen, key, 8, &code);
			ndiv += seen.n > before;
		}
		ws_dict_fini(&seen);
		printf("files          %zu\n", log.files);
		printf("rows read      %zu\n", log.rows_read);
		printf("rows used      %zu\n", log.rows_used);
		printf("rows rejected  %zu\n", log.rows_rejected);
		if (log.blank_rows)
			printf("empty rows     %zu (delimiters only; skipped like blank lines)\n",
			       log.blank_rows);
		printf("observations   %zu\n", ix.nrows);
		printf("duplicates     %zu (kept once)\n", log.duplicates);
		printf("revisions      %zu (restated figures)\n", log.revisions);
		printf("series         %zu\n", ix.nseries);
		printf("divisions      %zu\n", ndiv);
		if (t.n)
			printf("years          %d-%d\n", lo, hi);
		else
			printf("years          none\n");
		for (size_t i = 0; i < log.n; i++)
			if (log.e[i].kind == WS_LOG_REVISION) {
				char buf[1200];

				ws_ingest_describe(&log, &t, &log.e[i], buf, sizeof(buf));
				printf("revision       %s\n", buf);
			}
		if (strcmp(c->cmd, "ingest") == 0) {
			if ((rc = write_snapshot(c, &t, &ix, &err)) != WS_OK) {
				fprintf(stderr, "wardstat: %s\n", err.msg);
				status = EXIT_INPUT;
				goto out;
			}
			printf("snapshot       %s (%zu bytes in memory after ingest, %.1f per row)\n",
			       c->output, ws_table_bytes(&t),
			       t.n ? (double)ws_table_bytes(&t) / (double)t.n : 0.0);
		}
	} else {
		/* merged, and the rejects keep their own copies: the note, file and line
		 * columns are not needed by the statistics or the reports */
		ws_table_release_provenance(&t);
		c->rep.index = &ix;
		if (streamed) {
			double ts = 0;

			rc = ws_report_csv_review(&t, &ix, &c->st, &c->rep, c->output, &st, &ts, &err);
			t2 = t1 + ts;
		} else if ((rc = ws_stats_compute(&t, &ix, &c->st, &st, &err)) != WS_OK) {
			fprintf(stderr, "wardstat: %s\n", err.msg);
			status = EXIT_INPUT;
			goto out;
		} else {
			t2 = ws_engine_now();
			rc = ws_report_write(&t, &st, &c->rep, c->output, &err);
		}
		if (rc != WS_OK) {
			fprintf(stderr, "wardstat: %s\n", err.msg);
			if (rc == WS_EUSAGE) /* e.g. --division names no division */
				fputs("Try 'wardstat --help' for more information.\n", stderr);
			status = rc == WS_EUSAGE ? EXIT_USAGE : EXIT_INPUT;
			goto out;
		}
		t3 = ws_engine_now();
		if (c->timings) {
			/* parse and normalize interleave, record by record: their shares
			 * come from the records timed (one in 64) */
			double sampled = log.s_scan + log.s_split + log.s_take;
			double parse = sampled > 0 ? log.t_parse * (log.s_scan + log.s_split) / sampled
						   : log.t_parse;

			fprintf(stderr,
				"wardstat: timings: read %.3f s, parse %.3f s, normalize %.3f s (%.0f MB/s%s), group %.3f s, stats %.3f s, write %.3f s%s, total %.3f s\n",
				log.t_read, parse, log.t_parse - parse,
				log.bytes / 1e6 / (log.t_parse > 0 ? log.t_parse : 1e-9),
				sampled > 0 ? "; the two split by timing 1 record in 64" : "",
				log.t_group, t2 - t1, t3 - t2,
				streamed ? " (series.csv is written during stats)" : "", t3 - t0);
		}
	}
	if (log.rows_rejected && rpath && write_rejects(&log, &t, rpath, &err) != WS_OK) {
		fprintf(stderr, "wardstat: %s\n", err.msg);
		status = EXIT_INPUT;
		goto out;
	}
	if (tell(&log, &t, log.rows_rejected ? rpath : NULL))
		status = EXIT_REJECTS;
out:
	ws_stats_fini(&st);
	ws_index_fini(&ix);
	ws_ingest_log_fini(&log);
	ws_table_fini(&t);
	return status;
}

/* wardstat gen: synthetic histories, written atomically. */
static int gen(const struct cli *c)
{
	struct ws_out out;
	struct ws_err err = {0};

	if (ws_report_open(&out, c->output, &err) != WS_OK)
		goto out_fail;
	if (ws_bench_gen(out.f, (size_t)c->series, (int)c->years, c->seed) != WS_OK) {
		int e = errno; /* of the write that failed */

		ws_report_abort(&out);
		ws_err_set(&err, WS_EIO, "%s: writing failed: %s", out.is_stdout ? "stdout" : c->output,
			   strerror(e ? e : EIO));
		goto out_fail;
	}
	if (ws_report_commit(&out, &err) != WS_OK)
		goto out_fail;
	return 0;
out_fail:
	fprintf(stderr, "wardstat: %s\n", err.msg);
	return EXIT_INPUT;
}

int main(int argc, char **argv)
{
	static char prog[] = "wardstat"; /* getopt names argv[0] in its messages */
	struct cli c;
	const char *def[1], *cmd;
	const char *const *files;
	size_t nfiles;
	int status, bad;

	argv[0] = prog;
	if (argc < 2 || argv[1][0] == '-') {
		parse(argc, argv, &c); /* --help, --version */
		fputs("wardstat: missing command\n", stderr);
		usage(EXIT_USAGE);
	}
	cmd = argv[1];
	argv[1] = prog; /* the command's options are parsed from here */
	help_command = cmd;
	parse(argc - 1, argv + 1, &c);
	c.cmd = cmd;
	files = (const char *const *)(argv + 1 + optind);
	nfiles = (size_t)(argc - 1 - optind);
	if (strcmp(c.cmd, "gen") == 0) {
		if (nfiles)
			die_usage("gen takes no FILE, not", files[0]);
		if (!c.series)
			die_usage("gen wants --series N [--years Y] [--seed S]", NULL);
		status = gen(&c);
		goto done;
	}
	if (strcmp(c.cmd, "rank") == 0)
		c.rep.view = WS_VIEW_RANK;
	else if (strcmp(c.cmd, "trends") == 0)
		c.rep.view = WS_VIEW_TRENDS;
	else if (strcmp(c.cmd, "below") == 0)
		c.rep.view = WS_VIEW_BELOW;
	else if (strcmp(c.cmd, "ingest") == 0 && (!c.output || strcmp(c.output, "-") == 0))
		die_usage("ingest writes a snapshot file: give -o FILE.wsc", NULL);
	else if (strcmp(c.cmd, "report") && strcmp(c.cmd, "check") && strcmp(c.cmd, "ingest"))
		die_usage("unknown command", c.cmd);
	if ((strcmp(c.cmd, "check") == 0 || strcmp(c.cmd, "ingest") == 0) && nfiles == 0)
		die_usage("check wants at least one FILE", NULL);
	if (nfiles == 0) {
		def[0] = bundled();
		files = def;
		nfiles = 1;
		c.rep.source = "chuo-r4.csv (bundled: Niigata City Chuo Ward, FY2022)";
	} else {
		c.rep.source = source_names(files, nfiles);
	}
	/* the trend tests, reasons and bands the other views and formats show are not
	 * computed with --columns=core */
	if (c.rep.core && (strcmp(c.cmd, "report") || c.rep.format != WS_FMT_CSV))
		die_usage("--columns=core is for `report -f csv` only", NULL);
	if (c.rep.format == WS_FMT_XLSX && (!c.output || strcmp(c.output, "-") == 0))
		die_usage("xlsx needs -o FILE", NULL);
	{
		const char *nc = getenv("NO_COLOR");
		int tty = c.rep.format == WS_FMT_TEXT && (!c.output || strcmp(c.output, "-") == 0) &&
			  isatty(STDOUT_FILENO);

		c.rep.color = (nc && *nc) ? 0 : strcmp(c.color, "always") == 0 ? 1
						  : strcmp(c.color, "never") == 0  ? 0
										   : tty;
	}
	if (isatty(STDERR_FILENO)) {
		static int shown;

		c.in.progress = progress;
		c.in.progress_ctx = &shown;
	}
	status = run(&c, files, nfiles);
done:
	bad = ferror(stdout);
	if (fclose(stdout) != 0 || bad) {
		if (status != EXIT_INPUT) /* else the failed write was reported already */
			fprintf(stderr, "wardstat: writing output failed: %s\n", strerror(errno));
		return EXIT_INPUT;
	}
	return status;
}
