/*
 * merge.c: the rules of FORMATS.md §1d over the series index, and the log.
 *
 * After all files are read, rows of one series sit together in year order.
 * Rows of the same (series, year) are resolved here:
 *   - equal target and actual: a duplicate, kept once and noted;
 *   - different values from two files: a restated figure; the file whose
 *     newest year is later wins (on a tie, the file named later), and the
 *     revision is logged with both files and lines;
 *   - different values within one file: an error naming both lines.
 * A series whose rows give two directions or two units is an error too.
 */
#include "ingest_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Appends n bytes and a NUL to the log text; *off receives their offset. */
static int text_add(struct ws_ingest_log *log, const char *s, size_t n, size_t *off)
{
	if (log->text_len + n + 1 > log->text_cap) {
		size_t cap = log->text_cap ? log->text_cap : 4096;
		char *p;

		while (cap < log->text_len + n + 1)
			cap *= 2;
		p = realloc(log->text, cap);
		if (!p)
			return WS_ENOMEM;
		log->text = p;
		log->text_cap = cap;
	}
	*off = log->text_len;
	if (n)
		memcpy(log->text + log->text_len, s, n);
	log->text[log->text_len + n] = '\0';
	log->text_len += n + 1;
	return WS_OK;
}

int ws_log_add(struct ws_ingest_log *log, int kind, uint32_t file, uint32_t line,
	       uint32_t column, const char *text, size_t text_len, const char *fmt, ...)
{
	struct ws_log_entry *e;
	char reason[600];
	va_list ap;

	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 64;
		struct ws_log_entry *p = realloc(log->e, cap * sizeof(*p));

		if (!p)
			return WS_ENOMEM;
		log->e = p;
		log->cap = cap;
	}
	e = &log->e[log->n];
	memset(e, 0, sizeof(*e));
	e->kind = (uint8_t)kind;
	e->file = file;
	e->line = line;
	e->column = column;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (text_add(log, reason, strlen(reason), &e->reason) ||
	    text_add(log, text ? text : "", text ? text_len : 0, &e->text))
		return WS_ENOMEM;
	e->text_len = text ? text_len : 0;
	log->n++;
	return WS_OK;
}

void ws_log_rollback(struct ws_ingest_log *log, const struct ws_ingest_log *saved,
		     struct ws_table *t, size_t rows)
{
	log->n = saved->n;
	log->text_len = saved->text_len;
	log->rows_read = saved->rows_read;
	log->rows_used = saved->rows_used;
	log->rows_rejected = saved->rows_rejected;
	log->blank_rows = saved->blank_rows;
	log->bytes = saved->bytes;
	log->s_scan = saved->s_scan;
	log->s_split = saved->s_split;
	log->s_take = saved->s_take;
	ws_table_truncate(t, rows);
}

void ws_ingest_log_fini(struct ws_ingest_log *log)
{
	free(log->e);
	free(log->text);
	memset(log, 0, sizeof(*log));
}

void ws_ingest_describe(const struct ws_ingest_log *log, const struct ws_table *t,
			const struct ws_log_entry *e, char *buf, size_t cap)
{
	const char *f = ws_dict_str(&t->dict, e->file);
	const char *why = log->text + e->reason;

	if (e->column)
		snprintf(buf, cap, "%s:%u:%u: %s", f, e->line, e->column, why);
	else
		snprintf(buf, cap, "%s:%u: %s", f, e->line, why);
}

/* Writes s[0..n) as one RFC 4180 field. */
static void csv_field(FILE *f, const char *s, size_t n)
{
	if (n && !memchr(s, '"', n) && !memchr(s, ',', n) && !memchr(s, '\n', n) &&
	    !memchr(s, '\r', n)) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

int ws_ingest_write_rejects(const struct ws_ingest_log *log, const struct ws_table *t, FILE *f)
{
	fputs("file,line,column,reason,text\n", f);
	for (size_t i = 0; i < log->n; i++) {
		const struct ws_log_entry *e = &log->e[i];
		const char *name = ws_dict_str(&t->dict, e->file);
		const char *why = log->text + e->reason;

		if (e->kind != WS_LOG_REJECT)
			continue;
		csv_field(f, name, strlen(name));
		fprintf(f, ",%u,%u,", e->line, e->column);
		csv_field(f, why, strlen(why));
		fputc(',', f);
		csv_field(f, log->text + e->text, e->text_len);
		fputc('\n', f);
	}
	return ferror(f) ? WS_EIO : WS_OK;
}

/* Equal as observations: same target and same actual, NaN equal to NaN. */
static int same_values(const struct ws_table *t, uint32_t a, uint32_t b)
{
	double ta = t->target[a], tb = t->target[b], aa = t->actual[a], ab = t->actual[b];

	return ((isnan(ta) && isnan(tb)) || ta == tb) && ((isnan(aa) && isnan(ab)) || aa == ab);
}

static size_t file_index(const uint32_t *fcode, size_t nfiles, uint32_t code)
{
	for (size_t k = nfiles; k-- > 0;)
		if (fcode[k] == code)
			return k;
	return 0;
}

/* Attributes and provenance of row r (the columns hold them per set, or as runs). */
#define ROW_DIR(t, r) ((t)->direction[(t)->attr[r]])
#define UNIT(t, r) ((t)->unit[(t)->attr[r]])
#define FILE_OF(t, r) ws_table_file(t, r)

/* Text for "series 'ward/division/indicator'" in messages. */
static void series_name(const struct ws_table *t, uint32_t r, char *buf, size_t cap)
{
	uint32_t a = t->attr[r];
	const char *w = ws_dict_str(&t->dict, t->ward[a]);

	snprintf(buf, cap, "%s%s%s/%s", w, *w ? "/" : "", ws_dict_str(&t->dict, t->division[a]),
		 ws_dict_str(&t->dict, t->indicator[a]));
}

/* A series with two directions or two units: an error naming both lines. */
static int check_series(const struct ws_table *t, const uint32_t *row, size_t n,
			struct ws_err *err)
{
	const uint32_t *first_dir = NULL, *first_unit = NULL;
	char name[300];

	for (size_t j = 0; j < n; j++) {
		uint32_t r = row[j];

		if (ROW_DIR(t, r) != WS_DIR_UNSET) {
			if (first_dir && ROW_DIR(t, *first_dir) != ROW_DIR(t, r)) {
				series_name(t, r, name, sizeof(name));
				return ws_err_set(err, WS_ESCHEMA,
						  "%s:%u: series '%s' is '%s' here but '%s' at %s:%u",
						  ws_dict_str(&t->dict, FILE_OF(t, r)), t->line[r], name,
						  ROW_DIR(t, r) == WS_DIR_LOWER ? "lower" : "higher",
						  ROW_DIR(t, *first_dir) == WS_DIR_LOWER ? "lower" : "higher",
						  ws_dict_str(&t->dict, FILE_OF(t, *first_dir)),
						  t->line[*first_dir]);
			}
			if (!first_dir)
				first_dir = &row[j];
		}
		if (UNIT(t, r) != 0) {
			if (first_unit && UNIT(t, *first_unit) != UNIT(t, r)) {
				series_name(t, r, name, sizeof(name));
				return ws_err_set(err, WS_ESCHEMA,
						  "%s:%u: series '%s' has unit '%s' here but '%s' at %s:%u",
						  ws_dict_str(&t->dict, FILE_OF(t, r)), t->line[r], name,
						  ws_dict_str(&t->dict, UNIT(t, r)),
						  ws_dict_str(&t->dict, UNIT(t, *first_unit)),
						  ws_dict_str(&t->dict, FILE_OF(t, *first_unit)),
						  t->line[*first_unit]);
			}
			if (!first_unit)
				first_unit = &row[j];
		}
	}
	return WS_OK;
}

/* Resolves the rows row[0..n) of one (series, year); marks losers in drop. */
static int resolve(const struct ws_table *t, const uint32_t *row, size_t n,
		   struct ws_ingest_log *log, const uint32_t *fcode, const int32_t *newest,
		   size_t nfiles, uint8_t *drop, struct ws_err *err)
{
	size_t win = 0;
	char name[300];

	/* within one file, different values are an error */
	for (size_t a = 0; a < n; a++)
		for (size_t b = a + 1; b < n; b++)
			if (FILE_OF(t, row[a]) == FILE_OF(t, row[b]) && !same_values(t, row[a], row[b])) {
				series_name(t, row[b], name, sizeof(name));
				return ws_err_set(err, WS_ESCHEMA,
						  "%s:%u: series '%s' year %d given twice with different values (also line %u)",
						  ws_dict_str(&t->dict, FILE_OF(t, row[b])), t->line[row[b]],
						  name, t->year[row[b]], t->line[row[a]]);
			}
	/* the winner: the file whose newest year is later, then the one named later */
	for (size_t j = 1; j < n; j++) {
		size_t fj = file_index(fcode, nfiles, FILE_OF(t, row[j]));
		size_t fw = file_index(fcode, nfiles, FILE_OF(t, row[win]));

		if (newest[fj] > newest[fw] || (newest[fj] == newest[fw] && fj > fw))
			win = j;
	}
	for (size_t j = 0; j < n; j++) {
		uint32_t r = row[j], w = row[win];
		int rc;

		if (j == win)
			continue;
		drop[r] = 1;
		if (same_values(t, r, w)) {
			log->duplicates++;
			rc = ws_log_add(log, WS_LOG_DUPLICATE, FILE_OF(t, r), t->line[r], 0, NULL, 0,
					"duplicate of %s:%u, kept once",
					ws_dict_str(&t->dict, FILE_OF(t, w)), t->line[w]);
		} else {
			char a[2][40], b[2][40];

			snprintf(a[0], 40, "%.10g", t->target[r]);
			snprintf(a[1], 40, "%.10g", t->actual[r]);
			snprintf(b[0], 40, "%.10g", t->target[w]);
			snprintf(b[1], 40, "%.10g", t->actual[w]);
			series_name(t, r, name, sizeof(name));
			log->revisions++;
			rc = ws_log_add(log, WS_LOG_REVISION, FILE_OF(t, r), t->line[r], 0, NULL, 0,
					"restated: '%s' %d target %s actual %s, replaced by %s:%u target %s actual %s",
					name, t->year[r], isnan(t->target[r]) ? "-" : a[0],
					isnan(t->actual[r]) ? "-" : a[1], ws_dict_str(&t->dict, FILE_OF(t, w)),
					t->line[w], isnan(t->target[w]) ? "-" : b[0],
					isnan(t->actual[w]) ? "-" : b[1]);
		}
		if (rc)
			return ws_err_set(err, rc, "out of memory");
		log->e[log->n - 1].other_file = FILE_OF(t, w);
		log->e[log->n - 1].other_line = t->line[w];
	}
	return WS_OK;
}

int ws_ingest_merge(const struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		    const uint32_t *fcode, const int32_t *newest, size_t nfiles,
		    struct ws_err *err)
{
	uint8_t *drop = NULL;
	size_t dropped = 0;
	int rc = WS_OK;

	for (size_t s = 0; s < ix->nseries; s++) {
		const uint32_t *row = ix->row + ix->start[s];
		size_t n = ix->start[s + 1] - ix->start[s];

		if ((rc = check_series(t, row, n, err)) != WS_OK)
			goto out;
		for (size_t j = 0; j + 1 < n;) {
			size_t k = j + 1;

			while (k < n && t->year[row[k]] == t->year[row[j]])
				k++;
			if (k - j > 1) {
				if (!drop && !(drop = calloc(t->n, 1))) {
					rc = ws_err_set(err, WS_ENOMEM, "out of memory");
					goto out;
				}
				if ((rc = resolve(t, row + j, k - j, log, fcode, newest, nfiles, drop,
						  err)) != WS_OK)
					goto out;
				dropped += k - j - 1;
			}
			j = k;
		}
	}
	if (dropped)
		rc = ws_index_remove(ix, drop);
out:
	free(drop);
	return rc;
}
