/*
 * engine.c: status text, the string dictionary, the column table and the
 * series index.
 *
 * Design note. Rows arrive in file order; strings are interned once into one
 * arena (ws_dict) and rows carry 32-bit codes. The series index never compares
 * strings per row: a small open-addressing table maps each (ward, division,
 * indicator) code triple to a dense series number, the series numbers are
 * sorted once by the bytewise rank of their strings, and the rows are then
 * placed with a counting sort (one pass to count, one to place). Within a
 * series, years are put in order by insertion sort, which is linear for the
 * common case of rows already in year order.
 */
#include "ws_engine.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ws_err_set(struct ws_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *ws_strerror(int code)
{
	switch (code) {
	case WS_OK: return "success";
	case WS_ENOMEM: return "out of memory";
	case WS_EIO: return "input/output error";
	case WS_EPARSE: return "malformed input";
	case WS_EVALUE: return "invalid value";
	case WS_ESCHEMA: return "invalid table layout";
	case WS_EUSAGE: return "invalid usage";
	}
	return "unknown error";
}

const char *ws_eval_name(int eval)
{
	switch (eval) {
	case WS_EVAL_MET: return "達成";
	case WS_EVAL_PARTIAL: return "一部未達成";
	case WS_EVAL_MISSED: return "未達成";
	}
	return "";
}

int ws_engine_threads(int requested)
{
	long n = requested > 0 ? requested : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > WS_MAX_THREADS ? WS_MAX_THREADS : (int)n;
}

/* ---- dictionary ---------------------------------------------------------- */

/* FNV-1a over the bytes: simple, and good enough for names and labels. */
static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int ws_dict_init(struct ws_dict *d)
{
	uint32_t code;

	memset(d, 0, sizeof(*d));
	return ws_dict_intern(d, "", 0, &code);
}

void ws_dict_fini(struct ws_dict *d)
{
	if (d->frozen) { /* the strings belong to a mapping */
		memset(d, 0, sizeof(*d));
		return;
	}
	free(d->arena);
	free(d->off);
	free(d->len);
	free(d->slot);
	memset(d, 0, sizeof(*d));
}

static int dict_rehash(struct ws_dict *d, uint32_t nslot)
{
	uint32_t *slot = calloc(nslot, sizeof(*slot));

	if (!slot)
		return WS_ENOMEM;
	for (uint32_t c = 0; c < d->n; c++) {
		uint32_t h = hash_bytes(d->arena + d->off[c], d->len[c]) & (nslot - 1);

		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = c + 1;
	}
	free(d->slot);
	d->slot = slot;
	d->nslot = nslot;
	return WS_OK;
}

int ws_dict_intern(struct ws_dict *d, const char *s, size_t len, uint32_t *code)
{
	uint32_t h, c;

	if (len > UINT32_MAX - 1)
		return WS_EVALUE;
	if (d->frozen)
		return WS_EUSAGE;
	if (d->nslot == 0 && dict_rehash(d, 64) != WS_OK)
		return WS_ENOMEM;
	h = hash_bytes(s, len) & (d->nslot - 1);
	while ((c = d->slot[h]) != 0) {
		c--;
		if (d->len[c] == len && memcmp(d->arena + d->off[c], s, len) == 0) {
			*code = c;
			return WS_OK;
		}
		h = (h + 1) & (d->nslot - 1);
	}
	if (d->n == UINT32_MAX - 1)
		return WS_ENOMEM;
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? d->cap * 2 : 64;
		uint64_t *off = realloc(d->off, cap * sizeof(*off));

		if (!off)
			return WS_ENOMEM;
		d->off = off;
		uint32_t *l = realloc(d->len, cap * sizeof(*l));
		if (!l)
			return WS_ENOMEM;
		d->len = l;
		d->cap = cap;
	}
	if (d->arena_len + len + 1 > d->arena_cap) {
		size_t cap = d->arena_cap ? d->arena_cap : 4096;
		char *a;

		while (cap < d->arena_len + len + 1)
			cap *= 2;
		a = realloc(d->arena, cap);
		if (!a)
			return WS_ENOMEM;
		d->arena = a;
		d->arena_cap = cap;
	}
	c = d->n++;
	d->off[c] = d->arena_len;
	d->len[c] = (uint32_t)len;
	if (len)
		memcpy(d->arena + d->arena_len, s, len);
	d->arena[d->arena_len + len] = '\0';
	d->arena_len += len + 1;
	d->slot[h] = c + 1;
	/* keep the load factor under one half */
	if ((uint64_t)d->n * 2 > d->nslot && dict_rehash(d, d->nslot * 2) != WS_OK)
		return WS_ENOMEM;
	*code = c;
	return WS_OK;
}

/* qsort has no context argument in C11: the dictionary being ranked. */
static const struct ws_dict *rank_dict;

static int cmp_code(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return strcmp(rank_dict->arena + rank_dict->off[x],
		      rank_dict->arena + rank_dict->off[y]);
}

int ws_dict_rank(const struct ws_dict *d, uint32_t *rank)
{
	uint32_t *by = malloc((size_t)d->n * sizeof(*by));

	if (!by)
		return WS_ENOMEM;
	for (uint32_t c = 0; c < d->n; c++)
		by[c] = c;
	rank_dict = d;
	qsort(by, d->n, sizeof(*by), cmp_code);
	for (uint32_t r = 0; r < d->n; r++)
		rank[by[r]] = r;
	free(by);
	return WS_OK;
}

/* ---- table --------------------------------------------------------------- */

int ws_table_init(struct ws_table *t)
{
	memset(t, 0, sizeof(*t));
	return ws_dict_init(&t->dict);
}

void ws_table_fini(struct ws_table *t)
{
	if (t->map) { /* the columns belong to a mapped snapshot */
		munmap(t->map, t->maplen);
		ws_dict_fini(&t->dict);
		memset(t, 0, sizeof(*t));
		return;
	}
	free(t->ward);
	free(t->division);
	free(t->objective);
	free(t->indicator);
	free(t->unit);
	free(t->note);
	free(t->year);
	free(t->target);
	free(t->actual);
	free(t->direction);
	free(t->evaluation);
	free(t->file);
	free(t->line);
	ws_dict_fini(&t->dict);
	memset(t, 0, sizeof(*t));
}

/* realloc *p to n elements of size sz; leaves *p untouched on failure. */
static int grow(void *pp, size_t n, size_t sz)
{
	void **p = pp;
	void *q = realloc(*p, n * sz);

	if (!q)
		return WS_ENOMEM;
	*p = q;
	return WS_OK;
}

int ws_table_reserve(struct ws_table *t, size_t n)
{
	if (n <= t->cap)
		return WS_OK;
	if (grow(&t->ward, n, sizeof(uint32_t)) || grow(&t->division, n, sizeof(uint32_t)) ||
	    grow(&t->objective, n, sizeof(uint32_t)) || grow(&t->indicator, n, sizeof(uint32_t)) ||
	    grow(&t->unit, n, sizeof(uint32_t)) || grow(&t->note, n, sizeof(uint32_t)) ||
	    grow(&t->year, n, sizeof(int32_t)) || grow(&t->target, n, sizeof(double)) ||
	    grow(&t->actual, n, sizeof(double)) || grow(&t->direction, n, 1) ||
	    grow(&t->evaluation, n, 1) || grow(&t->file, n, sizeof(uint32_t)) ||
	    grow(&t->line, n, sizeof(uint32_t)))
		return WS_ENOMEM;
	t->cap = n;
	return WS_OK;
}

int ws_table_append(struct ws_table *t, const struct ws_row *r)
{
	size_t i = t->n;

	if (i == t->cap && ws_table_reserve(t, t->cap ? t->cap * 2 : 1024) != WS_OK)
		return WS_ENOMEM;
	if (i >= UINT32_MAX)
		return WS_ENOMEM; /* row numbers are 32-bit in the index */
	t->ward[i] = r->ward;
	t->division[i] = r->division;
	t->objective[i] = r->objective;
	t->indicator[i] = r->indicator;
	t->unit[i] = r->unit;
	t->note[i] = r->note;
	t->year[i] = r->year;
	t->target[i] = r->target;
	t->actual[i] = r->actual;
	t->direction[i] = r->direction;
	t->evaluation[i] = r->evaluation;
	t->file[i] = r->file;
	t->line[i] = r->line;
	t->n = i + 1;
	return WS_OK;
}

void ws_table_get(const struct ws_table *t, size_t i, struct ws_row *r)
{
	r->ward = t->ward[i];
	r->division = t->division[i];
	r->objective = t->objective[i];
	r->indicator = t->indicator[i];
	r->unit = t->unit[i];
	r->note = t->note[i];
	r->year = t->year[i];
	r->target = t->target[i];
	r->actual = t->actual[i];
	r->direction = t->direction[i];
	r->evaluation = t->evaluation[i];
	r->file = t->file[i];
	r->line = t->line[i];
}

void ws_table_release_provenance(struct ws_table *t)
{
	if (t->map)
		return;
	free(t->note);
	free(t->file);
	free(t->line);
	t->note = NULL;
	t->file = NULL;
	t->line = NULL;
}

size_t ws_table_bytes(const struct ws_table *t)
{
	/* eight uint32 columns (ward, division, objective, indicator, unit, note,
	 * file, line), the year, target and actual, direction and evaluation */
	size_t per_row = 8 * sizeof(uint32_t) + sizeof(int32_t) + 2 * sizeof(double) + 2;

	return t->cap * per_row + t->dict.arena_cap +
	       (size_t)t->dict.cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
	       (size_t)t->dict.nslot * sizeof(uint32_t);
}

/* ---- series index -------------------------------------------------------- */

/* Hash of a code triple (a multiplicative mix; the codes are small integers). */
static uint64_t hash_triple(uint32_t a, uint32_t b, uint32_t c)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ull;

	h ^= (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
	h ^= (c + 0x165667B19E3779F9ull) * 0x94D049BB133111EBull;
	return h ^ (h >> 29);
}

/* Context of the series sort (qsort has none in C11). */
static const uint32_t *sort_rank;
static const uint32_t *sort_key; /* 3 codes per series */

static int cmp_series(const void *a, const void *b)
{
	const uint32_t *x = sort_key + 3 * (size_t)*(const uint32_t *)a;
	const uint32_t *y = sort_key + 3 * (size_t)*(const uint32_t *)b;

	for (int k = 0; k < 3; k++) {
		uint32_t rx = sort_rank[x[k]], ry = sort_rank[y[k]];

		if (rx != ry)
			return rx < ry ? -1 : 1;
	}
	return 0;
}

void ws_index_fini(struct ws_index *ix)
{
	free(ix->row);
	free(ix->start);
	free(ix->series);
	memset(ix, 0, sizeof(*ix));
}

/* Puts rows r[0..n) of one series in year order (stable insertion sort). */
static void sort_years(const int32_t *year, uint32_t *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t v = r[i];
		size_t j = i;

		while (j > 0 && year[r[j - 1]] > year[v]) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = v;
	}
}

/* Doubles the triple hash table, re-placing the series keys. */
static int triple_rehash(uint32_t **slot, size_t *nslot, const uint32_t *key, size_t ns)
{
	size_t n = *nslot * 2;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return WS_ENOMEM;
	for (size_t k = 0; k < ns; k++) {
		size_t h = hash_triple(key[3 * k], key[3 * k + 1], key[3 * k + 2]) & (n - 1);

		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = (uint32_t)k + 1;
	}
	free(*slot);
	*slot = s;
	*nslot = n;
	return WS_OK;
}

int ws_index_build(const struct ws_table *t, struct ws_index *ix, struct ws_err *err)
{
	size_t n = t->n, nslot = 1024, ns = 0, cap = 64;
	uint32_t *slot = NULL, *key = NULL, *order = NULL, *pos = NULL, *rank = NULL;
	uint32_t pw = UINT32_MAX, pd = 0, pc = 0, ps = 0; /* the previous row's series */
	int rc = WS_ENOMEM;

	memset(ix, 0, sizeof(*ix));
	slot = calloc(nslot, sizeof(*slot));
	key = malloc(cap * 3 * sizeof(*key));
	ix->series = malloc((n ? n : 1) * sizeof(*ix->series));
	ix->row = malloc((n ? n : 1) * sizeof(*ix->row));
	if (!slot || !key || !ix->series || !ix->row)
		goto out;

	/* 1. dense series numbers in order of first appearance; rows of one
	 * series usually follow each other, so the previous row is tried first */
	for (size_t i = 0; i < n; i++) {
		uint32_t w = t->ward[i], d = t->division[i], c = t->indicator[i], s;
		size_t h;

		if (w == pw && d == pd && c == pc) {
			ix->series[i] = ps;
			continue;
		}
		h = hash_triple(w, d, c) & (nslot - 1);
		while ((s = slot[h]) != 0) {
			const uint32_t *k = key + 3 * (size_t)(s - 1);

			if (k[0] == w && k[1] == d && k[2] == c)
				break;
			h = (h + 1) & (nslot - 1);
		}
		if (!s) {
			if (ns == cap) {
				cap *= 2;
				if (grow(&key, cap * 3, sizeof(*key)))
					goto out;
			}
			key[3 * ns] = w;
			key[3 * ns + 1] = d;
			key[3 * ns + 2] = c;
			s = (uint32_t)++ns;
			slot[h] = s;
			if (ns * 2 > nslot && triple_rehash(&slot, &nslot, key, ns))
				goto out;
		}
		ix->series[i] = s - 1;
		pw = w, pd = d, pc = c, ps = s - 1;
	}
	free(slot);
	slot = NULL;

	/* 2. series in bytewise order of (ward, division, indicator) */
	rank = malloc((size_t)t->dict.n * sizeof(*rank));
	order = malloc((ns ? ns : 1) * sizeof(*order));
	pos = malloc((ns ? ns : 1) * sizeof(*pos));
	ix->start = calloc(ns + 1, sizeof(*ix->start));
	if (!rank || !order || !pos || !ix->start || ws_dict_rank(&t->dict, rank))
		goto out;
	for (size_t s = 0; s < ns; s++)
		order[s] = (uint32_t)s;
	sort_rank = rank;
	sort_key = key;
	qsort(order, ns, sizeof(*order), cmp_series);
	for (size_t k = 0; k < ns; k++)
		pos[order[k]] = (uint32_t)k; /* pos[series] = its place in output order */

	/* 3. counting sort of rows by place; renumber series to output order */
	for (size_t i = 0; i < n; i++) {
		ix->series[i] = pos[ix->series[i]];
		ix->start[ix->series[i] + 1]++;
	}
	for (size_t s = 0; s < ns; s++)
		ix->start[s + 1] += ix->start[s];
	for (size_t s = 0; s < ns; s++)
		pos[s] = (uint32_t)ix->start[s];
	for (size_t i = 0; i < n; i++)
		ix->row[pos[ix->series[i]]++] = (uint32_t)i;

	/* 4. years in order within each series */
	for (size_t s = 0; s < ns; s++)
		sort_years(t->year, ix->row + ix->start[s], ix->start[s + 1] - ix->start[s]);

	ix->nseries = ns;
	ix->nrows = n;
	rc = WS_OK;
out:
	free(slot);
	free(key);
	free(order);
	free(pos);
	free(rank);
	if (rc != WS_OK) {
		ws_index_fini(ix);
		ws_err_set(err, rc, "building the series index: %s", ws_strerror(rc));
	}
	return rc;
}

int ws_index_remove(struct ws_index *ix, const uint8_t *drop)
{
	size_t k = 0;

	for (size_t s = 0; s < ix->nseries; s++) {
		size_t b = ix->start[s], e = ix->start[s + 1];

		ix->start[s] = k;
		for (size_t j = b; j < e; j++)
			if (!drop[ix->row[j]])
				ix->row[k++] = ix->row[j];
	}
	ix->start[ix->nseries] = k;
	ix->nrows = k;
	return WS_OK;
}
