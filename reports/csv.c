/*
 * csv.c: the tables as CSV files (RFC 4180), one per table, into a directory.
 *
 * With --excel the files start with the UTF-8 BOM Excel needs to read them as
 * UTF-8, and text cells that start with = + - @ (or a tab or CR) are prefixed
 * with an apostrophe so that a spreadsheet shows them instead of running them
 * as formulas. Numbers are never altered: a negative gap stays a number.
 * The review view writes every table into a directory; the other views
 * (ranking, trends, below) write their one table to a file or stdout.
 *
 * Speed: series.csv has a million rows of 35 columns for ten million
 * observations. Its rows are written by ws_csv_series_row, straight into a
 * buffer made large enough once per row, strings copied with the lengths the
 * dictionary knows and quoted by a mark computed once per dictionary code.
 * The small tables go cell by cell through tables.c. A table's rows are cut
 * into blocks that worker threads format while this thread writes the
 * finished ones in order (struct pipeline), so the file is the same bytes
 * whatever the number of threads.
 */
#define _GNU_SOURCE /* O_DIRECT (Linux), to write series.csv past the page cache */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report_internal.h"

/* Makes room for n more bytes in b; sets b->oom and returns WS_ENOMEM on failure. */
static int room(struct ws_csv_buf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *p;

	if (b->len + n <= b->cap)
		return WS_OK;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p) {
		b->oom = 1;
		return WS_ENOMEM;
	}
	b->buf = p;
	b->cap = cap;
	return WS_OK;
}

static void put(struct ws_csv_buf *b, const char *s, size_t n)
{
	if (n && room(b, n) == WS_OK) { /* n == 0: b->buf may still be NULL */
		memcpy(b->buf + b->len, s, n);
		b->len += n;
	}
}

/* Appends one field, quoted when it holds a comma, quote, CR or LF. */
static void field(struct ws_csv_buf *l, const char *s, int neutralise)
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

/* Appends one cell as field() and the CSV of ws_cell_text show it. */
static void cell_field(struct ws_csv_buf *l, const struct ws_cell *cell, int excel)
{
	char buf[64];

	if (cell->kind == WS_COL_STR) { /* text may need quotes */
		field(l, ws_cell_text(cell, buf, sizeof(buf)), excel);
	} else if (!cell->missing) { /* numbers and booleans never do */
		const char *txt = ws_cell_text(cell, buf, sizeof(buf));

		put(l, txt, strlen(txt));
	}
}

/* ---- the series row, written straight into the buffer ------------------- */

/*
 * The quoting facts of a string, one byte (the mark of a dictionary code).
 * A string is quoted when it holds Q_SPECIAL bytes, and with --excel also
 * when it starts with a Q_LEAD byte, which then gets an apostrophe after the
 * opening quote. These are the rules of field(), decided once per string.
 */
enum {
	Q_KNOWN = 1,   /* the mark has been computed (0 = not yet) */
	Q_SPECIAL = 2, /* holds a comma, quote, CR or LF */
	Q_LEAD = 4,    /* starts with = + - @ tab or CR */
	Q_NUL = 8      /* holds a NUL: written up to it, as a C string would be */
};

static const unsigned char qclass[256] = {
	[','] = Q_SPECIAL, ['"'] = Q_SPECIAL, ['\n'] = Q_SPECIAL, ['\r'] = Q_SPECIAL | Q_LEAD,
	['='] = Q_LEAD,    ['+'] = Q_LEAD,    ['-'] = Q_LEAD,     ['@'] = Q_LEAD,
	['\t'] = Q_LEAD,
};

/* The mark of s[0..n). */
static unsigned quote_mark(const char *s, size_t n)
{
	const char *z = memchr(s, '\0', n);
	unsigned m = Q_KNOWN;

	if (z) {
		n = (size_t)(z - s);
		m |= Q_NUL;
	}
	if (n)
		m |= qclass[(unsigned char)s[0]] & Q_LEAD;
	for (size_t j = 0; j < n; j++)
		m |= qclass[(unsigned char)s[j]] & Q_SPECIAL;
	return m;
}

/* Writes s[0..n) with mark m and a comma; at most 2n + 4 bytes. */
static char *cell_str(char *p, const char *s, size_t n, unsigned m, int excel)
{
	const char *end = s + n, *q;

	if (m & Q_NUL)
		end = s + strlen(s);
	if (!(m & (excel ? Q_SPECIAL | Q_LEAD : Q_SPECIAL))) {
		memcpy(p, s, (size_t)(end - s));
		p += end - s;
		*p++ = ',';
		return p;
	}
	*p++ = '"';
	if (excel && (m & Q_LEAD))
		*p++ = '\'';
	while ((q = memchr(s, '"', (size_t)(end - s))) != NULL) {
		memcpy(p, s, (size_t)(q - s) + 1);
		p += q - s + 1;
		*p++ = '"'; /* the quote, doubled */
		s = q + 1;
	}
	memcpy(p, s, (size_t)(end - s));
	p += end - s;
	*p++ = '"';
	*p++ = ',';
	return p;
}

/* Writes the dictionary string `code` and a comma, its mark computed on first use. */
static char *cell_code(char *p, const struct ws_dict *d, atomic_uchar *marks, uint32_t code,
		       int excel)
{
	const char *s = ws_dict_str(d, code);
	unsigned m = atomic_load_explicit(&marks[code], memory_order_relaxed);

	if (!m) {
		m = quote_mark(s, d->len[code]);
		atomic_store_explicit(&marks[code], (unsigned char)m, memory_order_relaxed);
	}
	return cell_str(p, s, d->len[code], m, excel);
}

/* A number as ws_report_num writes it ("" for NaN and inf, "0" for -0) and a comma. */
static char *cell_num(char *p, double x)
{
	if (x == 0)
		*p++ = '0';
	else if (isfinite(x))
		p += ws_fmt_double(x, 15, p, 32);
	*p++ = ',';
	return p;
}

/* An integer where negative means missing, and a comma. */
static char *cell_int(char *p, int32_t v)
{
	char tmp[10];
	int n = 10;
	uint32_t u = (uint32_t)v;

	if (v >= 0) {
		do {
			tmp[--n] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		memcpy(p, tmp + n, (size_t)(10 - n));
		p += 10 - n;
	}
	*p++ = ',';
	return p;
}

/* A boolean, -1 = missing, and a comma. */
static char *cell_bool(char *p, int8_t v)
{
	if (v > 0)
		memcpy(p, "true", 4), p += 4;
	else if (v == 0)
		memcpy(p, "false", 5), p += 5;
	*p++ = ',';
	return p;
}

/* Bytes of a series row beyond its strings: 35 fields of at most 32 bytes
 * and their separators. */
#define SERIES_ROW_FIXED (35 * 33)

atomic_uchar *ws_csv_marks_new(const struct ws_dict *d)
{
	/* all-zero bytes: every mark unknown (lock-free atomic bytes have no other state) */
	return calloc(d->n ? d->n : 1, sizeof(atomic_uchar));
}

int ws_csv_series_row(const struct ws_series_stats *s, size_t i, const struct ws_dict *d,
		      atomic_uchar *marks, int excel, struct ws_csv_buf *out)
{
	const uint32_t code[5] = {s->ward[i], s->division[i], s->objective[i], s->indicator[i],
				  s->unit[i]};
	const char *band = ws_stats_band_name(s->band[i]);
	const char *reason = s->text + s->reason[i];
	size_t nband = strlen(band), nreason = strlen(reason);
	size_t need = SERIES_ROW_FIXED + 2 * (nband + nreason) + 8;
	char *p;

	for (int c = 0; c < 5; c++)
		need += 2 * (size_t)d->len[code[c]] + 4;
	if (room(out, need) != WS_OK)
		return WS_ENOMEM;
	p = out->buf + out->len;
	for (int c = 0; c < 5; c++) /* ward, division, objective, indicator, unit */
		p = cell_code(p, d, marks, code[c], excel);
	if (s->direction[i] == WS_DIR_LOWER)
		memcpy(p, "lower,", 6), p += 6;
	else
		memcpy(p, "higher,", 7), p += 7;
	p = cell_int(p, s->nobs[i]);
	p = cell_int(p, s->first_year[i]);
	p = cell_int(p, s->last_year[i]);
	p = cell_num(p, s->slope[i]);
	p = cell_num(p, s->intercept[i]);
	p = cell_num(p, s->r2[i]);
	p = cell_int(p, s->review_year[i]);
	p = cell_num(p, s->target[i]);
	p = cell_num(p, s->actual[i]);
	p = cell_num(p, s->gap[i]);
	p = cell_num(p, s->achievement[i]);
	p = cell_bool(p, s->met[i]);
	p = cell_int(p, s->years_below[i]);
	p = cell_int(p, s->streak[i]);
	p = cell_bool(p, s->persistent[i]);
	p = cell_num(p, s->slope_se[i]);
	p = cell_num(p, s->slope_p[i]);
	p = cell_num(p, s->sen_slope[i]);
	p = cell_num(p, s->mk_s[i]);
	p = cell_num(p, s->mk_p[i]);
	p = cell_int(p, s->forecast_year[i]);
	p = cell_num(p, s->forecast[i]);
	p = cell_num(p, s->forecast_lo[i]);
	p = cell_num(p, s->forecast_hi[i]);
	p = cell_num(p, s->years_to_target[i]);
	p = cell_num(p, s->progress[i]);
	p = cell_str(p, band, nband, quote_mark(band, nband), excel);
	p = cell_int(p, s->lag[i]);
	p = cell_str(p, reason, nreason, quote_mark(reason, nreason), excel);
	p[-1] = '\n'; /* the last field ends the line, not a comma */
	out->len = (size_t)(p - out->buf);
	return WS_OK;
}

/* ---- whole tables ------------------------------------------------------- */

/* What a table is written from: row r of table k goes to the series row
 * formatter or, for the small tables, cell by cell through tables.c. */
struct tab_src {
	const struct ws_table *t;
	const struct ws_stats *st;
	int k;
	int excel;
	atomic_uchar *marks; /* the series table: quoting marks of t->dict */
};

/* Appends rows [b, e) of the table to out. */
static void format_rows(const struct tab_src *src, size_t b, size_t e, struct ws_csv_buf *out)
{
	size_t ncols = ws_tab_ncols(src->k);

	for (size_t r = b; r < e && !out->oom; r++) {
		if (src->k == WS_TAB_SERIES) {
			ws_csv_series_row(&src->st->series, r, &src->t->dict, src->marks, src->excel,
					  out);
			continue;
		}
		for (size_t c = 0; c < ncols; c++) {
			struct ws_cell cell;

			ws_tab_cell(src->t, src->st, src->k, r, c, &cell);
			if (c)
				put(out, ",", 1);
			cell_field(out, &cell, src->excel);
		}
		put(out, "\n", 1);
	}
}

#define BLOCK_ROWS 4096
#define MAX_SLOTS (2 * WS_MAX_THREADS)

/*
 * The rows of a table cut into blocks of BLOCK_ROWS, formatted by worker
 * threads and written in order by the caller's thread while the workers go
 * on. Block b is formatted into slot b % nslot once the slot's previous
 * block, b - nslot, has been written; the writer waits for slot w % nslot to
 * hold block w. Workers take blocks in order, so the lowest block not yet
 * written is always being formatted or ready: nobody waits for ever. Two
 * slots per worker: memory stays two blocks per thread.
 */
struct pipeline {
	struct tab_src src;
	size_t nrows;
	size_t nblocks;
	int nslot;                /* 2 per worker, <= MAX_SLOTS */
	pthread_mutex_t mu;       /* guards the fields below */
	pthread_cond_t ready;     /* a slot got its block: the writer may go on */
	pthread_cond_t freed;     /* a block was written: its slot is free */
	size_t next;              /* the next block a worker takes */
	size_t written;           /* blocks written so far */
	int stop;                 /* the writer gave up: workers take no more */
	struct {
		struct ws_csv_buf out;
		size_t done;      /* block + 1 of the text in out, 0 = none yet */
	} slot[MAX_SLOTS];
};

static void *pipeline_worker(void *arg)
{
	struct pipeline *pl = arg;

	pthread_mutex_lock(&pl->mu);
	while (!pl->stop && pl->next < pl->nblocks) {
		size_t b = pl->next++, r = b * BLOCK_ROWS, i = b % (size_t)pl->nslot;

		while (!pl->stop && b >= pl->written + (size_t)pl->nslot)
			pthread_cond_wait(&pl->freed, &pl->mu);
		if (pl->stop)
			break;
		pthread_mutex_unlock(&pl->mu);
		pl->slot[i].out.len = 0;
		format_rows(&pl->src, r, r + BLOCK_ROWS < pl->nrows ? r + BLOCK_ROWS : pl->nrows,
			    &pl->slot[i].out);
		pthread_mutex_lock(&pl->mu);
		pl->slot[i].done = b + 1;
		pthread_cond_signal(&pl->ready);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* Writes the blocks in order as the workers finish them; WS_OK, WS_ENOMEM or WS_EIO. */
static int pipeline_write(struct pipeline *pl, FILE *f)
{
	int rc = WS_OK;

	for (size_t w = 0; w < pl->nblocks && rc == WS_OK; w++) {
		struct ws_csv_buf *out = &pl->slot[w % (size_t)pl->nslot].out;

		pthread_mutex_lock(&pl->mu);
		while (pl->slot[w % (size_t)pl->nslot].done != w + 1)
			pthread_cond_wait(&pl->ready, &pl->mu);
		pthread_mutex_unlock(&pl->mu);
		if (out->oom)
			rc = WS_ENOMEM;
		else if (out->len && fwrite(out->buf, 1, out->len, f) != out->len)
			rc = WS_EIO;
		pthread_mutex_lock(&pl->mu);
		pl->written = w + 1;
		pthread_cond_broadcast(&pl->freed);
		pthread_mutex_unlock(&pl->mu);
	}
	pthread_mutex_lock(&pl->mu);
	pl->stop = 1;
	pthread_cond_broadcast(&pl->freed);
	pthread_mutex_unlock(&pl->mu);
	return rc;
}

/* Formats and writes the rows in this thread, one block at a time into out. */
static int write_rows_here(const struct tab_src *src, size_t nrows, struct ws_csv_buf *out,
			   FILE *f)
{
	for (size_t r = 0; r < nrows; r += BLOCK_ROWS) {
		out->len = 0;
		format_rows(src, r, r + BLOCK_ROWS < nrows ? r + BLOCK_ROWS : nrows, out);
		if (out->oom)
			return WS_ENOMEM;
		if (out->len && fwrite(out->buf, 1, out->len, f) != out->len)
			return WS_EIO;
	}
	return WS_OK;
}

/* Formats and writes the rows with nthreads workers, or here when
 * nthreads is 1 or no thread could start; WS_OK, WS_ENOMEM or WS_EIO. */
static int write_rows(const struct tab_src *src, size_t nrows, int nthreads, FILE *f)
{
	struct pipeline pl;
	pthread_t th[WS_MAX_THREADS];
	int started = 0, rc = WS_OK;

	memset(&pl, 0, sizeof(pl));
	pl.src = *src;
	pl.nrows = nrows;
	pl.nblocks = (nrows + BLOCK_ROWS - 1) / BLOCK_ROWS;
	pl.nslot = 2 * nthreads;
	if (nthreads < 2 || pthread_mutex_init(&pl.mu, NULL) != 0)
		goto sequential;
	if (pthread_cond_init(&pl.ready, NULL) != 0)
		goto out_destroy_mu;
	if (pthread_cond_init(&pl.freed, NULL) != 0)
		goto out_destroy_ready;
	while (started < nthreads && pthread_create(&th[started], NULL, pipeline_worker, &pl) == 0)
		started++;
	if (started)
		rc = pipeline_write(&pl, f);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_cond_destroy(&pl.freed);
out_destroy_ready:
	pthread_cond_destroy(&pl.ready);
out_destroy_mu:
	pthread_mutex_destroy(&pl.mu);
sequential:
	if (!started)
		rc = write_rows_here(src, nrows, &pl.slot[0].out, f);
	for (int i = 0; i < MAX_SLOTS; i++)
		free(pl.slot[i].out.buf);
	return rc;
}

/*
 * Writes the header and the rows. Tables of 4 blocks or more are formatted
 * on one worker per core (ws_engine_threads) while this thread writes the
 * finished blocks in order. Output is the same bytes whatever the number of
 * threads; memory stays two blocks per thread.
 */
int ws_report_csv_table(const struct ws_table *t, const struct ws_stats *st,
			const struct ws_report_opts *o, const char *which, FILE *f)
{
	struct tab_src src = {t, st, 0, o->excel, NULL};
	size_t nrows;
	int rc;

	while (src.k < WS_TAB_COUNT && strcmp(ws_tab_name(src.k), which) != 0)
		src.k++;
	if (src.k == WS_TAB_COUNT)
		return WS_EUSAGE;
	if (src.k == WS_TAB_SERIES && !(src.marks = ws_csv_marks_new(&t->dict)))
		return WS_ENOMEM;
	nrows = ws_tab_nrows(st, src.k);
	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < ws_tab_ncols(src.k); c++) {
		if (c)
			fputc(',', f);
		fputs(ws_tab_col(src.k, c), f);
	}
	fputc('\n', f);
	rc = write_rows(&src, nrows, nrows < 4 * BLOCK_ROWS ? 1 : ws_engine_threads(o->threads), f);
	free(src.marks);
	if (rc != WS_OK)
		return rc;
	return ferror(f) ? WS_EIO : WS_OK;
}

/* Writes the header and rows of d: series rows through the series row
 * formatter, the others (and the trend columns) cell by cell through tables.c. */
int ws_report_csv_dtab(const struct ws_report_review *rv, const struct ws_dtab *d, FILE *f)
{
	const struct ws_report_opts *o = rv->o;
	size_t ncols = ws_tab_ncols(d->tab), all = ncols + (d->trend ? WS_TREND_COLS : 0);
	struct ws_csv_buf l = {0};
	atomic_uchar *marks = NULL;

	if (d->tab == WS_TAB_SERIES && d->n && !(marks = ws_csv_marks_new(&rv->t->dict)))
		return WS_ENOMEM;
	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < all; c++) {
		if (c)
			fputc(',', f);
		fputs(c < ncols ? ws_tab_col(d->tab, c) : ws_report_trend_col(c - ncols), f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < d->n && !l.oom; r++) {
		size_t c = 0;

		l.len = 0;
		if (marks) {
			if (ws_csv_series_row(&rv->st->series, d->rows[r], &rv->t->dict, marks, o->excel,
					      &l) != WS_OK)
				break;
			l.len--; /* the row goes on when the trend columns follow */
			c = ncols;
		}
		for (; c < all; c++) {
			struct ws_cell cell;

			if (c < ncols)
				ws_tab_cell(rv->t, rv->st, d->tab, d->rows[r], c, &cell);
			else
				ws_report_trend_cell(rv, d->rows[r], c - ncols, &cell);
			if (c)
				put(&l, ",", 1);
			cell_field(&l, &cell, o->excel);
		}
		put(&l, "\n", 1);
		if (!l.oom)
			fwrite(l.buf, 1, l.len, f);
	}
	free(marks);
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

/* ---- the review computed and written in one pass ---------------------------- */

/*
 * The series table streamed from ws_stats_compute_blocks: each computing
 * thread formats its block into its own buffer (slot); after each round the
 * buffers go, in slot order, to a writer thread, which writes them while the
 * next round is computed into the other set of buffers. So two sets of one
 * block per thread are all the series text ever held, and the writing
 * overlaps the statistics. With one thread, or a small table, the rounds are
 * written on the calling thread instead.
 */
struct stream {
	const struct ws_dict *d;
	atomic_uchar *marks;
	int excel;
	FILE *f;
	struct ws_csv_buf buf[2][WS_MAX_THREADS]; /* [set][slot] */
	int cur;             /* the set the computing threads fill */
	int threaded;        /* a writer thread runs */
	pthread_t th;
	pthread_mutex_t mu;  /* guards the fields below */
	pthread_cond_t cv;   /* pending or quit changed */
	int pending;         /* slots of set `wset` waiting to be written, 0 = none */
	int wset;
	int quit;
	int rc;              /* the first write failure: WS_ENOMEM or WS_EIO */
	int err_no;          /* errno of a failed write */
	size_t rows[2][WS_MAX_THREADS]; /* series in each buffer */
	size_t total, queued; /* series in all, and handed to the writer so far */
	int wlast;           /* the set being written is the last: sync after it */
	/* a regular file is written with pwrite from an aligned staging buffer,
	 * direct to the disk (O_DIRECT) when the file system takes it */
	int staged;          /* the rows go through stage, not through f */
	int direct;          /* fd is in O_DIRECT mode */
	int fd;
	char *stage;         /* STAGE_CAP bytes, aligned to STAGE_ALIGN */
	size_t stage_len;
	off_t off;           /* file offset of stage[0] */
};

/*
 * Writing 350 MB through the page cache costs more CPU than formatting it on
 * a small machine (measured: 0.67 s of system time for 350 MB with dd, 0.18 s
 * with O_DIRECT), and that CPU is taken from the statistics. So a regular
 * output file gets the series rows in aligned pieces of whole 4 KiB blocks
 * with O_DIRECT; the last partial block is written without it. A file system
 * that refuses O_DIRECT (tmpfs) gets the same pieces through the page cache.
 */
#define STAGE_ALIGN 4096
#define STAGE_CAP ((size_t)8 << 20)
#define STAGE_FLUSH ((size_t)4 << 20)

/* pwrite of all n bytes at off; 0 or an errno. */
static int pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno ? errno : EIO;
		}
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Leaves O_DIRECT for the page cache (the file system refused an aligned
 * direct write, or the last partial block is next). */
static void stage_undirect(struct stream *x)
{
#ifdef O_DIRECT
	int fl = fcntl(x->fd, F_GETFL);

	if (fl >= 0)
		(void)fcntl(x->fd, F_SETFL, fl & ~O_DIRECT);
#endif
	x->direct = 0;
}

/* Writes the whole 4 KiB blocks of the stage (all of it when last) and keeps
 * the rest at its start; WS_OK or WS_EIO (x->err_no set). */
static int stage_flush(struct stream *x, int last)
{
	size_t w = last ? x->stage_len : x->stage_len & ~(size_t)(STAGE_ALIGN - 1);
	size_t whole = x->stage_len & ~(size_t)(STAGE_ALIGN - 1);
	int e = 0;

	if (w == 0)
		return WS_OK;
	if (x->direct && whole) {
		e = pwrite_all(x->fd, x->stage, whole, x->off);
		if (e == EINVAL) { /* the file system takes no direct writes: the page cache */
			stage_undirect(x);
			e = pwrite_all(x->fd, x->stage, whole, x->off);
		}
	} else if (whole) {
		e = pwrite_all(x->fd, x->stage, whole, x->off);
	}
	if (!e && last && x->stage_len > whole) { /* the last partial block */
		if (x->direct)
			stage_undirect(x);
		e = pwrite_all(x->fd, x->stage + whole, x->stage_len - whole, x->off + (off_t)whole);
	}
	if (e) {
		x->err_no = e;
		return WS_EIO;
	}
	x->off += (off_t)w;
	memmove(x->stage, x->stage + w, x->stage_len - w);
	x->stage_len -= w;
	return WS_OK;
}

/* Appends n bytes to the stage, writing whole blocks out as it fills. */
static int stage_put(struct stream *x, const char *p, size_t n)
{
	while (n) {
		size_t k = STAGE_CAP - x->stage_len < n ? STAGE_CAP - x->stage_len : n;

		memcpy(x->stage + x->stage_len, p, k);
		x->stage_len += k;
		p += k;
		n -= k;
		if (x->stage_len >= STAGE_FLUSH && stage_flush(x, 0) != WS_OK)
			return WS_EIO;
	}
	return WS_OK;
}

/* Sets up the staged writing of a regular file f (nothing written to it yet). */
static void stage_open(struct stream *x, FILE *f)
{
	struct stat sb;
	void *p;

	x->fd = fileno(f);
	if (x->fd < 0 || fstat(x->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    posix_memalign(&p, STAGE_ALIGN, STAGE_CAP) != 0)
		return;
	x->stage = p;
	x->staged = 1;
#ifdef O_DIRECT
	{
		int fl = fcntl(x->fd, F_GETFL);

		x->direct = fl >= 0 && fcntl(x->fd, F_SETFL, fl | O_DIRECT) == 0;
	}
#endif
}

static int stream_block(void *ctx, int slot, const struct ws_series_stats *blk, size_t first)
{
	struct stream *x = ctx;
	struct ws_csv_buf *out = &x->buf[x->cur][slot];

	(void)first;
	out->len = 0;
	x->rows[x->cur][slot] = blk->n;
	for (size_t i = 0; i < blk->n; i++)
		if (ws_csv_series_row(blk, i, x->d, x->marks, x->excel, out) != WS_OK)
			return WS_ENOMEM;
	return WS_OK;
}

/* Writes slots 0..n-1 of set k; WS_OK or WS_EIO (x->err_no set). */
static int stream_write(struct stream *x, int k, int n)
{
	for (int i = 0; i < n; i++) {
		const struct ws_csv_buf *b = &x->buf[k][i];

		if (x->staged) {
			if (stage_put(x, b->buf, b->len) != WS_OK)
				return WS_EIO;
			continue;
		}
		if (b->len && fwrite(b->buf, 1, b->len, x->f) != b->len) {
			x->err_no = errno ? errno : EIO;
			return WS_EIO;
		}
	}
	return WS_OK;
}

static void *stream_writer(void *arg)
{
	struct stream *x = arg;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		int k, n, rc, last;

		while (!x->pending && !x->quit)
			pthread_cond_wait(&x->cv, &x->mu);
		if (!x->pending)
			break;
		k = x->wset;
		n = x->pending;
		last = x->wlast;
		pthread_mutex_unlock(&x->mu);
		rc = x->rc == WS_OK ? stream_write(x, k, n) : WS_OK;
		/* the whole table is written: flush it to the disk now, while the
		 * caller rolls up, so that the commit's fsync finds nothing left */
		if (rc == WS_OK && last && x->staged)
			rc = stage_flush(x, 1);
		if (rc == WS_OK && last && fflush(x->f) == 0)
			(void)fdatasync(fileno(x->f));
		pthread_mutex_lock(&x->mu);
		if (rc != WS_OK && x->rc == WS_OK)
			x->rc = rc;
		x->pending = 0;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* After a round: hands the set just filled to the writer once it has written
 * the one before, and lets the next round fill the other set. */
static int stream_round(void *ctx, int nslots)
{
	struct stream *x = ctx;
	int rc;

	if (!x->threaded) {
		if (x->rc == WS_OK)
			x->rc = stream_write(x, x->cur, nslots);
		return x->rc;
	}
	pthread_mutex_lock(&x->mu);
	while (x->pending)
		pthread_cond_wait(&x->cv, &x->mu);
	rc = x->rc;
	if (rc == WS_OK) {
		for (int i = 0; i < nslots; i++)
			x->queued += x->rows[x->cur][i];
		x->wset = x->cur;
		x->pending = nslots;
		x->wlast = x->queued == x->total;
		pthread_cond_broadcast(&x->cv);
	}
	pthread_mutex_unlock(&x->mu);
	x->cur ^= 1;
	return rc;
}

/* Monotonic seconds, for the time the statistics took. */
static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the series table is computed from, when it is computed as it is written. */
struct live {
	const struct ws_index *ix;
	const struct ws_stats_opts *so;
	struct ws_stats *st;
	double *t_stats;
};

/* Computes the statistics and writes the series table to f as they come. */
static int stream_series(const struct ws_table *t, const struct live *lv,
			 const struct ws_report_opts *o, FILE *f, const char *name,
			 struct ws_err *err)
{
	struct stream x;
	struct ws_stats_sink sink = {.block = stream_block, .round = stream_round, .ctx = &x};
	double t0 = seconds();
	int rc;

	memset(&x, 0, sizeof(x));
	x.d = &t->dict;
	x.excel = o->excel;
	x.f = f;
	x.total = lv->ix->nseries;
	if (!(x.marks = ws_csv_marks_new(&t->dict)))
		return ws_err_set(err, WS_ENOMEM, "out of memory");
	/* the header: the first bytes of the file, through the stage when staged */
	if (lv->ix->nseries >= 4 * BLOCK_ROWS)
		stage_open(&x, f);
	{
		struct ws_csv_buf h = {0};

		if (o->excel)
			put(&h, "\xEF\xBB\xBF", 3);
		for (size_t c = 0; c < ws_tab_ncols(WS_TAB_SERIES); c++) {
			if (c)
				put(&h, ",", 1);
			put(&h, ws_tab_col(WS_TAB_SERIES, c), strlen(ws_tab_col(WS_TAB_SERIES, c)));
		}
		put(&h, "\n", 1);
		if (h.oom)
			x.rc = WS_ENOMEM;
		else if (x.staged)
			x.rc = stage_put(&x, h.buf, h.len);
		else if (fwrite(h.buf, 1, h.len, f) != h.len)
			x.rc = WS_EIO, x.err_no = errno ? errno : EIO;
		free(h.buf);
	}
	/* a writer thread when there is more than a few blocks and more than one core */
	if (lv->ix->nseries >= 4 * BLOCK_ROWS && ws_engine_threads(o->threads) > 1 &&
	    pthread_mutex_init(&x.mu, NULL) == 0) {
		if (pthread_cond_init(&x.cv, NULL) == 0) {
			if (pthread_create(&x.th, NULL, stream_writer, &x) == 0)
				x.threaded = 1;
			else
				pthread_cond_destroy(&x.cv);
		}
		if (!x.threaded)
			pthread_mutex_destroy(&x.mu);
	}
	sink.block_series = BLOCK_ROWS;
	rc = x.rc == WS_OK ? ws_stats_compute_blocks(t, lv->ix, lv->so, &sink, lv->st, err)
			   : x.rc;
	if (x.threaded) {
		pthread_mutex_lock(&x.mu);
		x.quit = 1;
		pthread_cond_broadcast(&x.cv);
		pthread_mutex_unlock(&x.mu);
		pthread_join(x.th, NULL);
		pthread_cond_destroy(&x.cv);
		pthread_mutex_destroy(&x.mu);
	}
	if (x.rc == WS_OK && rc == WS_OK && x.staged && !x.threaded)
		x.rc = stage_flush(&x, 1); /* (the writer thread flushed it when there was one) */
	if (x.rc == WS_OK && (fflush(f) != 0 || ferror(f))) {
		x.rc = WS_EIO;
		x.err_no = errno ? errno : EIO;
	}
	if (x.rc != WS_OK) /* a write failed: that is the error, not the statistics' */
		rc = ws_err_set(err, x.rc, "%s: writing failed: %s", name,
				x.rc == WS_ENOMEM ? "out of memory" : strerror(x.err_no));
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < WS_MAX_THREADS; i++)
			free(x.buf[k][i].buf);
	free(x.marks);
	free(x.stage);
	if (lv->t_stats)
		*lv->t_stats = seconds() - t0;
	return rc;
}

/*
 * Writes the review's tables into dir (NULL: the series table to stdout).
 * With lv, the statistics are computed here, as the series table is written,
 * into lv->st; else st holds them.
 */
static int csv_dir(const struct ws_table *t, const struct ws_stats *st, const struct live *lv,
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
		FILE *f;

		if (!dir && k != WS_TAB_SERIES)
			continue;
		if (dir && snprintf(path, sizeof(path), "%s/%s.csv", dir, ws_tab_name(k)) >=
				   (int)sizeof(path)) {
			rc = ws_err_set(err, WS_EIO, "%s: path too long", dir);
			break;
		}
		if ((rc = ws_report_open(&out[nout], dir ? path : NULL, err)) != WS_OK)
			break;
		f = out[nout++].f;
		if (k == WS_TAB_SERIES && lv) {
			rc = stream_series(t, lv, o, f, dir ? path : "stdout", err);
			st = lv->st;
		} else if (ws_report_csv_table(t, st, o, ws_tab_name(k), f) != WS_OK ||
			   fflush(f) != 0) {
			rc = ws_err_set(err, WS_EIO, "%s: writing failed: %s", dir ? path : "stdout",
					strerror(errno ? errno : EIO));
		}
	}
	for (int i = 0; i < nout; i++) {
		if (rc == WS_OK)
			rc = ws_report_commit(&out[i], err);
		else
			ws_report_abort(&out[i]);
	}
	return rc;
}

int ws_report_csv_dir(const struct ws_table *t, const struct ws_stats *st,
		      const struct ws_report_opts *o, const char *dir, struct ws_err *err)
{
	return csv_dir(t, st, NULL, o, dir, err);
}

int ws_report_csv_review(const struct ws_table *t, const struct ws_index *ix,
			 const struct ws_stats_opts *so, const struct ws_report_opts *o,
			 const char *dir, struct ws_stats *st, double *t_stats, struct ws_err *err)
{
	struct live lv = {ix, so, st, t_stats};

	memset(st, 0, sizeof(*st));
	if (o->division || o->view != WS_VIEW_REVIEW || o->format != WS_FMT_CSV)
		return ws_err_set(err, WS_EUSAGE, "the one-pass review is the whole CSV review");
	return csv_dir(t, NULL, &lv, o, dir, err);
}
