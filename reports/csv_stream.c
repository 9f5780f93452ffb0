/*
 * csv_stream.c: series.csv written as the statistics are computed, for the
 * CSV review in one pass (ws_report_csv_review).
 *
 * ws_stats_compute_blocks hands over a block of series at a time; each block
 * is formatted on the thread that computed it (ws_csv_series_row, csv.c) and
 * written by a writer thread while the next round is computed. A regular
 * file is written direct to the disk (O_DIRECT) in whole 4 KiB blocks from an
 * aligned staging buffer.
 */
#define _GNU_SOURCE /* O_DIRECT (Linux), to write series.csv past the page cache */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report_internal.h"

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
	int core;            /* only the columns of FORMATS.md §2 */
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
		if (ws_csv_series_row(blk, i, x->d, x->marks, x->excel, x->core, out) != WS_OK)
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


/* Computes the statistics and writes the series table to f as they come. */
int ws_report_csv_stream(const struct ws_table *t, const struct ws_csv_live *lv,
			 const struct ws_report_opts *o, FILE *f, const char *name,
			 struct ws_err *err)
{
	struct stream x;
	struct ws_stats_sink sink = {.block = stream_block, .round = stream_round, .ctx = &x};
	double t0 = ws_engine_now();
	int rc;

	memset(&x, 0, sizeof(x));
	x.d = &t->dict;
	x.excel = o->excel;
	x.core = o->core;
	x.f = f;
	x.total = lv->ix->nseries;
	if (!(x.marks = ws_csv_marks_new(&t->dict)))
		return ws_err_set(err, WS_ENOMEM, "out of memory");
	/* the header: the first bytes of the file, through the stage when staged */
	if (lv->ix->nseries >= 4 * WS_CSV_BLOCK_ROWS)
		stage_open(&x, f);
	{
		char h[1024]; /* the BOM and 35 column names */
		size_t n = 0;

		if (o->excel)
			memcpy(h, "\xEF\xBB\xBF", 3), n = 3;
		for (size_t c = 0; c < ws_csv_ncols(WS_TAB_SERIES, o); c++) {
			const char *name_c = ws_tab_col(WS_TAB_SERIES, c);

			if (c)
				h[n++] = ',';
			memcpy(h + n, name_c, strlen(name_c));
			n += strlen(name_c);
		}
		h[n++] = '\n';
		if (x.staged)
			x.rc = stage_put(&x, h, n);
		else if (fwrite(h, 1, n, f) != n)
			x.rc = WS_EIO, x.err_no = errno ? errno : EIO;
	}
	/* a writer thread when there is more than a few blocks and more than one core */
	if (lv->ix->nseries >= 4 * WS_CSV_BLOCK_ROWS && ws_engine_threads(o->threads) > 1 &&
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
	sink.block_series = WS_CSV_BLOCK_ROWS;
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
		*lv->t_stats = ws_engine_now() - t0;
	return rc;
}

