/*
 * ingest_internal.h: what the files of ingest/ share and nobody else sees.
 */
#ifndef WS_INGEST_INTERNAL_H
#define WS_INGEST_INTERNAL_H

#include "ws_ingest.h"

#include <stdarg.h>

/*
 * Takes the log and the table back to an earlier state: saved is a copy of
 * the log then, rows the table's row count then. The entries' storage stays
 * (it is reused); the counters, entries and text after that point go.
 */
void ws_log_rollback(struct ws_ingest_log *log, const struct ws_ingest_log *saved,
		     struct ws_table *t, size_t rows);

/* Appends an entry to the log; reason is printf-formatted, text copied verbatim. */
int ws_log_add(struct ws_ingest_log *log, int kind, uint32_t file, uint32_t line,
	       uint32_t column, const char *text, size_t text_len, const char *fmt, ...)
	WS_PRINTF(8, 9);

/*
 * Applies the merge rules of FORMATS.md §1d over the index: duplicates kept
 * once, restated figures resolved by the file whose newest year is later (on
 * a tie the one named later), conflicts inside one file and a series with two
 * directions or units are errors. File k (in command-line order) has the
 * dictionary code fcode[k] and newest year newest[k].
 */
int ws_ingest_merge(const struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		    const uint32_t *fcode, const int32_t *newest, size_t nfiles,
		    struct ws_err *err);

/*
 * Copies up to 80 bytes of cell into q (cap >= 330) for a message: control
 * bytes, DEL and bytes that are not UTF-8 become \xHH, so that the message
 * stays one printable line; "..." marks a cut. Returns q.
 */
const char *ws_ingest_quote(const char *cell, size_t n, char *q, size_t cap);
/* The raw text of field col (1-based) of rec[0..len), quotes and all, as the
 * record scanner splits it; *n gets its length (0 past the last field). */
const char *ws_ingest_raw_field(const char *rec, size_t len, char delim, size_t col, size_t *n);

/* Column roles of a header (FORMATS.md §1a); R_SHEET is a year column of §1b. */
enum role {
	R_NONE = 0, R_WARD, R_DIVISION, R_OBJECTIVE, R_INDICATOR, R_UNIT, R_DIRECTION,
	R_YEAR, R_TARGET, R_ACTUAL, R_EVALUATION, R_NOTE, R_SHEET, R_COUNT
};

#define MAX_YEARS 256 /* distinct years in one sheet-layout header */

/* The state of reading one file: header mapping, current record, counters. */
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
	size_t max_field;         /* the field limit, default applied */
	size_t max_cols;          /* the column limit, default applied */
	/* the previous row's attribute columns (ward ... direction), when they
	 * lead the header: a row whose leading bytes are the same takes the same
	 * codes without interning them again (the common case: a series' rows
	 * follow each other) */
	size_t attr_cols;         /* leading columns that hold every attribute column, 0 = none */
	char prev[256];           /* those columns' bytes in the previous accepted row */
	size_t prev_len;
	int prev_ok;              /* prev and the codes below are valid */
	uint32_t prev_ward, prev_division, prev_objective, prev_indicator, prev_unit;
	uint8_t prev_direction;
	/* timing one record in 64 (log->s_scan, s_split, s_take) */
	unsigned nrec;            /* records cut so far, this scan */
	double mark;              /* when the record before a timed one was done, 0 = none */
	int timing;               /* the current record is timed */
	double t_split;           /* ... and its fields were split at this time */
	/* current record */
	char *fb;                 /* fields as libcsv unquoted them, each NUL-terminated */
	size_t fb_len, fb_cap;
	const char *fbase;        /* field c is fbase + foff[c]: fb, or rec on the fast path */
	size_t *foff;             /* offset of field c from fbase */
	size_t *flen;             /* length of field c (the fast path keeps its spaces) */
	size_t nf, fcap;          /* fields in the record, and allocated */
	size_t bad_col;           /* first field over a limit (1-based), 0 = none */
	const char *bad_what;     /* which limit */
	int oom;
	const char *rec;          /* the record, verbatim */
	size_t rec_len;
	uint32_t line;            /* line where the record starts */
	/* scanning */
	char delim;               /* field delimiter of this file */
	int header_only;          /* stop once the header is taken */
	int clean;                /* the last scan ended at a record end */
	int nul;                  /* a NUL byte was seen since the last record taken */
	int quote;                /* a quote was seen since the last record taken */
	int restart;              /* the text is not UTF-8 after all: load it again */
	int recoveries;           /* unclosed quotes cut at their line end, this file */
	int unclosed_line;        /* the record is such a line (for the message) */
	size_t next_report;       /* offset of the next progress report */
	int mapped;               /* the text is a file mapping: pages behind can go */
	size_t dropped;           /* bytes of this scan whose pages were given back */
	size_t progress_total;    /* bytes of the file, for the progress report */
	double progress_scale;    /* file bytes per byte of this scan (chunk 0: n chunks) */
};

/* A loaded file: its bytes (after any BOM), mapped or converted. */
struct text {
	char *data;    /* the bytes */
	size_t len;
	void *map;     /* mmap base, or NULL */
	size_t maplen;
	char *owned;   /* malloc'd buffer, or NULL */
};

/* Encoding name for the second load of a file that turned out not to be UTF-8. */
#define WS_ENC_RETRY "cp932 or damaged utf-8"

/* Loads path whole; decides the encoding (BOM, UTF-8, CP932 by iconv);
 * sets *check_utf8 when the text is damaged UTF-8 that is not CP932 either,
 * so that the rows holding bad bytes are rejected; sets it to -1 when nothing
 * decided the encoding: the reader then checks new strings and, at the first
 * that is not UTF-8, sets r->restart and the file is loaded again with
 * encoding WS_ENC_RETRY. Free with ws_text_free. */
int ws_text_load(const char *path, const char *encoding, struct text *x, int *check_utf8,
		 struct ws_err *err);
void ws_text_free(struct text *x);
/* Offset of the first byte of s that is not valid UTF-8, or len. */
size_t ws_utf8_invalid_at(const unsigned char *s, size_t len);

/* Field c of the current record, trimmed of spaces and U+3000 at both ends. */
const char *ws_reader_field(const struct reader *r, size_t c, size_t *len);

/* ---- row.c: a record's fields into observations ---- */

/* What r->bad_what points to: a field over a limit, or damaged (compared by address). */
extern const char ws_bad_columns[], ws_bad_long[], ws_bad_nul[];
/* Turns the current record (its fields split) into observations, or rejects it. */
int ws_reader_row(struct reader *r);
/* Rejects the current record: reason, then `, 'text'` quoting the cell (NULL: no text).
 * WS_EPARSE with r->restart set when the file turns out not to be UTF-8. */
int ws_reader_reject(struct reader *r, size_t column, const char *what, const char *cell,
		     size_t n);
/* Describes the field over a limit, or damaged, that the split found (r->bad_col,
 * r->bad_what) into what, and points *cell at the text to quote (NULL for none). */
void ws_reader_bad_field(const struct reader *r, char *what, size_t cap, const char **cell,
			 size_t *n);
/* After the header: how many leading columns hold every attribute column (r->attr_cols,
 * 0 = none), for the rows that repeat the previous row's attribute bytes. */
void ws_reader_attr_prefix(struct reader *r);
/* Takes the current record as the header (header.c): roles, layout, warnings. */
int ws_reader_header(struct reader *r);
/* "division", "year", ... for messages; static string. */
const char *ws_role_name(int role);
/* libcsv options wardstat parses with; sets up p for delim. 0 or WS_ENOMEM. */
int ws_reader_parser(void *csv_parser, char delim);
/*
 * Cuts s[0..len) into records (quote-aware, counting physical lines from
 * r->line) and takes each as header or row. With `final`, a last record
 * without a line end is taken too; otherwise it is left and r->clean stays 0.
 * r->clean is 1 when the records ended exactly at len. With r->header_only,
 * stops after the header; *used receives the bytes consumed.
 */
int ws_reader_scan(struct reader *r, void *csv_parser, const char *s, size_t len, char delim,
		   int final, size_t *used);
/*
 * Reads s[0..len) (rows after the header) with several threads when it is
 * large enough: chunks cut at line ends outside quotes, each parsed into a
 * table of its own, then appended in order. *done is 0 when it did nothing
 * (small input, one core, or chunk ends that the scanner did not confirm); the
 * caller then reads sequentially.
 */
int ws_ingest_parallel(struct reader *r, const char *s, size_t len, char delim, int *done);

#endif
