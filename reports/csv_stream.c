/*
 * csv_stream.c: series.csv written as the statistics are computed, for the
 * CSV review in one pass (ws_report_csv_review).
 *
 * ws_stats_compute_blocks hands over a block of series at a time; each block
 * is formatted on the thread that computed it (ws_csv_series_row, csv.c) and
 * written, in order, by a writer thread while the next blocks are computed. A regular
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
 * The series table streamed from ws_stats_compute_blocks: the threads
 * computing the blocks format block k into slot k % nslot, once the block
 * that used the slot before, k - nslot, has been written; the writer thread
 * writes the slots in block order as they fill (the pipeline of csv.c's
 * whole tables, fed by the statistics). The lowest block not yet written is
 * always being computed or waiting in its slot, so nobody waits for ever;
 * nslot = 2 per computing thread is all the series text ever held, and the
 * writing overlaps the statistics. With one thread, or a small table, the
 * blocks come in order on the calling thread and are written there.
 */
#define MAX_SLOTS (2 * WS_MAX_THREADS)

struct stream {
	const struct ws_dict *d;
	atomic_uchar *marks;
	int excel;
	int core;            /* only the columns of FORMATS.md §2 */
	FILE *f;
	int nslot;
	struct {
		struct ws_csv_buf out;
		size_t done; /* block + 1 of the text in out, 0 = none yet */
	} slot[MAX_SLOTS];
	size_t nblocks;      /* blocks in all */
	int threaded;        /* a writer thread runs */
	pthread_t th;
	pthread_mutex_t mu;  /* guards the fields below */
	pthread_cond_t ready; /* a slot was filled, or the pass stops */
	pthread_cond_t freed; /* a block was written, or the writing stopped */
	size_t written;      /* blocks written */
	int quit;            /* the pass is over: the writer stops waiting */
	int abandon;         /* a block could not be computed: nobody waits for it */
	int rc;              /* the first write failure: WS_ENOMEM or WS_EIO */
	int err_no;          /* errno of a failed write */
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

/* Formats blk into out; WS_OK or WS_ENOMEM. */
static int format_block(struct stream *x, const struct ws_series_stats *blk, struct ws_csv_buf *out)
{
	out->len = 0;
	for (size_t i = 0; i < blk->n; i++)
		if (ws_csv_series_row(blk, i, x->d, x->marks, x->excel, x->core, out) != WS_OK)
			return WS_ENOMEM;
	return WS_OK;
}

/* Writes b; WS_OK or WS_EIO (x->err_no set). */
static int write_buf(struct stream *x, const struct ws_csv_buf *b)
{
	if (x->staged)
		return stage_put(x, b->buf, b->len);
	if (b->len && fwrite(b->buf, 1, b->len, x->f) != b->len) {
		x->err_no = errno ? errno : EIO;
		return WS_EIO;
	}
	return WS_OK;
}

static int stream_block(void *ctx, size_t k, const struct ws_series_stats *blk, size_t first)
{
	struct stream *x = ctx;
	size_t i = k % (size_t)x->nslot;
	int rc;

	(void)first;
	if (!x->threaded) { /* in order, on the calling thread: straight out */
		if (!blk || x->rc != WS_OK)
			return x->rc;
		if ((rc = format_block(x, blk, &x->slot[0].out)) == WS_OK)
			rc = write_buf(x, &x->slot[0].out);
		return x->rc = rc;
	}
	pthread_mutex_lock(&x->mu);
	if (!blk) {
		x->abandon = 1;
		pthread_cond_broadcast(&x->ready);
		pthread_cond_broadcast(&x->freed);
		pthread_mutex_unlock(&x->mu);
		return WS_OK;
	}
	while (x->rc == WS_OK && !x->abandon && k >= x->written + (size_t)x->nslot)
		pthread_cond_wait(&x->freed, &x->mu);
	rc = x->rc;
	pthread_mutex_unlock(&x->mu);
	if (rc != WS_OK)
		return rc;
	rc = format_block(x, blk, &x->slot[i].out);
	pthread_mutex_lock(&x->mu);
	if (rc != WS_OK && x->rc == WS_OK)
		x->rc = rc;
	x->slot[i].done = k + 1;
	pthread_cond_broadcast(&x->ready);
	rc = x->rc;
	pthread_mutex_unlock(&x->mu);
	return rc;
}

/* Writes the blocks in order as they are formatted; after the last, flushes
 * the file to the disk, while the caller rolls up, so that the commit's fsync
 * finds nothing left. */
static void *stream_writer(void *arg)
{
	struct stream *x = arg;
	int rc = WS_OK;

	for (size_t w = 0; w < x->nblocks && rc == WS_OK; w++) {
		struct ws_csv_buf *out = &x->slot[w % (size_t)x->nslot].out;

		pthread_mutex_lock(&x->mu);
		while (x->slot[w % (size_t)x->nslot].done != w + 1 && x->rc == WS_OK &&
		       !x->abandon && !x->quit)
			pthread_cond_wait(&x->ready, &x->mu);
		rc = x->slot[w % (size_t)x->nslot].done == w + 1 ? x->rc : WS_EUSAGE;
		pthread_mutex_unlock(&x->mu);
		if (rc != WS_OK) /* a failure, or the pass stopped short: nothing more to write */
			break;
		rc = write_buf(x, out);
		pthread_mutex_lock(&x->mu);
		if (rc != WS_OK && x->rc == WS_OK)
			x->rc = rc;
		x->written = w + 1;
		pthread_cond_broadcast(&x->freed);
		pthread_mutex_unlock(&x->mu);
	}
	if (rc == WS_OK && x->staged)
		rc = stage_flush(x, 1);
	if (rc == WS_OK && fflush(x->f) == 0)
		(void)fdatasync(fileno(x->f));
	else if (rc == WS_EUSAGE)
		rc = WS_OK; /* stopped short: the statistics' failure is the one to report */
	pthread_mutex_lock(&x->mu);
	if (rc != WS_OK && x->rc == WS_OK)
		x->rc = rc;
	pthread_cond_broadcast(&x->freed);
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* Computes the statistics and writes the series table to f as they come. */
int ws_report_csv_stream(const struct ws_table *t, const struct ws_csv_live *lv,
			 const struct ws_report_opts *o, FILE *f, const char *name,
			 struct ws_err *err)
{
	struct stream x;
	struct ws_stats_sink sink = {.block = stream_block, .ctx = &x};
	struct ws_stats_opts so = *lv->so;
	double t0 = ws_engine_now();
	int rc, threads = ws_engine_threads(o->threads);

	memset(&x, 0, sizeof(x));
	x.d = &t->dict;
	x.excel = o->excel;
	x.core = o->core;
	x.f = f;
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
	x.nslot = 2 * threads;
	x.nblocks = (lv->ix->nseries + WS_CSV_BLOCK_ROWS - 1) / WS_CSV_BLOCK_ROWS;
	if (lv->ix->nseries >= 4 * WS_CSV_BLOCK_ROWS && threads > 1 &&
	    pthread_mutex_init(&x.mu, NULL) == 0) {
		if (pthread_cond_init(&x.ready, NULL) == 0) {
			if (pthread_cond_init(&x.freed, NULL) == 0) {
				if (pthread_create(&x.th, NULL, stream_writer, &x) == 0)
					x.threaded = 1;
				else
					pthread_cond_destroy(&x.freed);
			}
			if (!x.threaded)
				pthread_cond_destroy(&x.ready);
		}
		if (!x.threaded)
			pthread_mutex_destroy(&x.mu);
	}
	if (!x.threaded) /* the blocks must come in order: one computing thread */
		so.threads = 1;
	sink.block_series = WS_CSV_BLOCK_ROWS;
	rc = x.rc == WS_OK ? ws_stats_compute_blocks(t, lv->ix, &so, &sink, lv->st, err) : x.rc;
	if (x.threaded) {
		pthread_mutex_lock(&x.mu);
		x.quit = 1;
		pthread_cond_broadcast(&x.ready);
		pthread_mutex_unlock(&x.mu);
		pthread_join(x.th, NULL);
		pthread_cond_destroy(&x.freed);
		pthread_cond_destroy(&x.ready);
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
	for (int i = 0; i < MAX_SLOTS; i++)
		free(x.slot[i].out.buf);
	free(x.marks);
	free(x.stage);
	if (lv->t_stats)
		*lv->t_stats = ws_engine_now() - t0;
	return rc;
}

