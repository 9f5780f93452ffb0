/*
 * engine.c: status text, the string dictionary, the column table and the
 * series index.
 *
 * Design note. Rows arrive in file order; strings are interned once into one
 * arena (ws_dict) and rows carry 32-bit codes. The series index never compares
 * strings per row. A row holds the code of its attribute set (ward,
 * division, objective, indicator, unit, direction: interned once per distinct
 * combination, with the previous row's set tried first). The series index
 * sorts the sets in use by the bytewise rank of their (ward, division,
 * indicator) strings with a counting sort on the ranks, so that a series is a
 * run of sets, then places the rows with a counting sort (one pass to count,
 * one to place). Within a series, years are put in order by insertion sort,
 * which is linear for the common case of rows already in year order.
 */
#include "ws_engine.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
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

double ws_engine_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	free(t->attr);
	free(t->year);
	free(t->target);
	free(t->actual);
	free(t->evaluation);
	free(t->line);
	free(t->note);
	free(t->run_start);
	free(t->run_file);
	free(t->ward);
	free(t->division);
	free(t->objective);
	free(t->indicator);
	free(t->unit);
	free(t->direction);
	free(t->a_slot);
	free(t->a_recent);
	ws_dict_fini(&t->dict);
	memset(t, 0, sizeof(*t));
}

/* realloc *p to n elements of size sz; leaves *p untouched on failure. */
static int grow(void *pp, size_t n, size_t sz)
{
	void **p = pp;
	void *q = realloc(*p, (n ? n : 1) * sz);

	if (!q)
		return WS_ENOMEM;
	*p = q;
	return WS_OK;
}

int ws_table_reserve(struct ws_table *t, size_t n)
{
	if (n <= t->cap)
		return WS_OK;
	if (grow(&t->attr, n, sizeof(uint32_t)) || grow(&t->year, n, sizeof(int16_t)) ||
	    grow(&t->target, n, sizeof(double)) || grow(&t->actual, n, sizeof(double)) ||
	    grow(&t->evaluation, n, 1) || grow(&t->line, n, sizeof(uint32_t)) ||
	    (t->note && grow(&t->note, n, sizeof(uint32_t))))
		return WS_ENOMEM;
	t->cap = n;
	return WS_OK;
}

/* Hash of an attribute set (a multiplicative mix; the codes are small integers). */
static uint64_t hash_attr(const uint32_t *k)
{
	uint64_t h = 0x9E3779B97F4A7C15ull;

	for (int i = 0; i < 6; i++) {
		h ^= (k[i] + 0x632BE59BD9B4E019ull * (uint64_t)(i + 1)) * 0xC2B2AE3D27D4EB4Full;
		h = (h << 27 | h >> 37) * 0x94D049BB133111EBull;
	}
	return h ^ (h >> 29);
}

/* The six codes of set a, in the order hash_attr takes them. */
static void attr_key(const struct ws_table *t, size_t a, uint32_t *k)
{
	k[0] = t->ward[a];
	k[1] = t->division[a];
	k[2] = t->objective[a];
	k[3] = t->indicator[a];
	k[4] = t->unit[a];
	k[5] = t->direction[a];
}

/*
 * A slot of the set hash: the set's code + 1 in the low 32 bits (0 = empty),
 * the high 32 bits of its hash above, so that probing and rehashing compare
 * and place sets without reading their six columns.
 */
#define SLOT(h, a) (((h) & 0xFFFFFFFF00000000ull) | ((uint64_t)(a) + 1))

/* Rebuilds the set hash with nslot slots (a power of two). */
static int attr_rehash(struct ws_table *t, size_t nslot)
{
	uint64_t *slot = calloc(nslot, sizeof(*slot)), *old = t->a_slot;

	if (!slot)
		return WS_ENOMEM;
	for (size_t j = 0; j < t->a_nslot; j++) {
		uint64_t e = old[j];
		size_t h;

		if (!e)
			continue;
		h = (size_t)(e >> 32) & (nslot - 1); /* positions come from the kept bits */
		while (slot[h])
			h = (h + 1) & (nslot - 1);
		slot[h] = e;
	}
	free(old);
	t->a_slot = slot;
	t->a_nslot = nslot;
	return WS_OK;
}

/* Appends the set k (six codes as attr_key); *code receives its code. */
static int attr_new(struct ws_table *t, const uint32_t *k, uint32_t *code)
{
	uint32_t a;

	if (t->na >= UINT32_MAX - 1)
		return WS_ENOMEM;
	if (t->na == t->a_cap) {
		size_t cap = t->a_cap ? t->a_cap * 2 : 256;

		if (grow(&t->ward, cap, 4) || grow(&t->division, cap, 4) ||
		    grow(&t->objective, cap, 4) || grow(&t->indicator, cap, 4) ||
		    grow(&t->unit, cap, 4) || grow(&t->direction, cap, 1))
			return WS_ENOMEM;
		t->a_cap = cap;
	}
	a = (uint32_t)t->na++;
	t->ward[a] = k[0];
	t->division[a] = k[1];
	t->objective[a] = k[2];
	t->indicator[a] = k[3];
	t->unit[a] = k[4];
	t->direction[a] = (uint8_t)k[5];
	*code = a;
	return WS_OK;
}

/* Hashes every set so far into a new full hash (sets held twice stay so). */
static int attr_hash_all(struct ws_table *t)
{
	size_t nslot = 1024;
	uint32_t k[6];

	while (nslot < 2 * t->na + 2)
		nslot *= 2;
	free(t->a_slot);
	if (!(t->a_slot = calloc(nslot, sizeof(*t->a_slot))))
		return WS_ENOMEM;
	t->a_nslot = nslot;
	for (size_t a = 0; a < t->na; a++) {
		uint64_t hv;
		size_t h;

		attr_key(t, a, k);
		hv = hash_attr(k);
		h = (size_t)(hv >> 32) & (nslot - 1);
		while (t->a_slot[h])
			h = (h + 1) & (nslot - 1);
		t->a_slot[h] = SLOT(hv, a);
	}
	return WS_OK;
}

#define RECENT 4096          /* sets in the cache of recent sets */
#define RECENT_SETS 65536    /* sets before the cache may give way to the full hash */

/*
 * The code of the set k (six codes as attr_key), added when new. While sets
 * are few against the rows (the rows of a series come together, as files
 * list them), a set is looked up only in a small cache of recent sets: a set
 * that left it and comes back is added again, which costs its 21 bytes and
 * nothing else (the series index groups sets by their strings). The full
 * hash, whose every new set is a cache miss on a table of tens of megabytes,
 * is built once the sets pass a quarter of the rows (series of few rows, or
 * rows sorted by year with their series far apart), and then every set is
 * found again.
 */
static int attr_intern(struct ws_table *t, const uint32_t *k, uint32_t *code)
{
	uint32_t a, have[6];
	uint64_t hv = hash_attr(k), e;
	size_t h;

	if (!t->a_global) {
		uint32_t *c;

		if (!t->a_recent && !(t->a_recent = calloc(RECENT, sizeof(*t->a_recent))))
			return WS_ENOMEM;
		c = &t->a_recent[hv & (RECENT - 1)];
		if (*c) {
			attr_key(t, *c - 1, have);
			if (memcmp(have, k, sizeof(have)) == 0) {
				*code = *c - 1;
				return WS_OK;
			}
		}
		if (attr_new(t, k, code) != WS_OK)
			return WS_ENOMEM;
		*c = *code + 1;
		if (t->na >= RECENT_SETS && t->na * 4 > t->n) {
			if (attr_hash_all(t) != WS_OK)
				return WS_ENOMEM;
			t->a_global = 1;
		}
		return WS_OK;
	}
	h = (size_t)(hv >> 32) & (t->a_nslot - 1);
	while ((e = t->a_slot[h]) != 0) {
		if ((e >> 32) == (hv >> 32)) {
			a = (uint32_t)e - 1;
			attr_key(t, a, have);
			if (memcmp(have, k, sizeof(have)) == 0) {
				*code = a;
				return WS_OK;
			}
		}
		h = (h + 1) & (t->a_nslot - 1);
	}
	if (attr_new(t, k, code) != WS_OK)
		return WS_ENOMEM;
	t->a_slot[h] = SLOT(hv, *code);
	/* keep the load factor under one half */
	if (t->na * 2 > t->a_nslot && attr_rehash(t, t->a_nslot * 2) != WS_OK)
		return WS_ENOMEM;
	return WS_OK;
}

/* The code of r's attribute set in t, added when new. */
static int intern_attr(struct ws_table *t, const struct ws_row *r, uint32_t *code)
{
	uint32_t k[6] = {r->ward, r->division, r->objective, r->indicator, r->unit, r->direction};
	uint32_t a = t->a_last;

	/* rows of one series usually follow each other: the previous set first */
	if (a < t->na && t->ward[a] == k[0] && t->division[a] == k[1] &&
	    t->objective[a] == k[2] && t->indicator[a] == k[3] && t->unit[a] == k[4] &&
	    t->direction[a] == k[5]) {
		*code = a;
		return WS_OK;
	}
	if (attr_intern(t, k, code) != WS_OK)
		return WS_ENOMEM;
	t->a_last = *code;
	return WS_OK;
}

int ws_table_append_sets(struct ws_table *t, const struct ws_table *u, const uint32_t *map,
			 uint32_t *first)
{
	size_t na = t->na + u->na;

	if (na >= UINT32_MAX - 1)
		return WS_ENOMEM;
	if (na > t->a_cap) {
		if (grow(&t->ward, na, 4) || grow(&t->division, na, 4) || grow(&t->objective, na, 4) ||
		    grow(&t->indicator, na, 4) || grow(&t->unit, na, 4) || grow(&t->direction, na, 1))
			return WS_ENOMEM;
		t->a_cap = na;
	}
	for (size_t a = 0, b = t->na; a < u->na; a++, b++) {
		t->ward[b] = map[u->ward[a]];
		t->division[b] = map[u->division[a]];
		t->objective[b] = map[u->objective[a]];
		t->indicator[b] = map[u->indicator[a]];
		t->unit[b] = map[u->unit[a]];
		t->direction[b] = u->direction[a];
	}
	*first = (uint32_t)t->na;
	t->na = na;
	return WS_OK;
}

/* Starts a new file run at row i when the file changes. */
static int file_run(struct ws_table *t, size_t i, uint32_t file)
{
	if (t->nruns && t->run_file[t->nruns - 1] == file)
		return WS_OK;
	if (t->nruns == t->run_cap) {
		size_t cap = t->run_cap ? t->run_cap * 2 : 16;

		if (grow(&t->run_start, cap, sizeof(size_t)) || grow(&t->run_file, cap, 4))
			return WS_ENOMEM;
		t->run_cap = cap;
	}
	t->run_start[t->nruns] = i;
	t->run_file[t->nruns++] = file;
	return WS_OK;
}

int ws_table_append(struct ws_table *t, const struct ws_row *r)
{
	size_t i = t->n;
	uint32_t a;

	if (t->map || (t->cap && !t->line))
		return WS_EUSAGE; /* a mapped table, or its provenance was released */
	if (r->year < INT16_MIN || r->year > INT16_MAX)
		return WS_EVALUE; /* years are stored in 16 bits */
	if (i == t->cap && ws_table_reserve(t, t->cap ? t->cap * 2 : 1024) != WS_OK)
		return WS_ENOMEM;
	if (i >= UINT32_MAX)
		return WS_ENOMEM; /* row numbers are 32-bit in the index */
	if (intern_attr(t, r, &a) != WS_OK || file_run(t, i, r->file) != WS_OK)
		return WS_ENOMEM;
	if (r->note && !t->note) { /* the first note: the column starts, zero before it */
		if (!(t->note = calloc(t->cap, sizeof(*t->note))))
			return WS_ENOMEM;
	}
	t->attr[i] = a;
	t->year[i] = (int16_t)r->year;
	t->target[i] = r->target;
	t->actual[i] = r->actual;
	t->evaluation[i] = r->evaluation;
	t->line[i] = r->line;
	if (t->note)
		t->note[i] = r->note;
	t->n = i + 1;
	return WS_OK;
}

uint32_t ws_table_file(const struct ws_table *t, size_t i)
{
	size_t lo = 0, hi = t->nruns;

	/* the last run starting at or before i */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->run_start[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return t->nruns && t->run_start[lo] <= i ? t->run_file[lo] : 0;
}

void ws_table_truncate(struct ws_table *t, size_t n)
{
	if (n >= t->n)
		return;
	t->n = n;
	while (t->nruns && t->run_start[t->nruns - 1] >= n)
		t->nruns--;
}

void ws_table_get(const struct ws_table *t, size_t i, struct ws_row *r)
{
	uint32_t a = t->attr[i];

	r->ward = t->ward[a];
	r->division = t->division[a];
	r->objective = t->objective[a];
	r->indicator = t->indicator[a];
	r->unit = t->unit[a];
	r->direction = t->direction[a];
	r->note = t->note ? t->note[i] : 0;
	r->year = t->year[i];
	r->target = t->target[i];
	r->actual = t->actual[i];
	r->evaluation = t->evaluation[i];
	r->file = ws_table_file(t, i);
	r->line = t->line ? t->line[i] : 0;
}

void ws_table_release_provenance(struct ws_table *t)
{
	if (t->map)
		return;
	free(t->note);
	free(t->line);
	free(t->a_slot); /* no set is added after ingest */
	free(t->a_recent);
	t->note = NULL;
	t->line = NULL;
	t->a_slot = NULL;
	t->a_recent = NULL;
	t->a_nslot = 0;
}

size_t ws_table_bytes(const struct ws_table *t)
{
	/* per row: the set code, year, target and actual, evaluation, and while
	 * they are held the line and note */
	size_t per_row = sizeof(uint32_t) + sizeof(int16_t) + 2 * sizeof(double) + 1 +
			 (t->line ? sizeof(uint32_t) : 0) + (t->note ? sizeof(uint32_t) : 0);
	/* per set: five codes and the direction; the set hash */
	size_t per_set = 5 * sizeof(uint32_t) + 1;

	return t->cap * per_row + t->a_cap * per_set + t->a_nslot * sizeof(uint64_t) +
	       (t->a_recent ? RECENT * sizeof(uint32_t) : 0) +
	       t->run_cap * (sizeof(size_t) + sizeof(uint32_t)) + t->dict.arena_cap +
	       (size_t)t->dict.cap * (sizeof(uint64_t) + sizeof(uint32_t)) +
	       (size_t)t->dict.nslot * sizeof(uint32_t);
}

/* ---- series index -------------------------------------------------------- */

/* Context of the comparison sort of sets (qsort has none in C11). */
static const struct ws_table *sort_t;
static const uint32_t *sort_rank;

/* Sets by the bytewise order of (ward, division, indicator), then by code. */
static int cmp_sets(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const uint32_t *col[3] = {sort_t->ward, sort_t->division, sort_t->indicator};

	for (int k = 0; k < 3; k++) {
		uint32_t ra = sort_rank[col[k][a]], rb = sort_rank[col[k][b]];

		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	return a < b ? -1 : a > b;
}

/*
 * Puts the sets set[0..n) in bytewise order of their (ward, division,
 * indicator) strings, equal triples in code order: a stable counting sort by
 * the rank of each code, indicator, then division, then ward (least
 * significant first), O(n + nstrings) a pass; a comparison sort when the
 * strings far outnumber the sets. Sets of one series then stand together.
 */
static int sort_sets(const struct ws_table *t, uint32_t *set, size_t n, const uint32_t *rank)
{
	const uint32_t *col[3] = {t->ward, t->division, t->indicator};
	size_t nstr = t->dict.n;
	uint32_t *tmp, *cnt;

	if (nstr > 4 * n + 1024) { /* few sets among many strings: compare instead */
		sort_t = t;
		sort_rank = rank;
		qsort(set, n, sizeof(*set), cmp_sets);
		return WS_OK;
	}
	tmp = malloc((n ? n : 1) * sizeof(*tmp));
	cnt = malloc((nstr + 1) * sizeof(*cnt));
	if (!tmp || !cnt) {
		free(tmp);
		free(cnt);
		return WS_ENOMEM;
	}
	for (int k = 2; k >= 0; k--) {
		memset(cnt, 0, (nstr + 1) * sizeof(*cnt));
		for (size_t i = 0; i < n; i++)
			cnt[rank[col[k][set[i]]] + 1]++;
		for (size_t r = 0; r < nstr; r++)
			cnt[r + 1] += cnt[r];
		for (size_t i = 0; i < n; i++)
			tmp[cnt[rank[col[k][set[i]]]]++] = set[i];
		memcpy(set, tmp, n * sizeof(*set));
	}
	free(tmp);
	free(cnt);
	return WS_OK;
}

void ws_index_fini(struct ws_index *ix)
{
	free(ix->row);
	free(ix->start);
	memset(ix, 0, sizeof(*ix));
}

/* Puts rows r[0..n) of one series in year order (stable insertion sort). */
static void sort_years(const int16_t *year, uint32_t *r, size_t n)
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

int ws_index_build(const struct ws_table *t, struct ws_index *ix, struct ws_err *err)
{
	size_t n = t->n, na = t->na, nlive = 0, ns = 0;
	uint32_t *cnt = NULL, *aser = NULL, *live = NULL, *rank = NULL, *pos = NULL;
	int rc = WS_ENOMEM;

	memset(ix, 0, sizeof(*ix));
	cnt = calloc(na ? na : 1, sizeof(*cnt));
	aser = malloc((na ? na : 1) * sizeof(*aser));
	live = malloc((na ? na : 1) * sizeof(*live));
	rank = malloc((t->dict.n ? t->dict.n : 1) * sizeof(*rank));
	ix->row = malloc((n ? n : 1) * sizeof(*ix->row));
	if (!cnt || !aser || !live || !rank || !ix->row || ws_dict_rank(&t->dict, rank))
		goto out;

	/* 1. rows per attribute set (a set with none was left by a rolled-back read) */
	for (size_t i = 0; i < n; i++)
		cnt[t->attr[i]]++;
	for (size_t a = 0; a < na; a++)
		if (cnt[a])
			live[nlive++] = (uint32_t)a;

	/* 2. the sets in use in series order: a series is a run of sets with one
	 * (ward, division, indicator); its rows are counted from the sets' */
	if (sort_sets(t, live, nlive, rank) != WS_OK)
		goto out;
	for (size_t k = 0; k < nlive; k++) {
		uint32_t a = live[k], p = k ? live[k - 1] : 0;

		if (k == 0 || t->ward[a] != t->ward[p] || t->division[a] != t->division[p] ||
		    t->indicator[a] != t->indicator[p])
			ns++;
		aser[a] = (uint32_t)ns - 1;
	}
	ix->start = calloc(ns + 1, sizeof(*ix->start));
	pos = malloc((ns ? ns : 1) * sizeof(*pos));
	if (!ix->start || !pos)
		goto out;
	for (size_t k = 0; k < nlive; k++)
		ix->start[aser[live[k]] + 1] += cnt[live[k]];
	for (size_t s = 0; s < ns; s++)
		ix->start[s + 1] += ix->start[s];

	/* 3. counting sort of the rows: each row after the rows before it of its series */
	for (size_t s = 0; s < ns; s++)
		pos[s] = (uint32_t)ix->start[s];
	for (size_t i = 0; i < n; i++)
		ix->row[pos[aser[t->attr[i]]]++] = (uint32_t)i;

	/* 4. years in order within each series */
	for (size_t s = 0; s < ns; s++)
		sort_years(t->year, ix->row + ix->start[s], ix->start[s + 1] - ix->start[s]);

	ix->nseries = ns;
	ix->nrows = n;
	rc = WS_OK;
out:
	free(cnt);
	free(aser);
	free(live);
	free(rank);
	free(pos);
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
