/*
 * reader.c: reads CSV files of indicator histories into the column table.
 *
 * Design note. A file is loaded whole (mmap for regular UTF-8 files, a
 * converted copy for CP932), then cut into records by a small quote-aware
 * scanner that knows the physical line where each record starts; each record
 * is handed to libcsv, which splits and unquotes the fields (row.c then
 * turns the fields into observations). Keeping the
 * record boundaries ourselves gives what libcsv does not track: line numbers
 * that stay right after quoted newlines, and the verbatim text of a row for
 * the rejects file. Fields are copied into one scratch buffer reused for
 * every record, so the hot path allocates nothing per row. The common record,
 * with no quote in it, skips libcsv: split_plain cuts it at the delimiters in
 * place, which is all libcsv would do with it.
 *
 * The first record is the header. Its names are matched against the aliases
 * of FORMATS.md §1a (any case, full- or half-width). A `year` column means the
 * long layout; otherwise columns such as `R4目標` or `2022_target` mean the
 * sheet layout (§1b), where each row becomes one observation per year.
 */
#include "ingest_internal.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>



/* Words of 8 bytes: is any byte zero, or equal to c? (Bit-twiddling hacks.) */
#define ONES 0x0101010101010101ull
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & 0x8080808080808080ull)
#define HAS_BYTE(v, c) HAS_ZERO((v) ^ (ONES * (unsigned char)(c)))

/*
 * The first flagged byte of a word loaded with memcpy, m being a non-zero
 * OR of HAS_ZERO/HAS_BYTE masks: the lowest flag of each mask is exact (a
 * borrow only runs towards higher bytes), so the lowest of all is the first
 * byte that matched. Little-endian: byte k of the text is bits 8k..8k+7.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m) ((size_t)__builtin_ctzll(m) / 8)
#else
#define FIRST_FLAGGED(m) ((size_t)0) /* no shortcut: the byte loop that follows finds it */
#endif

/* ---- libcsv callbacks ----------------------------------------------------- */


/* Makes room for one more field offset and length; sets r->oom when it cannot. */
static int grow_fields(struct reader *r)
{
	size_t cap = r->fcap ? r->fcap * 2 : 64;
	size_t *a = realloc(r->foff, cap * sizeof(*a)), *b;

	if (!a) {
		r->oom = 1;
		return WS_ENOMEM;
	}
	r->foff = a;
	b = realloc(r->flen, cap * sizeof(*b));
	if (!b) {
		r->oom = 1;
		return WS_ENOMEM;
	}
	r->flen = b;
	r->fcap = cap;
	return WS_OK;
}

static void on_field(void *field, size_t len, void *data)
{
	struct reader *r = data;

	if (r->oom)
		return;
	if (r->nf >= r->max_cols) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = ws_bad_columns;
		}
		r->nf++;
		return;
	}
	if (!field)
		len = 0;
	if (len > r->max_field) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = ws_bad_long;
		}
		len = 0;
	} else if (r->nul && len && memchr(field, '\0', len)) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = ws_bad_nul;
		}
	}
	if (r->nf == r->fcap && grow_fields(r) != WS_OK)
		return;
	if (r->fb_len + len + 1 > r->fb_cap) {
		size_t cap = r->fb_cap ? r->fb_cap : 4096;
		char *p;

		while (cap < r->fb_len + len + 1)
			cap *= 2;
		p = realloc(r->fb, cap);
		if (!p) {
			r->oom = 1;
			return;
		}
		r->fb = p;
		r->fb_cap = cap;
	}
	if (len)
		memcpy(r->fb + r->fb_len, field, len);
	r->fb[r->fb_len + len] = '\0';
	r->foff[r->nf] = r->fb_len;
	r->flen[r->nf] = len;
	r->fb_len += len + 1;
	r->nf++;
}

static void on_record(int term, void *data)
{
	(void)term;
	(void)data;
}

/* ---- the record loop ---------------------------------------------------------- */

int ws_reader_parser(void *parser, char delim)
{
	struct csv_parser *p = parser;

	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL))
		return WS_ENOMEM;
	csv_set_delim(p, (unsigned char)delim);
	return WS_OK;
}

/* How parse_record ended. */
enum { PARSED = 0, STRAY_QUOTE, UNCLOSED_QUOTE, TOO_LONG };

/*
 * Feeds the current record to libcsv. libcsv holds the field being read in
 * a buffer that grows with it, so a record longer than the field limit goes
 * in 64 KiB steps, and a field that runs far past the limit is marked and the
 * rest of the record skipped: memory stays bounded by the limit. Unless
 * PARSED, the parser must be set up anew.
 */
static int parse_record(struct reader *r, struct csv_parser *p)
{
	size_t max_field = r->max_field;
	size_t step = r->rec_len, done = 0;

	if (step > max_field) /* 64 KiB steps, smaller under a smaller limit */
		step = max_field < ((size_t)1 << 16) ? max_field : (size_t)1 << 16;
	while (done < r->rec_len) {
		size_t k = r->rec_len - done < step ? r->rec_len - done : step;

		if (csv_parse(p, r->rec + done, k, on_field, on_record, r) != k)
			return STRAY_QUOTE;
		done += k;
		if (p->entry_pos > max_field + step) {
			if (!r->bad_col) {
				r->bad_col = r->nf + 1;
				r->bad_what = ws_bad_long;
			}
			return TOO_LONG;
		}
	}
	return csv_fini(p, on_field, on_record, r) != 0 ? UNCLOSED_QUOTE : PARSED;
}

/*
 * The fast path for the common record: splits it at the delimiter, each field
 * pointing into the record itself, nothing copied. libcsv parses CSV; this
 * only takes the records where that is trivial: with no quote in the record,
 * RFC 4180 makes a field exactly the text between two delimiters (the record
 * holds no line end either: the scanner cut it at the first one). So only a
 * record the scanner saw no quote and no NUL in, not longer than the field
 * limit (no field can pass it) and with at most the column limit of fields
 * comes here; libcsv takes every other record and finds what is wrong with it.
 * The header always goes to libcsv (ws_reader_header sizes its copy of the
 * names from fb_len).
 *
 * libcsv trims spaces and tabs around an unquoted field; these fields keep
 * them, and ws_reader_field, through which every field is read, trims them
 * the same. A blank record (nothing, or spaces only) gives one empty field
 * where libcsv gives none: all_empty takes both as a blank line, neither as
 * an empty row. Returns 1 when it split the record, 0 to leave it to libcsv.
 */
static int split_plain(struct reader *r)
{
	const char *s = r->rec;
	size_t len = r->rec_len, b = 0, nf = 0;
	char delim = r->delim;

	if (r->quote || r->nul || len > r->max_field || !r->header_done)
		return 0;
	for (size_t i = 0;; i++) {
		/* to the next delimiter, eight bytes at a time (fields are too
		 * short for memchr to pay) */
		for (uint64_t w, m;; i += 8) {
			if (i + 8 > len) { /* the last bytes, one at a time */
				while (i < len && s[i] != delim)
					i++;
				break;
			}
			memcpy(&w, s + i, 8);
			if ((m = HAS_BYTE(w, delim)) != 0) {
				i += FIRST_FLAGGED(m);
				while (s[i] != delim) /* (none to walk on little-endian) */
					i++;
				break;
			}
		}
		if (nf == r->max_cols)
			return 0; /* one field too many: libcsv flags it */
		if (nf == r->fcap && grow_fields(r) != WS_OK)
			return 1; /* taken, and r->oom tells take_record */
		r->foff[nf] = b;
		r->flen[nf] = i - b;
		nf++;
		if (i == len)
			break;
		b = i + 1;
	}
	r->nf = nf;
	r->fbase = s;
	return 1;
}

/* True when every field of the current record is empty or spaces. */
static int all_empty(const struct reader *r)
{
	for (size_t c = 0; c < r->nf; c++) {
		size_t n;

		ws_reader_field(r, c, &n);
		if (n)
			return 0;
	}
	return 1;
}

/* Splits one record (split_plain, else libcsv) and takes it as header or row. */
static int take_record(struct reader *r, struct csv_parser *p)
{
	char what[160], q[340];
	const char *cell;
	size_t n;
	int how = PARSED;

	r->nf = 0;
	r->bad_col = 0;
	r->bad_what = NULL;
	if (!split_plain(r)) {
		r->fb_len = 0;
		how = parse_record(r, p);
		r->fbase = r->fb; /* set after: fb moves as it grows */
	}
	if (r->oom)
		return ws_err_set(r->err, WS_ENOMEM, "%s: out of memory", r->path);
	if (how != PARSED) {
		csv_free(p);
		if (ws_reader_parser(p, r->delim))
			return ws_err_set(r->err, WS_ENOMEM, "%s: out of memory", r->path);
	}
	if (how == STRAY_QUOTE || how == UNCLOSED_QUOTE) {
		snprintf(what, sizeof(what), "malformed CSV: %s",
			 how == STRAY_QUOTE ? "stray quote (quote the whole field and double the quotes in it)"
					    : r->unclosed_line
						      ? "quote never closed (none follows before the end of the file: the row is taken to end at its line)"
						      : "quote never closed (the field runs to the end of the file)");
		cell = ws_ingest_raw_field(r->rec, r->rec_len, r->delim, r->nf + 1, &n);
		if (!r->header_done)
			return ws_err_set(r->err, WS_EPARSE, "%s:%u:%zu: header: %s, '%s'", r->path,
					  r->line, r->nf + 1, what, ws_ingest_quote(cell, n, q, sizeof(q)));
		r->log->rows_read++;
		return ws_reader_reject(r, r->nf + 1, what, cell, n);
	}
	if (r->bad_col && !r->header_done) { /* the header is over a limit: input unusable */
		ws_reader_bad_field(r, what, sizeof(what), &cell, &n);
		if (r->bad_what == ws_bad_nul) { /* a workbook, UTF-16, or other binary data */
			snprintf(what, sizeof(what),
				 "NUL byte: binary data, not CSV text (save a workbook as CSV UTF-8)");
			cell = NULL;
		}
		if (!cell)
			return ws_err_set(r->err, WS_EPARSE, "%s:%u:%zu: header: %s", r->path,
					  r->line, r->bad_col, what);
		return ws_err_set(r->err, WS_EPARSE, "%s:%u:%zu: header: %s, '%s'", r->path, r->line,
				  r->bad_col, what, ws_ingest_quote(cell, n, q, sizeof(q)));
	}
	/* a blank line is not a row; nor is a line of delimiters only (",,,,",
	 * what spreadsheets export for an empty row): it is counted, not rejected */
	if (!r->bad_col && all_empty(r)) {
		if (r->nf > 1 && r->header_done)
			r->log->blank_rows++;
		return WS_OK;
	}
	if (!r->header_done) {
		int rc;

		r->header_done = 1;
		if ((rc = ws_reader_header(r)) == WS_OK)
			ws_reader_attr_prefix(r);
		return rc;
	}
	if (r->timing)
		r->t_split = ws_engine_now();
	return ws_reader_row(r);
}

/*
 * Gives back the pages of a mapped file below s + b: the records there are
 * taken (rejects keep copies of their text), and a mapped file's pages would
 * otherwise count in the resident size until the end. Pages of a private file
 * mapping come back from the file if they are touched again.
 */
static void drop_behind(struct reader *r, const char *s, size_t b)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)(s + r->dropped) + page - 1) & ~(page - 1);
	uintptr_t hi = (uintptr_t)(s + b) & ~(page - 1);

	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
	r->dropped = b;
}

/* Stray quotes recovered from, per file, before the rest is one record. */
#define MAX_RECOVERIES 100

/* Where the record scanner stands: what a quote would mean there. */
enum scan_state { START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED };

/*
 * Skips from i over whole 8-byte words that hold no quote, CR, LF or NUL:
 * the bytes that can end a record or change its quoting, and over the plain
 * bytes of the word that holds one. Returns where the byte-by-byte scan must
 * resume.
 */
static size_t skip_plain(const char *s, size_t i, size_t len)
{
	while (i + 8 <= len) {
		uint64_t w, m;

		memcpy(&w, s + i, 8);
		m = HAS_BYTE(w, '"') | HAS_BYTE(w, '\n') | HAS_BYTE(w, '\r') | HAS_ZERO(w);
		if (m)
			return i + FIRST_FLAGGED(m); /* the plain bytes before it too */
		i += 8;
	}
	return i;
}

/*
 * The scanner's state at k after skipped plain bytes: at the start of a field
 * (a quote would open a quoted field) when only spaces or tabs stand between
 * k and the last delimiter or the record start b, else inside a plain field.
 */
static enum scan_state state_after(const char *s, size_t b, size_t k, char delim)
{
	size_t j = k;

	while (j > b && s[j - 1] != delim && (s[j - 1] == ' ' || s[j - 1] == '\t'))
		j--;
	return (j == b || s[j - 1] == delim) ? START : UNQUOTED;
}

int ws_reader_scan(struct reader *r, void *parser, const char *s, size_t len, char delim,
		   int final, size_t *used)
{
	enum scan_state st = START;
	struct csv_parser *p = parser;
	uint32_t line = r->line;
	size_t b = 0, i = 0;
	int rc;

	r->clean = 0;
	r->dropped = 0;
	r->nul = 0;
	r->quote = 0;
again:
	while (i < len) {
		char c;

		if (st == START || st == UNQUOTED) { /* most bytes: eight at a time */
			size_t k = skip_plain(s, i, len);

			if (k > i) {
				st = state_after(s, b, k, delim);
				i = k;
				if (i == len)
					break;
			}
		}
		c = s[i];
		if (c == '\0')
			r->nul = 1; /* the fields of this record get checked for it */
		if (st == QUOTED) {
			if (c == '"')
				st = QUOTE_IN_QUOTED;
			else if (c == '\n')
				line++;
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			double t0 = 0;

			r->rec = s + b;
			r->rec_len = i - b;
			/* one record in 64 is timed, from the end of the one before */
			if ((r->timing = (++r->nrec & 63) == 0 && r->mark > 0)) {
				t0 = ws_engine_now();
				r->log->s_scan += t0 - r->mark;
				r->t_split = 0;
			}
			rc = take_record(r, p);
			if (r->timing) {
				double t2 = ws_engine_now();

				if (r->t_split > 0) { /* a row was taken */
					r->log->s_split += r->t_split - t0;
					r->log->s_take += t2 - r->t_split;
				}
				r->timing = 0;
			}
			r->mark = (r->nrec & 63) == 63 ? ws_engine_now() : 0;
			r->nul = 0;
			r->quote = 0;
			if (rc != WS_OK)
				return rc;
			if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			i++;
			line++;
			b = i;
			r->line = line;
			st = START;
			if (r->header_only && r->header_done)
				break;
			if (r->mapped && b - r->dropped >= (32u << 20))
				drop_behind(r, s, b);
			if (r->o->progress && i >= r->next_report) {
				/* chunk 0 of a parallel read stands for all chunks */
				r->o->progress(r->o->progress_ctx, r->path,
					       (size_t)((double)i * r->progress_scale),
					       r->progress_total);
				r->next_report = i + (16u << 20);
			}
			continue;
		}
		if (c == delim) {
			st = START;
		} else if (c == '"') { /* every quote outside QUOTED, and the first of any record */
			r->quote = 1;
			st = (st == START) ? QUOTED : (st == QUOTE_IN_QUOTED ? QUOTED : UNQUOTED);
		} else if (st == QUOTE_IN_QUOTED || (st == START && c != ' ' && c != '\t')) {
			st = UNQUOTED;
		}
		i++;
	}
	*used = b;
	r->clean = b == len;
	if (b < len && final && r->header_done && !r->header_only &&
	    st == QUOTED && r->recoveries < MAX_RECOVERIES) {
		/* (QUOTE_IN_QUOTED is a quoted field closed right at the end: whole) */
		/* a quote opened and never closed before the end of the file: it was a
		 * stray quote, not a field running on; the row ends at its line end,
		 * is rejected as such, and reading resumes on the next line */
		const char *nl = memchr(s + b, '\n', len - b);

		if (nl && (size_t)(nl - s) + 1 < len) {
			size_t e = (size_t)(nl - s);

			r->rec = s + b;
			r->rec_len = e - b - (e > b && s[e - 1] == '\r');
			r->recoveries++;
			r->unclosed_line = 1;
			rc = take_record(r, p);
			r->unclosed_line = 0;
			r->nul = 0;
			r->quote = 0;
			if (rc != WS_OK)
				return rc;
			b = i = e + 1;
			line = ++r->line;
			st = START;
			goto again;
		}
	}
	if (b < len && final && !(r->header_only && r->header_done)) {
		r->rec = s + b;
		r->rec_len = len - b;
		*used = len;
		rc = take_record(r, p);
		r->nul = 0;
		r->quote = 0;
		return rc;
	}
	return WS_OK;
}

static void reader_fini(struct reader *r)
{
	free(r->role);
	free(r->slot);
	free(r->kind);
	free(r->hdr);
	free(r->hdr_off);
	r->role = NULL;
	r->slot = NULL;
	r->kind = NULL;
	r->hdr = NULL;
	r->hdr_off = NULL;
}

/* One pass over a file: load it in `encoding`, the header, then the rows (in
 * parallel when large). */
static int read_text(struct reader *r, const char *path, const char *encoding)
{
	struct csv_parser p;
	struct text x;
	char delim = r->o->delimiter;
	size_t head = 0, rest = 0;
	int rc, done = 0;
	double t0;

	r->path = path;
	r->prev_ok = 0; /* codes of another file's read (or encoding) mean nothing here */
	r->nrec = 0;
	r->mark = 0;
	r->recoveries = 0;
	r->header_done = 0;
	r->newest = INT32_MIN;
	r->nyears = 0;
	r->sheet = 0;
	r->line = 1;
	t0 = ws_engine_now();
	if ((rc = ws_text_load(path, encoding, &x, &r->check_utf8, r->err)))
		return rc;
	r->log->bytes += x.len;
	r->log->t_read += ws_engine_now() - t0;
	t0 = ws_engine_now();
	if (!delim) { /* a header with tabs and no comma is tab-separated */
		const char *nl = memchr(x.data, '\n', x.len);
		size_t hl = nl ? (size_t)(nl - x.data) : x.len;

		delim = (memchr(x.data, '\t', hl) && !memchr(x.data, ',', hl)) ? '\t' : ',';
	}
	r->delim = delim;
	if (ws_reader_parser(&p, delim)) {
		ws_text_free(&x);
		return ws_err_set(r->err, WS_ENOMEM, "out of memory");
	}
	r->mapped = x.map != NULL && x.data >= (char *)x.map &&
		    x.data < (char *)x.map + x.maplen;
	r->progress_total = x.len;
	r->progress_scale = 1.0;
	r->next_report = 16u << 20;
	r->header_only = 1;
	rc = ws_reader_scan(r, &p, x.data, x.len, delim, 1, &head);
	r->header_only = 0;
	if (rc == WS_OK && !r->header_done)
		rc = ws_err_set(r->err, WS_ESCHEMA, "%s: no header (the file is empty)", path);
	if (rc == WS_OK)
		rc = ws_ingest_parallel(r, x.data + head, x.len - head, delim, &done);
	if (rc == WS_OK && !done) {
		r->progress_scale = 1.0;
		r->next_report = 16u << 20;
		rc = ws_reader_scan(r, &p, x.data + head, x.len - head, delim, 1, &rest);
	}
	if (rc == WS_OK && r->o->progress)
		r->o->progress(r->o->progress_ctx, path, x.len, x.len);
	if (rc != WS_OK && r->err->code == WS_OK)
		rc = ws_err_set(r->err, rc, "%s: %s", path, ws_strerror(rc));
	csv_free(&p);
	ws_text_free(&x);
	reader_fini(r);
	r->log->t_parse += ws_engine_now() - t0;
	return rc;
}

/*
 * Reads one file into t. A file that declared nothing is read as UTF-8 and
 * its new strings are checked as they come; at the first that is not UTF-8,
 * what this file added is rolled back and it is read again as CP932.
 */
static int read_file(struct reader *r, const char *path)
{
	struct ws_ingest_log saved = *r->log;
	size_t rows = r->t->n;
	int rc;

	r->restart = 0;
	if ((rc = ws_dict_intern(&r->t->dict, path, strlen(path), &r->fcode)))
		return ws_err_set(r->err, rc, "out of memory");
	rc = read_text(r, path, r->o->encoding);
	if (r->restart) {
		ws_log_rollback(r->log, &saved, r->t, rows);
		r->err->code = WS_OK;
		r->err->msg[0] = '\0';
		r->restart = 0;
		rc = read_text(r, path, WS_ENC_RETRY);
	}
	return rc;
}

int ws_ingest_files(const char *const *paths, size_t npaths, const struct ws_ingest_opts *o,
		    struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		    struct ws_err *err)
{
	struct reader r;
	uint32_t *fcode = NULL;
	int32_t *newest = NULL;
	int rc;

	memset(log, 0, sizeof(*log));
	memset(ix, 0, sizeof(*ix));
	memset(&r, 0, sizeof(r));
	err->code = WS_OK;
	err->msg[0] = '\0';
	if ((rc = ws_table_init(t)))
		return ws_err_set(err, rc, "out of memory");
	r.t = t;
	r.log = log;
	r.o = o;
	r.err = err;
	r.max_field = o->max_field ? o->max_field : (size_t)1 << 20;
	r.max_cols = o->max_columns ? o->max_columns : 1000;
	fcode = calloc(npaths ? npaths : 1, sizeof(*fcode));
	newest = calloc(npaths ? npaths : 1, sizeof(*newest));
	if (!fcode || !newest) {
		rc = ws_err_set(err, WS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = ws_dict_intern(&t->dict, o->ward ? o->ward : "", o->ward ? strlen(o->ward) : 0,
				 &r.ward_default)))
		goto out;
	for (size_t k = 0; k < npaths; k++) {
		if ((rc = read_file(&r, paths[k])) != WS_OK)
			goto out;
		fcode[k] = r.fcode;
		newest[k] = r.newest;
		log->files++;
	}
	{
		double t0 = ws_engine_now();

		if ((rc = ws_index_build(t, ix, err)) == WS_OK)
			rc = ws_ingest_merge(t, ix, log, fcode, newest, npaths, err);
		log->t_group = ws_engine_now() - t0;
	}
out:
	free(r.fb);
	free(r.foff);
	free(r.flen);
	free(fcode);
	free(newest);
	return rc;
}
