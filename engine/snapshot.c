/*
 * snapshot.c: the columnar snapshot file (.wsc) written by `wardstat ingest`
 * and mapped by `wardstat report data.wsc`.
 *
 * Layout (version 3, native byte order, every section 8-byte aligned):
 *   header   struct snap_header below: magic "WARDSTAT", version, a byte-order
 *            mark, the counts, the offset of each section, the file length
 *            and a checksum of every byte after the header;
 *   columns  attribute set (uint32), year (int16), target, actual (double),
 *            evaluation (uint8): the rows in series-index order, duplicates
 *            and superseded figures already removed; 23 bytes a row. The
 *            provenance (file, line, note) served the merge and is not kept;
 *   sets     ward, division, objective, indicator, unit (uint32 each) and
 *            direction (uint8) of each attribute set;
 *   index    start (uint64, nseries + 1): series s owns rows start[s]..;
 *   strings  dictionary offsets (uint64), lengths (uint32), the arena.
 * Mapping is O(1) in the rows apart from the checksum pass: the columns are
 * used in place, read-only, and the series index needs no sorting.
 *
 * The checksum covers every byte after the header, cut into chunks of 16 MiB
 * so that threads can check the chunks of one file at once. Each chunk gets a
 * 64-bit multiply-xorshift hash over 8-byte words (the tail zero-padded), in
 * the spirit of wyhash, run as four lanes: word i goes to lane i mod 4, so
 * the CPU works on four independent chains at once instead of waiting on one
 * multiplication after another. Each step h = (h ^ w) * K, h ^= h >> 31 is a
 * bijection of h and of w, so any changed word changes its lane's state for
 * good; the lanes are mixed into the chunk's hash with its byte count, and
 * the chunk hashes, in order, into the checksum with the total byte count.
 * (Version 2 had one lane and one chain: 0.055 s for a 10-million-row file,
 * against about 0.02 s now on two cores.) Mapping checks the chunks on two
 * threads while the string codes and the series index are checked.
 */
#include "ws_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAP_MAGIC "WARDSTAT"
#define SNAP_VERSION 3u
#define SNAP_BOM 0x01020304u

enum {
	S_ATTR, S_YEAR, S_TARGET, S_ACTUAL, S_EVALUATION, /* per row */
	S_WARD, S_DIVISION, S_OBJECTIVE, S_INDICATOR, S_UNIT, S_DIRECTION, /* per set */
	S_START, S_DICT_OFF, S_DICT_LEN, S_ARENA, S_COUNT
};

struct snap_header {
	char magic[8];          /* "WARDSTAT" */
	uint32_t version;       /* SNAP_VERSION */
	uint32_t bom;           /* SNAP_BOM as the writer stored it */
	uint64_t nrows;         /* rows */
	uint64_t nseries;       /* series */
	uint64_t nattr;         /* attribute sets */
	uint64_t nstrings;      /* dictionary entries */
	uint64_t arena_len;     /* bytes of the string arena */
	uint64_t off[S_COUNT];  /* file offset of each section */
	uint64_t file_len;      /* total bytes, header included */
	uint64_t checksum;      /* hash of bytes [sizeof header, file_len) */
};

/* Multiply-xorshift hash over 8-byte words in four lanes, fed in pieces of any size. */
#define LANES 4
#define BLOCK (8 * LANES)

struct hasher {
	uint64_t h[LANES];          /* lane states; all zero = not started */
	unsigned char tail[BLOCK];  /* bytes waiting for a whole block */
	size_t nt;
	uint64_t total;             /* bytes fed */
};

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 31);
}

/* One block of four words, one to each lane. */
static void block(struct hasher *x, const unsigned char *p)
{
	for (int l = 0; l < LANES; l++) {
		uint64_t w;

		memcpy(&w, p + 8 * l, 8);
		x->h[l] = mix(x->h[l], w);
	}
}

static void hash_feed(struct hasher *x, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;

	x->total += n;
	if (x->nt > 0) {
		while (x->nt < BLOCK && i < n)
			x->tail[x->nt++] = p[i++];
		if (x->nt < BLOCK)
			return;
		block(x, x->tail);
		x->nt = 0;
	}
	for (; i + BLOCK <= n; i += BLOCK)
		block(x, p + i);
	while (i < n) /* fewer than a block left, and nt is 0 here */
		x->tail[x->nt++] = p[i++];
}

static uint64_t hash_final(struct hasher *x)
{
	uint64_t r = 0;

	if (x->nt) {
		memset(x->tail + x->nt, 0, BLOCK - x->nt);
		block(x, x->tail);
		x->nt = 0;
	}
	for (int l = 0; l < LANES; l++)
		r = mix(r, x->h[l] + (uint64_t)l);
	return r ^ x->total;
}

/* The checksum of a stream: its 16 MiB chunks hashed apart, folded in order. */
#define CHUNK ((uint64_t)16 << 20)

struct summer {
	struct hasher chunk; /* the current chunk */
	uint64_t in_chunk;   /* bytes of it so far */
	uint64_t h;          /* the hashes of the whole chunks, folded */
	uint64_t total;      /* bytes fed */
};

static void sum_feed(struct summer *x, const void *data, size_t n)
{
	const unsigned char *p = data;

	x->total += n;
	while (n) {
		size_t k = CHUNK - x->in_chunk < n ? (size_t)(CHUNK - x->in_chunk) : n;

		hash_feed(&x->chunk, p, k);
		x->in_chunk += k;
		p += k;
		n -= k;
		if (x->in_chunk == CHUNK) {
			x->h = mix(x->h, hash_final(&x->chunk));
			memset(&x->chunk, 0, sizeof(x->chunk));
			x->in_chunk = 0;
		}
	}
}

static uint64_t sum_final(struct summer *x)
{
	if (x->in_chunk)
		x->h = mix(x->h, hash_final(&x->chunk));
	return x->h ^ x->total;
}

/* Byte sizes of the sections, in order. */
static void sizes(uint64_t n, uint64_t na, uint64_t ns, uint64_t nstr, uint64_t arena,
		  uint64_t *sz)
{
	sz[S_ATTR] = 4 * n;
	sz[S_YEAR] = 2 * n;
	sz[S_TARGET] = sz[S_ACTUAL] = 8 * n;
	sz[S_EVALUATION] = n;
	for (int k = S_WARD; k <= S_UNIT; k++)
		sz[k] = 4 * na;
	sz[S_DIRECTION] = na;
	sz[S_START] = 8 * (ns + 1);
	sz[S_DICT_OFF] = 8 * nstr;
	sz[S_DICT_LEN] = 4 * nstr;
	sz[S_ARENA] = arena;
}

/* Writes the column of table rows ix->row[..] for section k, through buf. */
static int put_column(const struct ws_table *t, const struct ws_index *ix, int k, FILE *f,
		      struct summer *h)
{
	unsigned char buf[1 << 16];
	size_t used = 0, w = k == S_TARGET || k == S_ACTUAL ? 8 : k == S_ATTR ? 4 : k == S_YEAR ? 2 : 1;

	for (size_t j = 0; j < ix->nrows; j++) {
		uint32_t i = ix->row[j];
		const void *src;

		switch (k) {
		case S_ATTR: src = &t->attr[i]; break;
		case S_YEAR: src = &t->year[i]; break;
		case S_TARGET: src = &t->target[i]; break;
		case S_ACTUAL: src = &t->actual[i]; break;
		default: src = &t->evaluation[i]; break;
		}
		if (used + w > sizeof(buf)) {
			sum_feed(h, buf, used);
			if (fwrite(buf, 1, used, f) != used)
				return WS_EIO;
			used = 0;
		}
		memcpy(buf + used, src, w);
		used += w;
	}
	sum_feed(h, buf, used);
	return fwrite(buf, 1, used, f) == used ? WS_OK : WS_EIO;
}

/* Writes n bytes, hashing them, then zero padding to 8. */
static int put(FILE *f, const void *p, size_t n, struct summer *h, uint64_t *pos)
{
	static const unsigned char zero[8];
	size_t pad = (8 - n % 8) % 8;

	sum_feed(h, p, n);
	if (n && fwrite(p, 1, n, f) != n)
		return WS_EIO;
	sum_feed(h, zero, pad);
	if (pad && fwrite(zero, 1, pad, f) != pad)
		return WS_EIO;
	*pos += n + pad;
	return WS_OK;
}

int ws_snapshot_write(const struct ws_table *t, const struct ws_index *ix, FILE *f,
		      struct ws_err *err)
{
	struct snap_header hd;
	uint64_t sz[S_COUNT], pos = sizeof(hd);
	struct summer h;
	uint64_t *start = malloc((ix->nseries + 1) * sizeof(*start));

	if (!start)
		return ws_err_set(err, WS_ENOMEM, "out of memory");
	memset(&h, 0, sizeof(h));
	memset(&hd, 0, sizeof(hd));
	memcpy(hd.magic, SNAP_MAGIC, 8);
	hd.version = SNAP_VERSION;
	hd.bom = SNAP_BOM;
	hd.nrows = ix->nrows;
	hd.nseries = ix->nseries;
	hd.nattr = t->na;
	hd.nstrings = t->dict.n;
	hd.arena_len = t->dict.arena_len;
	sizes(hd.nrows, hd.nattr, hd.nseries, hd.nstrings, hd.arena_len, sz);
	for (int k = 0; k < S_COUNT; k++) {
		hd.off[k] = pos;
		pos += (sz[k] + 7) / 8 * 8;
	}
	hd.file_len = pos;
	for (size_t s = 0; s <= ix->nseries; s++)
		start[s] = ix->start[s];
	/* the header goes first with a zero checksum, then again when it is known */
	pos = sizeof(hd);
	if (fwrite(&hd, sizeof(hd), 1, f) != 1)
		goto io;
	for (int k = S_ATTR; k <= S_EVALUATION; k++) {
		static const unsigned char zero[8];
		size_t pad = (8 - sz[k] % 8) % 8;

		if (put_column(t, ix, k, f, &h) != WS_OK)
			goto io;
		sum_feed(&h, zero, pad);
		if (pad && fwrite(zero, 1, pad, f) != pad)
			goto io;
		pos += sz[k] + pad;
	}
	if (put(f, t->ward, sz[S_WARD], &h, &pos) || put(f, t->division, sz[S_DIVISION], &h, &pos) ||
	    put(f, t->objective, sz[S_OBJECTIVE], &h, &pos) ||
	    put(f, t->indicator, sz[S_INDICATOR], &h, &pos) || put(f, t->unit, sz[S_UNIT], &h, &pos) ||
	    put(f, t->direction, sz[S_DIRECTION], &h, &pos))
		goto io;
	if (put(f, start, sz[S_START], &h, &pos) || put(f, t->dict.off, sz[S_DICT_OFF], &h, &pos) ||
	    put(f, t->dict.len, sz[S_DICT_LEN], &h, &pos) ||
	    put(f, t->dict.arena, sz[S_ARENA], &h, &pos))
		goto io;
	hd.checksum = sum_final(&h);
	if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0 || fwrite(&hd, sizeof(hd), 1, f) != 1 ||
	    fseek(f, 0, SEEK_END) != 0)
		goto io;
	free(start);
	return WS_OK;
io:
	free(start);
	return ws_err_set(err, WS_EIO, "writing the snapshot failed: %s", strerror(errno));
}

int ws_snapshot_is(const char *path)
{
	char magic[8];
	struct stat st;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) { /* a pipe: peeking would eat it */
		close(fd);
		return 0;
	}
	n = read(fd, magic, sizeof(magic));
	close(fd);
	return n == (ssize_t)sizeof(magic) && memcmp(magic, SNAP_MAGIC, 8) == 0;
}

/* ---- mapping: the checks, on two threads ----------------------------------- */

/* What the threads of ws_snapshot_map share. */
struct check {
	const unsigned char *p; /* the bytes after the header */
	uint64_t len;
	uint64_t *hashes;       /* per chunk */
	size_t nchunks;
	atomic_size_t next;     /* the next chunk to hash */
	const struct snap_header *hd;
	struct ws_table *t;     /* the columns, pointing into the map */
	struct ws_index *ix;    /* start and row allocated, to fill */
	int bad_codes;          /* set by check_codes */
};

/* Hashes chunks until none is left. */
static void check_chunks(struct check *c)
{
	size_t k;

	while ((k = atomic_fetch_add(&c->next, 1)) < c->nchunks) {
		struct hasher h;
		uint64_t b = (uint64_t)k * CHUNK, n = c->len - b < CHUNK ? c->len - b : CHUNK;

		memset(&h, 0, sizeof(h));
		hash_feed(&h, c->p + b, (size_t)n);
		c->hashes[k] = hash_final(&h);
	}
}

/* strcmp of the strings of codes x and y of t's dictionary (the index's order). */
static int cmp_codes(const struct ws_table *t, uint32_t x, uint32_t y)
{
	return x == y ? 0 : strcmp(ws_dict_str(&t->dict, x), ws_dict_str(&t->dict, y));
}

/*
 * Whether the rows and series are as ws_index_build leaves them, so that a
 * file that was made or changed by something else is refused instead of
 * reported wrong: every row names an attribute set and a known verdict;
 * every row of a series has the series' ward, division and
 * indicator, its years strictly ascend, and the series come in bytewise
 * (ward, division, indicator) order. Two series may compare equal only when
 * strcmp stops at a NUL inside the names, and then their codes differ.
 */
static int series_in_order(const struct ws_table *t, const uint64_t *start, uint64_t nseries)
{
	uint32_t pw = 0, pd = 0, pi = 0;

	for (uint64_t s = 0; s < nseries; s++) {
		uint32_t a = t->attr[start[s]], w, d, in;

		if (a >= t->na || t->evaluation[start[s]] > WS_EVAL_MISSED)
			return 0;
		w = t->ward[a];
		d = t->division[a];
		in = t->indicator[a];
		for (uint64_t r = start[s] + 1; r < start[s + 1]; r++) {
			uint32_t b = t->attr[r];

			if (b >= t->na || t->evaluation[r] > WS_EVAL_MISSED || t->year[r] <= t->year[r - 1] ||
			    (b != a && (t->ward[b] != w || t->division[b] != d || t->indicator[b] != in)))
				return 0;
		}
		if (s) {
			int c = cmp_codes(t, pw, w);

			if (!c)
				c = cmp_codes(t, pd, d);
			if (!c)
				c = cmp_codes(t, pi, in);
			if (c > 0 || (c == 0 && pw == w && pd == d && pi == in))
				return 0;
		}
		pw = w;
		pd = d;
		pi = in;
	}
	return 1;
}

/*
 * Every string code names a string and every string ends inside the arena;
 * every attribute-set code names a set; directions and verdicts are known
 * values; the series index runs from 0 to
 * nrows, strictly rising, over series in order (series_in_order). Fills
 * ix->start and the row order (the rows are stored in series order: row[i] =
 * i). Sets c->bad_codes on a violation.
 */
static void check_codes(struct check *c)
{
	const struct snap_header *hd = c->hd;
	struct ws_table *t = c->t;
	const uint32_t *cols[] = {t->ward, t->division, t->objective, t->indicator, t->unit};
	const uint64_t *start = (const uint64_t *)((const unsigned char *)t->map + hd->off[S_START]);

	for (uint64_t k = 0; k < hd->nstrings; k++)
		if (t->dict.off[k] + t->dict.len[k] >= hd->arena_len ||
		    t->dict.arena[t->dict.off[k] + t->dict.len[k]] != '\0')
			goto bad;
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		for (uint64_t a = 0; a < hd->nattr; a++)
			if (cols[k][a] >= hd->nstrings)
				goto bad;
	for (uint64_t a = 0; a < hd->nattr; a++)
		if (t->direction[a] > WS_DIR_LOWER)
			goto bad;
	for (uint64_t s = 0; s <= hd->nseries; s++) {
		c->ix->start[s] = start[s];
		if (start[s] > hd->nrows || (s && start[s] <= start[s - 1]) ||
		    (s == 0 && start[0] != 0) || (s == hd->nseries && start[s] != hd->nrows))
			goto bad;
	}
	if (!series_in_order(t, start, hd->nseries))
		goto bad;
	for (uint64_t i = 0; i < hd->nrows; i++)
		c->ix->row[i] = (uint32_t)i;
	return;
bad:
	c->bad_codes = 1;
}

static void *check_thread(void *arg)
{
	check_codes(arg);
	check_chunks(arg);
	return NULL;
}

int ws_snapshot_map(const char *path, int threads, struct ws_table *t, struct ws_index *ix,
		    struct ws_err *err)
{
	struct snap_header hd;
	struct stat st;
	uint64_t sz[S_COUNT];
	unsigned char *m;
	struct check c;
	pthread_t th;
	int fd = open(path, O_RDONLY);

	memset(&c, 0, sizeof(c));
	memset(t, 0, sizeof(*t));
	memset(ix, 0, sizeof(*ix));
	if (fd < 0)
		return ws_err_set(err, WS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (size_t)st.st_size < sizeof(hd)) {
		close(fd);
		return ws_err_set(err, WS_EPARSE, "%s: not a wardstat snapshot (too short)", path);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return ws_err_set(err, WS_EIO, "%s: cannot map: %s", path, strerror(errno));
	memcpy(&hd, m, sizeof(hd));
	if (memcmp(hd.magic, SNAP_MAGIC, 8) != 0 || hd.bom != SNAP_BOM) {
		munmap(m, (size_t)st.st_size);
		return ws_err_set(err, WS_EPARSE, "%s: not a wardstat snapshot of this machine's byte order", path);
	}
	if (hd.version != SNAP_VERSION) {
		munmap(m, (size_t)st.st_size);
		return ws_err_set(err, WS_EPARSE, "%s: snapshot version %u, this wardstat reads %u: ingest again",
				  path, hd.version, SNAP_VERSION);
	}
	sizes(hd.nrows, hd.nattr, hd.nseries, hd.nstrings, hd.arena_len, sz);
	int bad = hd.file_len != (uint64_t)st.st_size || hd.nrows > UINT32_MAX ||
		  hd.nstrings > UINT32_MAX || hd.nattr > UINT32_MAX;
	for (int k = 0; k < S_COUNT && !bad; k++)
		bad = hd.off[k] % 8 || hd.off[k] < sizeof(hd) || hd.off[k] > hd.file_len ||
		      sz[k] > hd.file_len - hd.off[k];
	if (bad) {
		munmap(m, (size_t)st.st_size);
		return ws_err_set(err, WS_EPARSE, "%s: snapshot damaged (checksum or sizes do not match)", path);
	}
	t->map = m;
	t->maplen = (size_t)st.st_size;
	t->n = t->cap = hd.nrows;
	t->attr = (uint32_t *)(m + hd.off[S_ATTR]);
	t->year = (int16_t *)(m + hd.off[S_YEAR]);
	t->target = (double *)(m + hd.off[S_TARGET]);
	t->actual = (double *)(m + hd.off[S_ACTUAL]);
	t->evaluation = m + hd.off[S_EVALUATION];
	t->na = t->a_cap = hd.nattr;
	t->ward = (uint32_t *)(m + hd.off[S_WARD]);
	t->division = (uint32_t *)(m + hd.off[S_DIVISION]);
	t->objective = (uint32_t *)(m + hd.off[S_OBJECTIVE]);
	t->indicator = (uint32_t *)(m + hd.off[S_INDICATOR]);
	t->unit = (uint32_t *)(m + hd.off[S_UNIT]);
	t->direction = m + hd.off[S_DIRECTION];
	t->dict.off = (uint64_t *)(m + hd.off[S_DICT_OFF]);
	t->dict.len = (uint32_t *)(m + hd.off[S_DICT_LEN]);
	t->dict.arena = (char *)(m + hd.off[S_ARENA]);
	t->dict.n = t->dict.cap = (uint32_t)hd.nstrings;
	t->dict.frozen = 1;
	t->dict.arena_len = t->dict.arena_cap = hd.arena_len;
	ix->nseries = hd.nseries;
	ix->nrows = hd.nrows;
	ix->start = malloc((hd.nseries + 1) * sizeof(*ix->start));
	ix->row = malloc((hd.nrows ? hd.nrows : 1) * sizeof(*ix->row));
	c.len = hd.file_len - sizeof(hd);
	c.nchunks = (size_t)((c.len + CHUNK - 1) / CHUNK);
	c.hashes = malloc((c.nchunks ? c.nchunks : 1) * sizeof(*c.hashes));
	if (!ix->start || !ix->row || !c.hashes) {
		free(c.hashes);
		ws_index_fini(ix);
		ws_table_fini(t);
		return ws_err_set(err, WS_ENOMEM, "out of memory");
	}
	/* the checksum's chunks on every thread; the codes on a helper (or here) */
	c.p = m + sizeof(hd);
	c.hd = &hd;
	c.t = t;
	c.ix = ix;
	atomic_init(&c.next, 0);
	if (c.nchunks > 1 && ws_engine_threads(threads) > 1 &&
	    pthread_create(&th, NULL, check_thread, &c) == 0) {
		check_chunks(&c);
		pthread_join(th, NULL);
	} else {
		check_codes(&c);
		check_chunks(&c);
	}
	{
		uint64_t h = 0;

		for (size_t k = 0; k < c.nchunks; k++)
			h = mix(h, c.hashes[k]);
		free(c.hashes);
		if ((h ^ c.len) != hd.checksum) {
			ws_index_fini(ix);
			ws_table_fini(t);
			return ws_err_set(err, WS_EPARSE, "%s: snapshot damaged (checksum or sizes do not match)", path);
		}
	}
	if (c.bad_codes) {
		ws_index_fini(ix);
		goto damaged;
	}
	return WS_OK;
damaged:
	ws_table_fini(t);
	return ws_err_set(err, WS_EPARSE, "%s: snapshot damaged (a string code or the series index is out of range or order)", path);
}
