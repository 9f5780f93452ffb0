/*
 * ws_ingest.h: reading indicator histories from CSV into a ws_table.
 *
 * This file contains the public interface of ingest/: the cell rules of the
 * data contract (numbers, fiscal years, directions, verdicts), the reader of
 * both layouts (long: one row per series and year; sheet: one row per
 * indicator with year columns), and the merge of several files (duplicates,
 * restated figures, conflicts). Every input row is either used or rejected;
 * rejected rows are kept verbatim in the log with file, line, column and
 * reason.
 *
 * Usage:
 *   struct ws_ingest_opts o = WS_INGEST_OPTS_DEFAULT;
 *   struct ws_ingest_log log; struct ws_table t; struct ws_index ix;
 *   if (ws_ingest_files(paths, n, &o, &t, &ix, &log, &err)) ... print err.msg, exit 2
 *   ... ws_index_fini(&ix); ws_table_fini(&t); ws_ingest_log_fini(&log);
 */
#ifndef WS_INGEST_H
#define WS_INGEST_H

#include <stdio.h>

#include "../engine/ws_engine.h"

/* What the caller may set; zero or NULL means the default. */
struct ws_ingest_opts {
	const char *ward;     /* ward for files without a ward column; NULL = "" */
	char delimiter;       /* ',' or '\t'; 0 = ',' unless the header has tabs only */
	const char *encoding; /* "utf-8" or "cp932"; NULL = detect */
	size_t max_field;     /* longest field in bytes; 0 = 1 MiB */
	size_t max_columns;   /* most columns in a record; 0 = 1000 */
	int threads;          /* parsing threads; 0 = one per core (at most 8), 1 = none */
	/* called now and then while a file is parsed, with bytes done and the file's
	 * size (estimated when threads share the file); NULL = none */
	void (*progress)(void *ctx, const char *path, size_t done, size_t total);
	void *progress_ctx;
};

/* One entry of the log: a rejected row, a merged duplicate or a restated figure. */
enum ws_log_kind {
	WS_LOG_REJECT = 0,  /* row not used; text holds it verbatim */
	WS_LOG_DUPLICATE,   /* same series and year with equal values: kept once */
	WS_LOG_REVISION,    /* restated figure: line/file lost to other_line/other_file */
	WS_LOG_WARNING      /* a note about a file (unknown columns) */
};

struct ws_log_entry {
	uint8_t kind;         /* enum ws_log_kind */
	uint32_t file;        /* dict code of the file name */
	uint32_t line;        /* physical line where the record starts */
	uint32_t column;      /* 1-based field index, 0 = whole row */
	uint32_t other_file;  /* duplicate/revision: the row kept */
	uint32_t other_line;
	size_t reason;        /* offset of the NUL-terminated reason in log text */
	size_t text;          /* offset of the verbatim record in log text */
	size_t text_len;      /* its length in bytes */
};

struct ws_ingest_log {
	size_t files;          /* files read */
	size_t rows_read;      /* data records read (header and blank lines excluded) */
	size_t rows_used;      /* records that became observations */
	size_t rows_rejected;  /* records written to the rejects */
	size_t blank_rows;     /* records of delimiters only (",,,,"), skipped like blank lines */
	size_t duplicates;     /* (series, year) given twice with equal values */
	size_t revisions;      /* restated figures resolved across files */
	size_t bytes;          /* input bytes read */
	double t_read;         /* seconds loading files (mmap, encoding check, iconv) */
	double t_parse;        /* seconds cutting records, parsing and normalising cells */
	/* one record in 64, timed: seconds finding it in the text, splitting it into
	 * fields, and turning its cells into a row (the share of each in t_parse) */
	double s_scan, s_split, s_take;
	double t_group;        /* seconds building the series index and merging */
	struct ws_log_entry *e; /* entries in input order */
	size_t n, cap;         /* entries used and allocated */
	char *text;            /* reasons and verbatim rows, NUL-terminated each */
	size_t text_len, text_cap;
};

/* Frees what the log owns; no-op on a zeroed log. */
void ws_ingest_log_fini(struct ws_ingest_log *log);

/*
 * Reads and merges the files. On success t holds every used observation,
 * ix indexes the series with duplicates and superseded figures removed, and
 * log accounts for every row: rows_read == rows_used + rows_rejected.
 * On failure (a file unreadable, no header, a required column missing, a
 * conflict that cannot be resolved) returns a status with err->msg set and
 * leaves t, ix and log to be freed by the caller.
 */
int ws_ingest_files(const char *const *paths, size_t npaths, const struct ws_ingest_opts *o,
		    struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		    struct ws_err *err);

/*
 * Writes the rejects as CSV (file,line,column,reason,text) to f; the text
 * column is the record verbatim. Returns WS_EIO if a write failed.
 */
int ws_ingest_write_rejects(const struct ws_ingest_log *log, const struct ws_table *t, FILE *f);

/*
 * Formats entry e as "FILE:LINE:COLUMN: reason" into buf (for stderr).
 */
void ws_ingest_describe(const struct ws_ingest_log *log, const struct ws_table *t,
			const struct ws_log_entry *e, char *buf, size_t cap);

/* ---- cell rules (FORMATS.md §1c), exposed for the tests ---------------- */

/*
 * Parses a number cell s[0..len): full-width digits, thousands commas,
 * trailing % or unit word (回 人 件 校 台 点 本 日 or `unit`, may be NULL),
 * △/▲ negatives. A missing mark (empty, -, －, ―, —, ‐, ー, N/A) gives NaN.
 * Returns WS_OK, or WS_EVALUE when the cell is not a number (then *out is
 * untouched).
 */
int ws_ingest_number(const char *s, size_t len, const char *unit, double *out);

/* Parses a fiscal year: 2022, FY2022, R4, Ｒ４, 令和4年度, 令和元年度, H30, 平成30年度.
 * Returns WS_OK or WS_EVALUE (also outside 1900..2200). */
int ws_ingest_year(const char *s, size_t len, int *year);

/* higher/lower/up/down/増加/減少 (any case); empty gives WS_DIR_UNSET. */
int ws_ingest_direction(const char *s, size_t len, int *dir);

/* 達成/一部未達成/未達成; empty gives WS_EVAL_NONE. */
int ws_ingest_evaluation(const char *s, size_t len, int *eval);

/*
 * Folds full-width ASCII (U+FF01..U+FF5E) to ASCII and U+3000 to a space,
 * trims spaces at both ends, writes a NUL-terminated result into out (at
 * most cap bytes). Returns the length written.
 */
size_t ws_ingest_fold(const char *s, size_t len, char *out, size_t cap);

#endif /* WS_INGEST_H */
