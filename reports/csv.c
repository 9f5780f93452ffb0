/*
 * csv.c: the tables as CSV files (RFC 4180), one per table, into a directory.
 *
 * With --excel the files start with the UTF-8 BOM Excel needs to read them as
 * UTF-8, and text cells that start with = + - @ (or a tab or CR) are prefixed
 * with an apostrophe so that a spreadsheet shows them instead of running them
 * as formulas. Numbers are never altered: a negative gap stays a number.
 * The review view writes every table into a directory; the other views
 * (ranking, trends, below) write their one table to a file or stdout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report_internal.h"

/* A row being assembled: one fwrite per row instead of one call per byte. */
struct line {
	char *buf;
	size_t len, cap;
	int oom;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n == 0) /* an empty field: nothing to copy, and l->buf may still be NULL */
		return;
	if (l->len + n > l->cap) {
		size_t cap = l->cap ? l->cap : 1024;
		char *p;

		while (cap < l->len + n)
			cap *= 2;
		p = realloc(l->buf, cap);
		if (!p) {
			l->oom = 1;
			return;
		}
		l->buf = p;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Appends one field, quoted when it holds a comma, quote, CR or LF. */
static void field(struct line *l, const char *s, int neutralise)
{
	size_t n = strlen(s);
	int lead = neutralise && n && strchr("=+-@\t\r", s[0]);

	if (!lead && !strpbrk(s, ",\"\r\n")) {
		put(l, s, n);
		return;
	}
	put(l, lead ? "\"'" : "\"", lead ? 2 : 1);
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1)
		put(l, s, (size_t)(q - s) + 1), put(l, "\"", 1); /* the quote, doubled */
	put(l, s, strlen(s));
	put(l, "\"", 1);
}

/* Rows [b, e) of table k formatted into one buffer, by one thread. */
struct block {
	const struct ws_table *t;
	const struct ws_stats *st;
	int k, excel;
	size_t b, e;
	struct line l;
	pthread_t th;
};

static void *format_rows(void *arg)
{
	struct block *x = arg;
	char buf[64];

	x->l.len = 0;
	for (size_t r = x->b; r < x->e && !x->l.oom; r++) {
		for (size_t c = 0; c < ws_tab_ncols(x->k); c++) {
			struct ws_cell cell;

			ws_tab_cell(x->t, x->st, x->k, r, c, &cell);
			if (c)
				put(&x->l, ",", 1);
			if (cell.kind == WS_COL_STR) { /* text may need quotes */
				field(&x->l, ws_cell_text(&cell, buf, sizeof(buf)), x->excel);
			} else if (!cell.missing) { /* numbers and booleans never do */
				const char *txt = ws_cell_text(&cell, buf, sizeof(buf));

				put(&x->l, txt, strlen(txt));
			}
		}
		put(&x->l, "\n", 1);
	}
	return NULL;
}

#define BLOCK_ROWS 4096
#define MAX_BLOCKS WS_MAX_THREADS

/*
 * Writes the rows in rounds: in each round up to one block of BLOCK_ROWS rows
 * per core is formatted, the blocks beyond the first on threads of their
 * own, then all are written in order. Output is the same bytes whatever the
 * number of threads; memory stays a few blocks.
 */
int ws_report_csv_table(const struct ws_table *t, const struct ws_stats *st,
			const struct ws_report_opts *o, const char *which, FILE *f)
{
	struct block blk[MAX_BLOCKS];
	int ncpu = ws_engine_threads(o->threads);
	int k = 0, nb, rc = WS_OK;
	size_t nrows;

	while (k < WS_TAB_COUNT && strcmp(ws_tab_name(k), which) != 0)
		k++;
	if (k == WS_TAB_COUNT)
		return WS_EUSAGE;
	nrows = ws_tab_nrows(st, k);
	nb = nrows < 4 * BLOCK_ROWS ? 1 : ncpu;
	memset(blk, 0, sizeof(blk));
	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < ws_tab_ncols(k); c++) {
		if (c)
			fputc(',', f);
		fputs(ws_tab_col(k, c), f);
	}
	fputc('\n', f);
	for (size_t base = 0; base < nrows && rc == WS_OK; base += (size_t)nb * BLOCK_ROWS) {
		int started = 1;

		for (int i = 0; i < nb; i++) {
			size_t b = base + (size_t)i * BLOCK_ROWS, e = b + BLOCK_ROWS;

			blk[i].t = t;
			blk[i].st = st;
			blk[i].k = k;
			blk[i].excel = o->excel;
			blk[i].b = b < nrows ? b : nrows;
			blk[i].e = e < nrows ? e : nrows;
		}
		for (; started < nb; started++)
			if (pthread_create(&blk[started].th, NULL, format_rows, &blk[started]) != 0)
				break;
		format_rows(&blk[0]);
		for (int i = 1; i < started; i++)
			pthread_join(blk[i].th, NULL);
		for (int i = started; i < nb; i++) /* threads that could not start */
			format_rows(&blk[i]);
		for (int i = 0; i < nb; i++) {
			if (blk[i].l.oom)
				rc = WS_ENOMEM;
			else if (blk[i].l.len)
				fwrite(blk[i].l.buf, 1, blk[i].l.len, f);
		}
	}
	for (int i = 0; i < nb; i++)
		free(blk[i].l.buf);
	if (rc != WS_OK)
		return rc;
	return ferror(f) ? WS_EIO : WS_OK;
}

/* Writes the header and rows of d, every cell through tables.c. */
int ws_report_csv_dtab(const struct ws_report_review *rv, const struct ws_dtab *d, FILE *f)
{
	const struct ws_report_opts *o = rv->o;
	size_t ncols = ws_tab_ncols(d->tab), all = ncols + (d->trend ? WS_TREND_COLS : 0);
	struct line l = {0};
	char buf[64];

	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < all; c++) {
		if (c)
			fputc(',', f);
		fputs(c < ncols ? ws_tab_col(d->tab, c) : ws_report_trend_col(c - ncols), f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < d->n && !l.oom; r++) {
		l.len = 0;
		for (size_t c = 0; c < all; c++) {
			struct ws_cell cell;

			if (c < ncols)
				ws_tab_cell(rv->t, rv->st, d->tab, d->rows[r], c, &cell);
			else
				ws_report_trend_cell(rv, d->rows[r], c - ncols, &cell);
			if (c)
				put(&l, ",", 1);
			if (cell.kind == WS_COL_STR) /* text may need quotes */
				field(&l, ws_cell_text(&cell, buf, sizeof(buf)), o->excel);
			else if (!cell.missing) { /* numbers and booleans never do */
				const char *txt = ws_cell_text(&cell, buf, sizeof(buf));

				put(&l, txt, strlen(txt));
			}
		}
		put(&l, "\n", 1);
		if (!l.oom)
			fwrite(l.buf, 1, l.len, f);
	}
	free(l.buf);
	if (l.oom)
		return WS_ENOMEM;
	return ferror(f) ? WS_EIO : WS_OK;
}

/* Writes one data table to path (NULL = stdout) atomically. */
static int write_dtab(const struct ws_report_review *rv, const struct ws_dtab *d,
		      const char *path, struct ws_err *err)
{
	struct ws_out out;
	int rc;

	if ((rc = ws_report_open(&out, path, err)) != WS_OK)
		return rc;
	if ((rc = ws_report_csv_dtab(rv, d, out.f)) != WS_OK) {
		ws_report_abort(&out);
		if (rc == WS_ENOMEM)
			return ws_err_set(err, rc, "out of memory");
		return ws_err_set(err, WS_EIO, "%s: writing failed: %s", path ? path : "stdout",
				  strerror(errno));
	}
	return ws_report_commit(&out, err);
}

/* The review's tables with --division: only that division's rows (the ward
 * table stays whole), same files as without. dir NULL: series to stdout. */
static int csv_dir_filtered(const struct ws_table *t, const struct ws_stats *st,
			    const struct ws_report_opts *o, const char *dir, struct ws_err *err)
{
	struct ws_report_opts review = *o;
	struct ws_report_review rv;
	struct ws_dtab d[WS_TAB_COUNT];
	char path[4096];
	size_t n;
	int rc;

	review.view = WS_VIEW_REVIEW;
	if ((rc = ws_report_review_init(&rv, t, st, &review, err)) != WS_OK)
		goto out_free_review;
	n = ws_report_review_dtabs(&rv, d);
	for (int k = 0; k < WS_TAB_COUNT && rc == WS_OK; k++) {
		for (size_t i = 0; i < n && rc == WS_OK; i++) {
			if (d[i].tab != k || (!dir && k != WS_TAB_SERIES))
				continue;
			if (dir && snprintf(path, sizeof(path), "%s/%s.csv", dir, ws_tab_name(k)) >=
					   (int)sizeof(path))
				rc = ws_err_set(err, WS_EIO, "%s: path too long", dir);
			else
				rc = write_dtab(&rv, &d[i], dir ? path : NULL, err);
		}
	}
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}

int ws_report_csv(const struct ws_table *t, const struct ws_stats *st,
		  const struct ws_report_opts *o, const char *path, struct ws_err *err)
{
	struct ws_report_review rv;
	struct ws_dtab d[WS_TAB_COUNT];
	int rc;

	if (o->view == WS_VIEW_REVIEW)
		return ws_report_csv_dir(t, st, o, path, err);
	if ((rc = ws_report_review_init(&rv, t, st, o, err)) == WS_OK) {
		ws_report_review_dtabs(&rv, d);
		rc = write_dtab(&rv, &d[0], path && strcmp(path, "-") ? path : NULL, err);
	}
	ws_report_review_fini(&rv);
	return rc;
}

int ws_report_csv_dir(const struct ws_table *t, const struct ws_stats *st,
		      const struct ws_report_opts *o, const char *dir, struct ws_err *err)
{
	struct ws_out out[WS_TAB_COUNT];
	char path[4096];
	int rc, nout = 0;

	if (!dir || strcmp(dir, "-") == 0) /* no directory: the series table to stdout */
		dir = NULL;
	if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST)
		return ws_err_set(err, WS_EIO, "%s: cannot create directory: %s", dir,
				  strerror(errno));
	if (o->division)
		return csv_dir_filtered(t, st, o, dir, err);
	/* every table is written in full before any replaces its old file, so a
	 * failed run leaves the previous set of tables whole */
	rc = WS_OK;
	for (int k = 0; k < WS_TAB_COUNT && rc == WS_OK; k++) {
		if (!dir && k != WS_TAB_SERIES)
			continue;
		if (dir && snprintf(path, sizeof(path), "%s/%s.csv", dir, ws_tab_name(k)) >=
				   (int)sizeof(path))
			rc = ws_err_set(err, WS_EIO, "%s: path too long", dir);
		else if ((rc = ws_report_open(&out[nout], dir ? path : NULL, err)) == WS_OK &&
			 (ws_report_csv_table(t, st, o, ws_tab_name(k), out[nout++].f) != WS_OK ||
			  fflush(out[nout - 1].f) != 0))
			rc = ws_err_set(err, WS_EIO, "%s: writing failed: %s", dir ? path : "stdout",
					strerror(errno ? errno : EIO));
	}
	for (int i = 0; i < nout; i++) {
		if (rc == WS_OK)
			rc = ws_report_commit(&out[i], err);
		else
			ws_report_abort(&out[i]);
	}
	return rc;
}
