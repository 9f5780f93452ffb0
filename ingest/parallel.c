/*
 * parallel.c: parsing the rows of one large file with several threads.
 *
 * Design note. The rows after the header are cut into one chunk per thread.
 * A cut is placed at a line end with an even number of quotes before it (in
 * well-formed CSV, outside any quoted field). Chunk 0 is read on the calling
 * thread straight into the result table; every other chunk is read by a
 * thread of its own into a private table with its own dictionary, counting
 * lines from 1. When all are done, each scanner must have ended exactly at
 * its cut (r->clean): that confirms the cut was a record boundary as the
 * sequential scanner sees it. Then the private tables are appended in order,
 * their string codes remapped through the main dictionary and their line
 * numbers shifted by the lines of the chunks before them, so the result is
 * the one the sequential reader gives, row for row and reject for reject.
 * If a cut is not confirmed (stray quotes in malformed input), everything
 * done here is rolled back and the caller reads the file sequentially.
 */
#include "ingest_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#define MIN_CHUNK (4u << 20) /* below this, a thread costs more than it saves */
#define MAX_THREADS WS_MAX_THREADS

struct worker {
	struct reader r;           /* its own scanner state and field buffers */
	struct ws_table t;         /* private table (chunks 1..n-1) */
	struct ws_ingest_log log;  /* private log */
	struct ws_err err;
	const char *s;             /* the chunk */
	size_t len;
	int final;                 /* the last chunk takes an unterminated record */
	int rc;
	pthread_t th;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct csv_parser p;
	size_t used;

	if (ws_reader_parser(&p, w->r.delim)) {
		w->rc = ws_err_set(&w->err, WS_ENOMEM, "out of memory");
		return NULL;
	}
	w->rc = ws_reader_scan(&w->r, &p, w->s, w->len, w->r.delim, w->final, &used);
	csv_free(&p);
	return NULL;
}

/* Cuts after the first line end at or past `at` with even quote parity. */
static size_t cut(const char *s, size_t len, size_t from, size_t at, int *parity)
{
	size_t i = from;

	/* quotes between the previous cut and `at` */
	while (i < at) {
		const char *q = memchr(s + i, '"', at - i);

		if (!q)
			break;
		*parity ^= 1;
		i = (size_t)(q - s) + 1;
	}
	for (i = at; i < len; i++) {
		if (s[i] == '"')
			*parity ^= 1;
		else if (s[i] == '\n' && !*parity)
			return i + 1;
	}
	return len;
}

/*
 * One column of a worker's rows going after the main table's: the main
 * column is grown first (grow_column, on the caller's thread), then the rows
 * are copied, shifted by `add` when it is not 0 (set codes, line numbers;
 * 32-bit columns only), and the worker's column freed. Columns are copied on
 * two threads: the copy and the page faults of the main columns' new pages
 * are most of joining ten million rows.
 */
struct move {
	char *dst;   /* the main column, grown */
	void **src;  /* the worker's column; freed and set to NULL */
	size_t n, size;
	uint32_t add;
};

static int grow_column(void *dst, size_t rows, size_t size)
{
	void **d = dst;
	char *p = realloc(*d, (rows ? rows : 1) * size);

	if (!p)
		return WS_ENOMEM;
	*d = p;
	return WS_OK;
}

static void copy_columns(struct move *m, size_t k)
{
	for (size_t j = 0; j < k; j++) {
		if (m[j].add) {
			uint32_t *d = (uint32_t *)(void *)m[j].dst;
			const uint32_t *sp = *m[j].src;

			for (size_t i = 0; i < m[j].n; i++)
				d[i] = sp[i] + m[j].add;
		} else if (m[j].n) {
			memcpy(m[j].dst, *m[j].src, m[j].n * m[j].size);
		}
		free(*m[j].src);
		*m[j].src = NULL;
	}
}

struct copier {
	struct move *m;
	size_t k;
};

static void *copier(void *arg)
{
	struct copier *c = arg;

	copy_columns(c->m, c->k);
	return NULL;
}

/* Appends worker w's table and log to r's, shifting lines by line_off. */
static int append(struct reader *r, struct worker *w, uint32_t line_off)
{
	struct ws_table *t = r->t;
	struct ws_table *u = &w->t;
	uint32_t *map = malloc((size_t)u->dict.n * sizeof(*map));
	size_t base = t->n, n = u->n;
	uint32_t first;
	int rc = WS_ENOMEM;

	if (!map)
		goto out;
	for (uint32_t c = 0; c < u->dict.n; c++)
		if (ws_dict_intern(&t->dict, ws_dict_str(&u->dict, c), u->dict.len[c], &map[c]))
			goto out;
	/* attribute sets: appended as they are, not looked up (a series that
	 * spans the cut has its set twice, which the index takes as one) */
	if (ws_table_append_sets(t, u, map, &first))
		goto out;
	if (u->note)
		for (size_t i = 0; i < n; i++)
			u->note[i] = map[u->note[i]];
	/* the note column exists in both or neither (all zero where it was absent) */
	if (u->note && !t->note && !(t->note = calloc(base ? base : 1, sizeof(*t->note))))
		goto out;
	if (t->note && !u->note && !(u->note = calloc(n ? n : 1, sizeof(*u->note))))
		goto out;
	/* the main columns grown to hold both (rows beyond t->n were unused
	 * capacity); on failure the caller fails the read, nothing was copied */
	if (grow_column(&t->attr, base + n, 4) || grow_column(&t->year, base + n, 2) ||
	    grow_column(&t->target, base + n, 8) || grow_column(&t->actual, base + n, 8) ||
	    grow_column(&t->evaluation, base + n, 1) || grow_column(&t->line, base + n, 4) ||
	    (t->note && grow_column(&t->note, base + n, 4)))
		goto out;
	{
		/* the doubles on a thread of their own, the rest here */
		struct move mv[] = {
			{(char *)t->target + base * 8, (void **)&u->target, n, 8, 0},
			{(char *)t->actual + base * 8, (void **)&u->actual, n, 8, 0},
			{(char *)t->attr + base * 4, (void **)&u->attr, n, 4, first},
			{(char *)t->year + base * 2, (void **)&u->year, n, 2, 0},
			{(char *)t->evaluation + base, (void **)&u->evaluation, n, 1, 0},
			{(char *)t->line + base * 4, (void **)&u->line, n, 4, line_off},
			{t->note ? (char *)t->note + base * 4 : NULL, (void **)&u->note, n, 4, 0},
		};
		size_t nmv = t->note ? 7 : 6;
		struct copier c = {mv, 2};
		pthread_t th;

		if (pthread_create(&th, NULL, copier, &c) == 0) {
			copy_columns(mv + 2, nmv - 2);
			pthread_join(th, NULL);
		} else {
			copy_columns(mv, nmv);
		}
	}
	t->n = t->cap = base + n;
	u->n = u->cap = 0;
	/* file runs, shifted by base, a run of the same file joined to the last */
	for (size_t k = 0; k < u->nruns; k++) {
		uint32_t f = map[u->run_file[k]];

		if (t->nruns && t->run_file[t->nruns - 1] == f)
			continue;
		if (t->nruns == t->run_cap) {
			size_t cap = t->run_cap ? t->run_cap * 2 : 16;
			size_t *rs = realloc(t->run_start, cap * sizeof(*rs));
			uint32_t *rf;

			if (!rs)
				goto out;
			t->run_start = rs;
			if (!(rf = realloc(t->run_file, cap * sizeof(*rf))))
				goto out;
			t->run_file = rf;
			t->run_cap = cap;
		}
		t->run_start[t->nruns] = base + u->run_start[k];
		t->run_file[t->nruns++] = f;
	}
	for (size_t i = 0; i < w->log.n; i++) {
		const struct ws_log_entry *e = &w->log.e[i];

		if (ws_log_add(r->log, e->kind, map[e->file], e->line + line_off, e->column,
			       w->log.text + e->text, e->text_len, "%s", w->log.text + e->reason))
			goto out;
	}
	r->log->rows_read += w->log.rows_read;
	r->log->rows_used += w->log.rows_used;
	r->log->rows_rejected += w->log.rows_rejected;
	r->log->blank_rows += w->log.blank_rows;
	r->log->s_scan += w->log.s_scan;
	r->log->s_split += w->log.s_split;
	r->log->s_take += w->log.s_take;
	if (w->r.newest > r->newest)
		r->newest = w->r.newest;
	rc = WS_OK;
out:
	free(map);
	return rc;
}

int ws_ingest_parallel(struct reader *r, const char *s, size_t len, char delim, int *done)
{
	struct worker w[MAX_THREADS];
	size_t start[MAX_THREADS + 1];
	int n = ws_engine_threads(r->o->threads), parity = 0, rc = WS_OK, started = 0, ok = 1;
	struct ws_ingest_log saved = *r->log;
	size_t saved_rows = r->t->n;
	uint32_t line0 = r->line;
	int32_t newest0 = r->newest;

	*done = 0;
	r->delim = delim;
	if (n > 1 && len / (size_t)n < MIN_CHUNK)
		n = (int)(len / MIN_CHUNK);
	if (n < 2)
		return WS_OK;
	start[0] = 0;
	for (int k = 1; k < n; k++)
		start[k] = cut(s, len, start[k - 1], len / (size_t)n * (size_t)k, &parity);
	start[n] = len;
	memset(w, 0, sizeof(w));
	for (int k = 1; k < n; k++) {
		struct worker *x = &w[k];

		x->r = *r;
		x->r.t = &x->t;
		x->r.log = &x->log;
		x->r.err = &x->err;
		x->r.fb = NULL;
		x->r.fbase = NULL;
		x->r.foff = x->r.flen = NULL;
		x->r.fb_len = x->r.fb_cap = x->r.nf = x->r.fcap = 0;
		memset(x->r.last, 0, sizeof(x->r.last));
		x->r.prev_ok = 0; /* its codes are the main dictionary's */
		x->r.line = 1;
		x->r.nrec = 0; /* its own timing of one record in 64 */
		x->r.mark = 0;
		x->r.newest = INT32_MIN;
		x->r.next_report = SIZE_MAX; /* only chunk 0 reports progress */
		x->s = s + start[k];
		x->len = start[k + 1] - start[k];
		x->final = k == n - 1;
		if (ws_table_init(&x->t) ||
		    ws_dict_intern(&x->t.dict, r->path, strlen(r->path), &x->r.fcode) ||
		    ws_dict_intern(&x->t.dict, ws_dict_str(&r->t->dict, r->ward_default),
				   r->t->dict.len[r->ward_default], &x->r.ward_default)) {
			rc = ws_err_set(r->err, WS_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (started = 1; started < n; started++)
		if (pthread_create(&w[started].th, NULL, work, &w[started]) != 0)
			break;
	if (started < n) /* no more threads: finish with what started */
		ok = 0;
	w[0].r = *r;
	w[0].r.progress_scale = (double)len / (double)(start[1] ? start[1] : 1);
	w[0].s = s;
	w[0].len = start[1];
	w[0].final = 0;
	work(&w[0]);
	*r = w[0].r; /* chunk 0 wrote into r's table, log and buffers */
	rc = w[0].rc;
	ok = ok && r->clean;
	for (int k = 1; k < started; k++) {
		pthread_join(w[k].th, NULL);
		if (w[k].r.restart) /* not UTF-8 after all: the caller reads it again */
			r->restart = 1;
		if (w[k].rc != WS_OK && rc == WS_OK) {
			rc = w[k].rc;
			*r->err = w[k].err;
		}
		ok = ok && (k == n - 1 || w[k].r.clean);
	}
	if (r->restart) {
		rc = WS_EPARSE;
		goto out;
	}
	if (rc != WS_OK)
		goto out;
	if (!ok) { /* roll back: the caller reads sequentially */
		ws_log_rollback(r->log, &saved, r->t, saved_rows);
		r->line = line0;
		r->newest = newest0;
		goto out;
	}
	for (int k = 1; k < n; k++) {
		if ((rc = append(r, &w[k], r->line - 1)) != WS_OK) {
			ws_err_set(r->err, rc, "out of memory");
			goto out;
		}
		r->line += w[k].r.line - 1;
	}
	*done = 1;
out:
	for (int k = 1; k < n; k++) {
		ws_table_fini(&w[k].t);
		ws_ingest_log_fini(&w[k].log);
		free(w[k].r.fb);
		free(w[k].r.foff);
		free(w[k].r.flen);
	}
	return rc;
}
