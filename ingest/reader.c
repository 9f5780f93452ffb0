/*
 * reader.c: reads CSV files of indicator histories into the column table.
 *
 * Design note. A file is loaded whole (mmap for regular UTF-8 files, a
 * converted copy for CP932), then cut into records by a small quote-aware
 * scanner that knows the physical line where each record starts; each record
 * is handed to libcsv, which splits and unquotes the fields. Keeping the
 * record boundaries ourselves gives what libcsv does not track: line numbers
 * that stay right after quoted newlines, and the verbatim text of a row for
 * the rejects file. Fields are copied into one scratch buffer reused for
 * every record, so the hot path allocates nothing per row.
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
#include <unistd.h>

enum role {
	R_NONE = 0, R_WARD, R_DIVISION, R_OBJECTIVE, R_INDICATOR, R_UNIT, R_DIRECTION,
	R_YEAR, R_TARGET, R_ACTUAL, R_EVALUATION, R_NOTE, R_SHEET, R_COUNT
};

static const char *const role_name[R_COUNT] = {
	"", "ward", "division", "objective", "indicator", "unit", "direction",
	"year", "target", "actual", "evaluation", "note", "year column"
};

/* Header aliases, compared after folding width and ASCII case. */
static const struct alias {
	int role;
	const char *name;
} aliases[] = {
	{R_WARD, "ward"}, {R_WARD, "区"}, {R_WARD, "区名"}, {R_WARD, "自治体"},
	{R_DIVISION, "division"}, {R_DIVISION, "課"}, {R_DIVISION, "組織名"},
	{R_DIVISION, "部署"}, {R_DIVISION, "所属"},
	{R_OBJECTIVE, "objective"}, {R_OBJECTIVE, "組織目標"}, {R_OBJECTIVE, "目標番号"},
	{R_OBJECTIVE, "no."},
	{R_INDICATOR, "indicator"}, {R_INDICATOR, "指標"}, {R_INDICATOR, "項目"},
	{R_UNIT, "unit"}, {R_UNIT, "単位"},
	{R_DIRECTION, "direction"}, {R_DIRECTION, "方向"},
	{R_YEAR, "year"}, {R_YEAR, "年度"},
	{R_TARGET, "target"}, {R_TARGET, "目標"}, {R_TARGET, "目標値"},
	{R_ACTUAL, "actual"}, {R_ACTUAL, "実績"}, {R_ACTUAL, "結果"}, {R_ACTUAL, "実績値"},
	{R_EVALUATION, "evaluation"}, {R_EVALUATION, "評価"},
	{R_NOTE, "note"}, {R_NOTE, "補足"}, {R_NOTE, "備考"}, {R_NOTE, "補足・参考指標"},
};

/* Kind words of a sheet-layout year column, longest first. */
static const struct kind {
	const char *word;
	char kind; /* 't' target, 'a' actual */
} kinds[] = {
	{"実績値", 'a'}, {"目標値", 't'}, {"実績", 'a'}, {"結果", 'a'}, {"目標", 't'},
	{"actual", 'a'}, {"target", 't'},
};

#define MAX_YEARS 256 /* distinct years in one sheet-layout header */

struct reader {
	struct ws_table *t;
	struct ws_ingest_log *log;
	const struct ws_ingest_opts *o;
	struct ws_err *err;
	const char *path;
	uint32_t fcode;           /* dict code of path */
	uint32_t ward_default;    /* dict code of --ward */
	int check_utf8;           /* the file had invalid UTF-8: check string fields */
	int32_t newest;           /* newest year used from this file */
	uint32_t last[R_COUNT];   /* code of the previous row's string, per role */
	/* header */
	int header_done;
	size_t ncols;
	int *role;                /* role per column */
	int16_t *slot;            /* sheet layout: year slot per column */
	char *kind;               /* sheet layout: 't' or 'a' per column */
	int col[R_COUNT];         /* column of each single role, -1 = absent */
	int sheet;                /* 1 = sheet layout */
	int nyears;               /* sheet layout: distinct years */
	int32_t years[MAX_YEARS]; /* sheet layout: the years, ascending */
	char *hdr;                /* header names, NUL-separated */
	size_t *hdr_off;          /* offset of column c's name in hdr */
	/* current record */
	char *fb;                 /* field bytes, each field NUL-terminated */
	size_t fb_len, fb_cap;
	size_t *foff;             /* offset of field c in fb */
	size_t *flen;             /* length of field c */
	size_t nf, fcap;          /* fields in the record, and allocated */
	size_t bad_col;           /* first field over a limit (1-based), 0 = none */
	const char *bad_what;     /* which limit */
	int oom;
	const char *rec;          /* the record, verbatim */
	size_t rec_len;
	uint32_t line;            /* line where the record starts */
};

/* ---- loading and encodings ------------------------------------------------ */

/* Offset of the first byte that is not valid UTF-8, or len when all is. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ull) == 0) {
				i += 8;
				continue;
			}
		}
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			k = 2, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			k = 3, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			k = 4, cp = c & 0x07;
		else
			return i;
		if (i + k > len)
			return i;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += k;
	}
	return len;
}

/* Line and byte column (1-based) of offset off in s. */
static void position(const char *s, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1;
	size_t b = 0;

	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n') {
			l++;
			b = i + 1;
		}
	*line = l;
	*col = (uint32_t)(off - b + 1);
}

/* Converts CP932 to UTF-8 with iconv. *out is malloc'd; caller frees. */
static int from_cp932(const char *in, size_t len, char **out, size_t *olen, size_t *bad)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 16, il = len, ol = cap;
	char *ip = (char *)in, *buf, *op;

	if (cd == (iconv_t)-1)
		return WS_EUSAGE;
	buf = malloc(cap);
	if (!buf) {
		iconv_close(cd);
		return WS_ENOMEM;
	}
	op = buf;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
		*bad = (size_t)(ip - in);
		free(buf);
		iconv_close(cd);
		return WS_EPARSE;
	}
	iconv_close(cd);
	*out = buf;
	*olen = (size_t)(op - buf);
	return WS_OK;
}

/* The loaded text of one file. */
struct text {
	char *data;    /* the bytes (after the BOM) */
	size_t len;
	void *map;     /* mmap base, or NULL */
	size_t maplen;
	char *owned;   /* malloc'd buffer, or NULL */
};

static void text_free(struct text *x)
{
	if (x->map)
		munmap(x->map, x->maplen);
	free(x->owned);
	memset(x, 0, sizeof(*x));
}

/* Loads path whole; decides the encoding; sets *check_utf8 for damaged UTF-8. */
static int load(const char *path, const char *encoding, struct text *x, int *check_utf8,
		struct ws_err *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	int cp932;

	memset(x, 0, sizeof(*x));
	*check_utf8 = 0;
	if (fd < 0)
		return ws_err_set(err, WS_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;

		close(fd);
		return ws_err_set(err, WS_EIO, "%s: cannot read: %s", path, strerror(e));
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		x->maplen = (size_t)st.st_size;
		x->map = mmap(NULL, x->maplen, PROT_READ, MAP_PRIVATE, fd, 0);
		if (x->map == MAP_FAILED) {
			x->map = NULL;
		} else {
			madvise(x->map, x->maplen, MADV_SEQUENTIAL);
			x->data = x->map;
			x->len = x->maplen;
		}
	}
	if (!x->map) { /* a pipe, an empty file, or mmap refused: read it */
		size_t cap = 1 << 20;
		ssize_t r;

		x->owned = malloc(cap);
		while (x->owned && (r = read(fd, x->owned + x->len, cap - x->len)) != 0) {
			if (r < 0) {
				int e = errno;

				close(fd);
				text_free(x);
				return ws_err_set(err, WS_EIO, "%s: read error: %s", path, strerror(e));
			}
			x->len += (size_t)r;
			if (x->len == cap) {
				char *p = realloc(x->owned, cap *= 2);

				if (!p)
					break;
				x->owned = p;
			}
			if (!x->owned)
				break;
		}
		if (!x->owned || x->len == cap) {
			close(fd);
			text_free(x);
			return ws_err_set(err, WS_ENOMEM, "%s: out of memory", path);
		}
		x->data = x->owned;
	}
	close(fd);

	if (x->len >= 3 && memcmp(x->data, "\xEF\xBB\xBF", 3) == 0) {
		x->data += 3;
		x->len -= 3;
		cp932 = encoding && strcmp(encoding, "cp932") == 0;
	} else if (encoding) {
		cp932 = strcmp(encoding, "cp932") == 0;
	} else {
		cp932 = utf8_invalid_at((const unsigned char *)x->data, x->len) != x->len;
		if (!cp932)
			return WS_OK;
	}
	if (cp932) {
		char *u;
		size_t ul, bad = 0;
		int rc = from_cp932(x->data, x->len, &u, &ul, &bad);

		if (rc == WS_OK) {
			void *m = x->map;
			size_t ml = x->maplen;

			if (m)
				munmap(m, ml);
			free(x->owned);
			x->map = NULL;
			x->owned = x->data = u;
			x->len = ul;
			return WS_OK;
		}
		if (rc == WS_ENOMEM) {
			text_free(x);
			return ws_err_set(err, WS_ENOMEM, "%s: out of memory", path);
		}
		if (encoding && strcmp(encoding, "cp932") == 0) {
			uint32_t l, c;

			position(x->data, bad, &l, &c);
			ws_err_set(err, WS_EPARSE, "%s:%u:%u: not CP932 text, byte 0x%02X", path, l,
				   c, (unsigned char)x->data[bad]);
			text_free(x);
			return WS_EPARSE;
		}
		/* neither encoding holds for the whole file: read it as UTF-8 and
		 * reject the rows that carry the damaged bytes */
		*check_utf8 = 1;
	}
	return WS_OK;
}

/* ---- libcsv callbacks ----------------------------------------------------- */

static void on_field(void *field, size_t len, void *data)
{
	struct reader *r = data;
	size_t max_field = r->o->max_field ? r->o->max_field : (size_t)1 << 20;
	size_t max_cols = r->o->max_columns ? r->o->max_columns : 1000;

	if (r->oom)
		return;
	if (r->nf >= max_cols) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = "more columns than the limit";
		}
		r->nf++;
		return;
	}
	if (!field)
		len = 0;
	if (len > max_field) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = "field longer than the limit";
		}
		len = 0;
	} else if (len && memchr(field, '\0', len)) {
		if (!r->bad_col) {
			r->bad_col = r->nf + 1;
			r->bad_what = "NUL byte in field";
		}
	}
	if (r->nf == r->fcap) {
		size_t cap = r->fcap ? r->fcap * 2 : 64;
		size_t *a = realloc(r->foff, cap * sizeof(*a)), *b;

		if (!a) {
			r->oom = 1;
			return;
		}
		r->foff = a;
		b = realloc(r->flen, cap * sizeof(*b));
		if (!b) {
			r->oom = 1;
			return;
		}
		r->flen = b;
		r->fcap = cap;
	}
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

/* ---- helpers -------------------------------------------------------------- */

/* Field c of the current record, trimmed of spaces and U+3000 at both ends. */
static const char *field(const struct reader *r, size_t c, size_t *len)
{
	const char *s = r->fb + r->foff[c];
	size_t n = r->flen[c];

	for (;;) {
		if (n && (s[0] == ' ' || s[0] == '\t')) {
			s++, n--;
		} else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
			s += 3, n -= 3;
		} else if (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
			n--;
		} else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
			n -= 3;
		} else {
			break;
		}
	}
	*len = n;
	return s;
}

static const char *col_name(const struct reader *r, size_t c)
{
	return r->hdr + r->hdr_off[c];
}

/* Rejects the current record: reason, then `, 'text'` quoting the cell (at most 80 bytes). */
static int reject(struct reader *r, size_t column, const char *what, const char *cell, size_t n)
{
	char q[100];
	size_t k = n < 80 ? n : 80;

	/* do not cut a UTF-8 sequence in two */
	while (k < n && k > 0 && ((unsigned char)cell[k] & 0xC0) == 0x80)
		k--;
	if (cell) {
		memcpy(q, cell, k);
		q[k] = '\0';
	}
	r->log->rows_rejected++;
	if (!cell)
		return ws_log_add(r->log, WS_LOG_REJECT, r->fcode, r->line, (uint32_t)column, r->rec,
				  r->rec_len, "%s", what);
	return ws_log_add(r->log, WS_LOG_REJECT, r->fcode, r->line, (uint32_t)column, r->rec,
			  r->rec_len, "%s, '%s%s'", what, q, k < n ? "..." : "");
}

/* Splits a header like R4目標, Ｒ２実績, 2022_target, FY2022 actual, target 2022. */
static int sheet_column(const char *f, size_t n, int *year, char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t w = strlen(kinds[i].word);
		char y[64];
		size_t yl;

		if (n <= w)
			continue;
		if (memcmp(f + n - w, kinds[i].word, w) == 0) /* year first */
			yl = n - w, memcpy(y, f, yl < 63 ? yl : 63);
		else if (memcmp(f, kinds[i].word, w) == 0) /* kind first */
			yl = n - w, memcpy(y, f + w, yl < 63 ? yl : 63);
		else
			continue;
		if (yl > 63)
			return 0;
		y[yl] = '\0';
		while (yl && (y[yl - 1] == ' ' || y[yl - 1] == '_' || y[yl - 1] == '-'))
			y[--yl] = '\0';
		char *s = y;
		while (*s == ' ' || *s == '_' || *s == '-')
			s++;
		if (ws_ingest_year(s, strlen(s), year) == WS_OK) {
			*kind = kinds[i].kind;
			return 1;
		}
	}
	return 0;
}

/* ---- header ----------------------------------------------------------------- */

static int take_header(struct reader *r)
{
	size_t unknown_n = 0;
	char unknown[400] = "";
	size_t hl = 0;

	r->ncols = r->nf;
	r->role = calloc(r->ncols, sizeof(*r->role));
	r->slot = calloc(r->ncols, sizeof(*r->slot));
	r->kind = calloc(r->ncols, 1);
	r->hdr_off = calloc(r->ncols, sizeof(*r->hdr_off));
	r->hdr = malloc(r->fb_len + 1);
	if (!r->role || !r->slot || !r->kind || !r->hdr_off || !r->hdr)
		return ws_err_set(r->err, WS_ENOMEM, "%s: out of memory", r->path);
	for (int k = 0; k < R_COUNT; k++)
		r->col[k] = -1;
	for (size_t c = 0; c < r->ncols; c++) {
		size_t n;
		const char *s = field(r, c, &n);
		char f[256];
		size_t fl;
		int year;
		char kind;

		r->hdr_off[c] = hl;
		memcpy(r->hdr + hl, s, n);
		r->hdr[hl + n] = '\0';
		hl += n + 1;
		fl = ws_ingest_fold(s, n < 255 ? n : 255, f, sizeof(f));
		for (size_t i = 0; i < fl; i++)
			if (f[i] >= 'A' && f[i] <= 'Z')
				f[i] = (char)(f[i] - 'A' + 'a');
		for (size_t a = 0; a < sizeof(aliases) / sizeof(aliases[0]); a++)
			if (strcmp(f, aliases[a].name) == 0) {
				r->role[c] = aliases[a].role;
				break;
			}
		if (!r->role[c] && sheet_column(f, fl, &year, &kind)) {
			int k = 0;

			while (k < r->nyears && r->years[k] != year)
				k++;
			if (k == r->nyears) {
				if (r->nyears == MAX_YEARS)
					return ws_err_set(r->err, WS_ESCHEMA,
							  "%s:1:%zu: more than %d year columns",
							  r->path, c + 1, MAX_YEARS);
				r->years[r->nyears++] = year;
			}
			for (size_t p = 0; p < c; p++)
				if (r->role[p] == R_SHEET && r->kind[p] == kind &&
				    r->years[r->slot[p]] == year)
					return ws_err_set(r->err, WS_ESCHEMA,
							  "%s:1:%zu: column '%s' repeats column %zu '%s' (both %s of %d)",
							  r->path, c + 1, r->hdr + r->hdr_off[c], p + 1,
							  r->hdr + r->hdr_off[p],
							  kind == 't' ? "targets" : "actuals", year);
			r->role[c] = R_SHEET;
			r->slot[c] = (int16_t)k;
			r->kind[c] = kind;
			continue;
		}
		if (!r->role[c]) {
			if (unknown_n < 5 && strlen(unknown) + n + 8 < sizeof(unknown)) {
				strcat(unknown, unknown_n ? ", '" : "'");
				strncat(unknown, s, n);
				strcat(unknown, "'");
			}
			unknown_n++;
			continue;
		}
		if (r->col[r->role[c]] >= 0)
			return ws_err_set(r->err, WS_ESCHEMA,
					  "%s:1:%zu: column '%s' repeats column %d '%s' (both %s)",
					  r->path, c + 1, r->hdr + r->hdr_off[c], r->col[r->role[c]] + 1,
					  r->hdr + r->hdr_off[r->col[r->role[c]]], role_name[r->role[c]]);
		r->col[r->role[c]] = (int)c;
	}
	if (r->col[R_YEAR] < 0 && r->nyears > 0) {
		/* sheet layout: put the year slots in ascending order */
		int32_t sorted[MAX_YEARS];
		int16_t map[MAX_YEARS];

		memcpy(sorted, r->years, sizeof(int32_t) * (size_t)r->nyears);
		for (int i = 1; i < r->nyears; i++)
			for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
				int32_t tmp = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = tmp;
			}
		for (int i = 0; i < r->nyears; i++)
			for (int j = 0; j < r->nyears; j++)
				if (sorted[j] == r->years[i])
					map[i] = (int16_t)j;
		for (size_t c = 0; c < r->ncols; c++)
			if (r->role[c] == R_SHEET)
				r->slot[c] = map[r->slot[c]];
		memcpy(r->years, sorted, sizeof(int32_t) * (size_t)r->nyears);
		r->sheet = 1;
	} else if (r->nyears > 0) {
		/* long layout: year columns are not used */
		for (size_t c = 0; c < r->ncols; c++)
			if (r->role[c] == R_SHEET) {
				r->role[c] = R_NONE;
				if (unknown_n < 5 && strlen(unknown) + strlen(col_name(r, c)) + 8 <
							     sizeof(unknown)) {
					strcat(unknown, unknown_n ? ", '" : "'");
					strcat(unknown, col_name(r, c));
					strcat(unknown, "'");
				}
				unknown_n++;
			}
		r->nyears = 0;
	}
	if (r->col[R_DIVISION] < 0)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:1: missing required column 'division' (or 課, 組織名, 部署, 所属)",
				  r->path);
	if (r->col[R_INDICATOR] < 0)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:1: missing required column 'indicator' (or 指標, 項目)", r->path);
	if (r->col[R_YEAR] < 0 && !r->sheet)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:1: missing required column 'year' (or 年度, or year columns such as 'R4実績', '2022_target')",
				  r->path);
	if (unknown_n)
		return ws_log_add(r->log, WS_LOG_WARNING, r->fcode, 1, 0, NULL, 0,
				  "ignoring %zu unknown column%s: %s%s", unknown_n,
				  unknown_n > 1 ? "s" : "", unknown, unknown_n > 5 ? ", ..." : "");
	return WS_OK;
}

/* ---- rows ------------------------------------------------------------------- */

/* The dictionary code of s[0..n) when it is the string of code c. */
static int is_code(const struct ws_dict *d, uint32_t c, const char *s, size_t n)
{
	return d->len[c] == n && memcmp(d->arena + d->off[c], s, n) == 0;
}

/*
 * Interns field c (or "" when the column is absent) into *code. Rows of one
 * series come together, so the previous row's string of the same column is
 * tried first: one comparison instead of a hash lookup.
 */
static int intern_col(struct reader *r, int c, uint32_t *code)
{
	size_t n = 0;
	const char *s = c >= 0 ? field(r, (size_t)c, &n) : "";
	uint32_t *last = &r->last[c >= 0 ? r->role[c] : R_NONE];
	int rc;

	if (is_code(&r->t->dict, *last, s, n)) {
		*code = *last;
		return WS_OK;
	}
	rc = ws_dict_intern(&r->t->dict, s, n, code);
	*last = *code;
	return rc;
}

/* Interns the unit, width-folded so that ％ and % are one unit. */
static int intern_unit(struct reader *r, uint32_t *code)
{
	char f[256];
	size_t n = 0;
	const char *s;

	if (r->col[R_UNIT] < 0) {
		*code = 0;
		return WS_OK;
	}
	s = field(r, (size_t)r->col[R_UNIT], &n);
	if (is_code(&r->t->dict, r->last[R_UNIT], s, n)) { /* folded already */
		*code = r->last[R_UNIT];
		return WS_OK;
	}
	n = ws_ingest_fold(s, n < 255 ? n : 255, f, sizeof(f));
	if (ws_dict_intern(&r->t->dict, f, n, code) != WS_OK)
		return WS_ENOMEM;
	r->last[R_UNIT] = *code;
	return WS_OK;
}

static size_t utf8_bad(const char *s, size_t n)
{
	return utf8_invalid_at((const unsigned char *)s, n) != n;
}

/* Turns the current record into observations, or rejects it. */
static int take_row(struct reader *r)
{
	struct ws_row row;
	double tv[MAX_YEARS], av[MAX_YEARS];
	size_t n;
	const char *s;
	int rc, v;

	r->log->rows_read++;
	if (r->bad_col)
		return reject(r, r->bad_col, r->bad_what, NULL, 0);
	if (r->nf != r->ncols) {
		char what[80];

		snprintf(what, sizeof(what), "expected %zu fields as in the header, found %zu",
			 r->ncols, r->nf);
		return reject(r, r->nf < r->ncols ? r->nf + 1 : r->ncols + 1, what, NULL, 0);
	}
	memset(&row, 0, sizeof(row));
	row.file = r->fcode;
	row.line = r->line;
	row.target = row.actual = NAN;
	for (int k = 0; k < r->nyears; k++)
		tv[k] = av[k] = NAN;
	if ((rc = intern_unit(r, &row.unit)) != WS_OK)
		return rc;
	for (size_t c = 0; c < r->ncols; c++) {
		const char *name = col_name(r, c);
		char what[300];
		double x;

		s = field(r, c, &n);
		if (r->check_utf8 && utf8_bad(s, n))
			return reject(r, c + 1, "invalid UTF-8 text (not CP932 either)", NULL, 0);
		switch (r->role[c]) {
		case R_DIVISION:
		case R_INDICATOR:
			if (n == 0) {
				snprintf(what, sizeof(what), "missing %s in column '%s'",
					 role_name[r->role[c]], name);
				return reject(r, c + 1, what, NULL, 0);
			}
			break;
		case R_YEAR:
			if (ws_ingest_year(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what), "not a fiscal year (1900..2200) in column '%s'", name);
				return reject(r, c + 1, what, s, n);
			}
			row.year = v;
			break;
		case R_DIRECTION:
			if (ws_ingest_direction(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what),
					 "not a direction (higher, lower, up, down, 増加, 減少) in column '%s'", name);
				return reject(r, c + 1, what, s, n);
			}
			row.direction = (uint8_t)v;
			break;
		case R_EVALUATION:
			if (ws_ingest_evaluation(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what),
					 "not a verdict (達成, 一部未達成, 未達成) in column '%s'", name);
				return reject(r, c + 1, what, s, n);
			}
			row.evaluation = (uint8_t)v;
			break;
		case R_TARGET:
		case R_ACTUAL:
		case R_SHEET:
			if (ws_ingest_number(s, n, ws_dict_str(&r->t->dict, row.unit), &x) != WS_OK) {
				snprintf(what, sizeof(what), "not a number in column '%s'", name);
				return reject(r, c + 1, what, s, n);
			}
			if (r->role[c] == R_TARGET)
				row.target = x;
			else if (r->role[c] == R_ACTUAL)
				row.actual = x;
			else if (r->kind[c] == 't')
				tv[r->slot[c]] = x;
			else
				av[r->slot[c]] = x;
			break;
		default:
			break;
		}
	}
	if ((rc = intern_col(r, r->col[R_DIVISION], &row.division)) ||
	    (rc = intern_col(r, r->col[R_INDICATOR], &row.indicator)) ||
	    (rc = intern_col(r, r->col[R_OBJECTIVE], &row.objective)) ||
	    (rc = intern_col(r, r->col[R_NOTE], &row.note)))
		return rc;
	if (r->col[R_WARD] >= 0) {
		if ((rc = intern_col(r, r->col[R_WARD], &row.ward)))
			return rc;
	} else {
		row.ward = r->ward_default;
	}
	r->log->rows_used++;
	if (!r->sheet) {
		if (row.year > r->newest)
			r->newest = row.year;
		return ws_table_append(r->t, &row);
	}
	/* sheet layout: one observation per year with a value; the verdict goes
	 * with the newest; a row with no value at all still lists the indicator */
	int last = -1;
	uint8_t eval = row.evaluation;

	for (int k = 0; k < r->nyears; k++)
		if (!isnan(tv[k]) || !isnan(av[k]))
			last = k;
	for (int k = 0; k < r->nyears; k++) {
		if (isnan(tv[k]) && isnan(av[k]) && !(last < 0 && k == r->nyears - 1))
			continue;
		row.year = r->years[k];
		row.target = tv[k];
		row.actual = av[k];
		row.evaluation = (k == last || last < 0) ? eval : WS_EVAL_NONE;
		if (row.year > r->newest)
			r->newest = row.year;
		if ((rc = ws_table_append(r->t, &row)) != WS_OK)
			return rc;
	}
	return WS_OK;
}

/* ---- the record loop ---------------------------------------------------------- */

/* Feeds one record to libcsv and takes it as header or row. */
static int take_record(struct reader *r, struct csv_parser *p)
{
	int bad;

	r->nf = 0;
	r->fb_len = 0;
	r->bad_col = 0;
	r->bad_what = NULL;
	bad = csv_parse(p, r->rec, r->rec_len, on_field, on_record, r) != r->rec_len;
	if (!bad)
		bad = csv_fini(p, on_field, on_record, r) != 0;
	if (r->oom)
		return ws_err_set(r->err, WS_ENOMEM, "%s: out of memory", r->path);
	if (bad) {
		const char *why = csv_strerror(csv_error(p));

		csv_free(p);
		if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL))
			return ws_err_set(r->err, WS_ENOMEM, "%s: out of memory", r->path);
		csv_set_delim(p, (unsigned char)(r->o->delimiter ? r->o->delimiter : ','));
		if (!r->header_done)
			return ws_err_set(r->err, WS_EPARSE, "%s:%u: malformed header: %s", r->path,
					  r->line, why);
		r->log->rows_read++;
		char what[120];
		snprintf(what, sizeof(what), "malformed CSV (%s: a stray or unterminated quote)", why);
		return reject(r, r->nf + 1, what, NULL, 0);
	}
	/* a blank line is not a row */
	if (r->nf == 0 || (r->nf == 1 && r->flen[0] == 0))
		return WS_OK;
	if (!r->header_done) {
		r->header_done = 1;
		return take_header(r);
	}
	return take_row(r);
}

/* Cuts s[0..len) into records (quote-aware) and takes each one. */
static int scan(struct reader *r, struct csv_parser *p, const char *s, size_t len, char delim)
{
	enum { START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } st = START;
	uint32_t line = 1;
	size_t b = 0, i = 0;
	int rc;

	r->line = 1;
	while (i < len) {
		char c = s[i];

		if (st == QUOTED) {
			if (c == '"')
				st = QUOTE_IN_QUOTED;
			else if (c == '\n')
				line++;
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			r->rec = s + b;
			r->rec_len = i - b;
			if ((rc = take_record(r, p)) != WS_OK)
				return rc;
			if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
				i++;
			i++;
			line++;
			b = i;
			r->line = line;
			st = START;
			continue;
		}
		if (c == delim)
			st = START;
		else if (c == '"')
			st = (st == START) ? QUOTED : (st == QUOTE_IN_QUOTED ? QUOTED : UNQUOTED);
		else if (st == QUOTE_IN_QUOTED || (st == START && c != ' ' && c != '\t'))
			st = UNQUOTED;
		i++;
	}
	if (b < len) {
		r->rec = s + b;
		r->rec_len = len - b;
		return take_record(r, p);
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

/* Reads one file into t. */
static int read_file(struct reader *r, const char *path)
{
	struct csv_parser p;
	struct text x;
	char delim = r->o->delimiter;
	int rc;

	r->path = path;
	r->header_done = 0;
	r->newest = INT32_MIN;
	r->nyears = 0;
	r->sheet = 0;
	if ((rc = ws_dict_intern(&r->t->dict, path, strlen(path), &r->fcode)))
		return ws_err_set(r->err, rc, "out of memory");
	if ((rc = load(path, r->o->encoding, &x, &r->check_utf8, r->err)))
		return rc;
	r->log->bytes += x.len;
	if (!delim) { /* a header with tabs and no comma is tab-separated */
		const char *nl = memchr(x.data, '\n', x.len);
		size_t hl = nl ? (size_t)(nl - x.data) : x.len;

		delim = (memchr(x.data, '\t', hl) && !memchr(x.data, ',', hl)) ? '\t' : ',';
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)) {
		text_free(&x);
		return ws_err_set(r->err, WS_ENOMEM, "out of memory");
	}
	csv_set_delim(&p, (unsigned char)delim);
	rc = scan(r, &p, x.data, x.len, delim);
	if (rc == WS_OK && !r->header_done)
		rc = ws_err_set(r->err, WS_ESCHEMA, "%s: no header (the file is empty)", path);
	else if (rc != WS_OK && r->err->code == WS_OK)
		rc = ws_err_set(r->err, rc, "%s: %s", path, ws_strerror(rc));
	csv_free(&p);
	text_free(&x);
	reader_fini(r);
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
	if ((rc = ws_index_build(t, ix, err)) != WS_OK)
		goto out;
	rc = ws_ingest_merge(t, ix, log, fcode, newest, npaths, err);
out:
	free(r.fb);
	free(r.foff);
	free(r.flen);
	free(fcode);
	free(newest);
	return rc;
}
