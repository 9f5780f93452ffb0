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
 * whatever the number of threads. The review can also be computed and
 * written in one pass, series.csv as the statistics come (csv_stream.c).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* "00".."99": two digits at a time. */
static const char pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* An integer where negative means missing, and a comma. Years (four digits)
 * and small counts, most of the integers written, take no loop. */
static char *cell_int(char *p, int32_t v)
{
	char tmp[10];
	int n = 10;
	uint32_t u = (uint32_t)v;

	if (v >= 0 && v < 10) {
		*p++ = (char)('0' + v);
	} else if (v >= 1000 && v < 10000) {
		memcpy(p, pairs + u / 100 * 2, 2);
		memcpy(p + 2, pairs + u % 100 * 2, 2);
		p += 4;
	} else if (v >= 0) {
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

/* Room for a row of at most need bytes at the end of out: where it starts,
 * or NULL when out of memory (out->oom set). */
static char *row_begin(struct ws_csv_buf *out, size_t need)
{
	return room(out, need) == WS_OK ? out->buf + out->len : NULL;
}

/* Ends the row whose last cell (and its comma) ends before p: the comma
 * becomes the newline. */
static void row_end(struct ws_csv_buf *out, char *p)
{
	p[-1] = '\n';
	out->len = (size_t)(p - out->buf);
}

/* Bytes of a series row beyond its strings: 35 fields of at most 32 bytes
 * and their separators. */
#define SERIES_ROW_FIXED (35 * 33)

atomic_uchar *ws_csv_marks_new(const struct ws_dict *d)
{
	/* all-zero bytes: every mark unknown (lock-free atomic bytes have no other state) */
	return calloc(d->n ? d->n : 1, sizeof(atomic_uchar));
}

size_t ws_csv_ncols(int k, const struct ws_report_opts *o)
{
	return k == WS_TAB_SERIES && o->core ? WS_SERIES_CORE_COLS : ws_tab_ncols(k);
}

int ws_csv_series_row(const struct ws_series_stats *s, size_t i, const struct ws_dict *d,
		      atomic_uchar *marks, int excel, int core, struct ws_csv_buf *out)
{
	const uint32_t code[5] = {s->ward[i], s->division[i], s->objective[i], s->indicator[i],
				  s->unit[i]};
	const char *band = core ? "" : ws_stats_band_name(s->band[i]);
	const char *reason = core ? "" : s->text + s->reason[i];
	size_t nband = strlen(band), nreason = strlen(reason);
	size_t need = SERIES_ROW_FIXED + 2 * (nband + nreason) + 8;
	char *p;

	for (int c = 0; c < 5; c++)
		need += 2 * (size_t)d->len[code[c]] + 4;
	if (!(p = row_begin(out, need)))
		return WS_ENOMEM;
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
	if (core) /* the columns of FORMATS.md §2 end here */
		goto end;
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
end:
	row_end(out, p);
	return WS_OK;
}

/* A static string (a verdict's name) and a comma, quoted as field() would. */
static char *cell_static(char *p, const char *s, int excel)
{
	size_t n = strlen(s);

	return cell_str(p, s, n, quote_mark(s, n), excel);
}

/* Row i of the divisions table, the cells of ws_tab_cell as field() writes them. */
static int division_row(const struct ws_division_stats *v, size_t i, const struct ws_dict *d,
			atomic_uchar *marks, int excel, struct ws_csv_buf *out)
{
	char *p = row_begin(out, 10 * 33 + 8 +
				2 * ((size_t)d->len[v->ward[i]] + d->len[v->division[i]]));

	if (!p)
		return WS_ENOMEM;
	p = cell_code(p, d, marks, v->ward[i], excel);
	p = cell_code(p, d, marks, v->division[i], excel);
	p = cell_int(p, v->indicators[i]);
	p = cell_int(p, v->reviewed[i]);
	p = cell_int(p, v->met[i]);
	p = cell_num(p, v->met_share[i]);
	p = cell_num(p, v->mean_achievement[i]);
	p = cell_int(p, v->persistent[i]);
	p = cell_int(p, v->rank[i]);
	p = cell_num(p, v->completeness[i]);
	row_end(out, p);
	return WS_OK;
}

/* Row i of the objectives table, likewise. */
static int objective_row(const struct ws_objective_stats *v, size_t i, const struct ws_dict *d,
			 atomic_uchar *marks, int excel, struct ws_csv_buf *out)
{
	char *p = row_begin(out, 9 * 33 + 2 * 2 * 32 + 8 +
				2 * ((size_t)d->len[v->ward[i]] + d->len[v->division[i]] +
				     d->len[v->objective[i]]));

	if (!p)
		return WS_ENOMEM;
	p = cell_code(p, d, marks, v->ward[i], excel);
	p = cell_code(p, d, marks, v->division[i], excel);
	p = cell_code(p, d, marks, v->objective[i], excel);
	p = cell_int(p, v->indicators[i]);
	p = cell_int(p, v->reviewed[i]);
	p = cell_int(p, v->met[i]);
	p = cell_static(p, ws_eval_name(v->status[i]), excel); /* a name of at most 31 bytes */
	p = cell_static(p, ws_eval_name(v->recorded[i]), excel);
	p = cell_bool(p, v->agrees[i]);
	row_end(out, p);
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
	int core;            /* the series table: only the columns of FORMATS.md §2 */
	atomic_uchar *marks; /* series, divisions, objectives: quoting marks of t->dict */
};

/* Appends rows [b, e) of the table to out. */
static void format_rows(const struct tab_src *src, size_t b, size_t e, struct ws_csv_buf *out)
{
	size_t ncols = ws_tab_ncols(src->k);

	for (size_t r = b; r < e && !out->oom; r++) {
		if (src->k == WS_TAB_SERIES) {
			ws_csv_series_row(&src->st->series, r, &src->t->dict, src->marks, src->excel,
					  src->core, out);
			continue;
		}
		if (src->k == WS_TAB_DIVISIONS) {
			division_row(&src->st->divisions, r, &src->t->dict, src->marks, src->excel, out);
			continue;
		}
		if (src->k == WS_TAB_OBJECTIVES) {
			objective_row(&src->st->objectives, r, &src->t->dict, src->marks, src->excel,
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

#define BLOCK_ROWS WS_CSV_BLOCK_ROWS
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
	struct tab_src src = {t, st, 0, o->excel, o->core, NULL};
	size_t nrows;
	int rc;

	while (src.k < WS_TAB_COUNT && strcmp(ws_tab_name(src.k), which) != 0)
		src.k++;
	if (src.k == WS_TAB_COUNT)
		return WS_EUSAGE;
	if (src.k != WS_TAB_WARD && !(src.marks = ws_csv_marks_new(&t->dict)))
		return WS_ENOMEM;
	nrows = ws_tab_nrows(st, src.k);
	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < ws_csv_ncols(src.k, o); c++) {
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
	int core = o->core && !d->trend; /* a trend table needs the trend columns */
	size_t ncols = core ? ws_csv_ncols(d->tab, o) : ws_tab_ncols(d->tab);
	size_t all = ncols + (d->trend ? WS_TREND_COLS : 0);
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
					      core, &l) != WS_OK)
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

/*
 * Writes the review's tables into dir (NULL: the series table to stdout).
 * With lv, the statistics are computed here, as the series table is written,
 * into lv->st; else st holds them.
 */
static int csv_dir(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_csv_live *lv, const struct ws_report_opts *o, const char *dir,
		   struct ws_err *err)
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
			rc = ws_report_csv_stream(t, lv, o, f, dir ? path : "stdout", err);
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
	struct ws_csv_live lv = {ix, so, st, t_stats};

	memset(st, 0, sizeof(*st));
	if (o->division || o->view != WS_VIEW_REVIEW || o->format != WS_FMT_CSV)
		return ws_err_set(err, WS_EUSAGE, "the one-pass review is the whole CSV review");
	return csv_dir(t, NULL, &lv, o, dir, err);
}
