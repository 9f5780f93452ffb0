/*
 * report_internal.h: the writers of reports/, one per format, and the helpers
 * they share. Nobody outside reports/ includes this.
 */
#ifndef WS_REPORT_INTERNAL_H
#define WS_REPORT_INTERNAL_H

#include <stdatomic.h>

#include "ws_report.h"

/* The file that writing path replaces: path itself, or the file that a
 * symbolic link at path names (the link is kept): written into buf (cap
 * bytes) and returned; path when it is no link, cannot be resolved or does
 * not fit. */
const char *ws_report_target(const char *path, char *buf, size_t cap);

/* Column kinds of a table, to write each format from one description. */
enum ws_col_kind {
	WS_COL_STR,  /* text: s */
	WS_COL_INT,  /* integer: i, missing when missing != 0 */
	WS_COL_NUM,  /* real: x, NaN = missing */
	WS_COL_BOOL  /* i = 1 true, 0 false; missing when missing != 0 */
};

/* One cell of an output table. */
struct ws_cell {
	int kind;       /* enum ws_col_kind */
	const char *s;  /* WS_COL_STR: borrowed, valid while the table lives */
	double x;       /* WS_COL_NUM */
	long long i;    /* WS_COL_INT, WS_COL_BOOL */
	int missing;    /* 1 = empty cell */
};

/* The output tables of FORMATS.md §2 (and the ward table), described once so
 * that every format writes the same columns in the same order. */
enum ws_tab { WS_TAB_SERIES = 0, WS_TAB_DIVISIONS, WS_TAB_OBJECTIVES, WS_TAB_WARD, WS_TAB_COUNT };

/* Name of table k ("series", ...); static string. */
const char *ws_tab_name(int k);
/* Number of columns of table k and the name of column c; static strings. */
size_t ws_tab_ncols(int k);
const char *ws_tab_col(int k, size_t c);
/* Number of rows of table k. */
size_t ws_tab_nrows(const struct ws_stats *st, int k);
/* Fills cell (row, c) of table k. */
void ws_tab_cell(const struct ws_table *t, const struct ws_stats *st, int k, size_t row, size_t c,
		 struct ws_cell *cell);
/* Formats a cell as CSV/Markdown text would show it ("" when missing). */
const char *ws_cell_text(const struct ws_cell *cell, char *buf, size_t cap);

/* Writes o->view as CSV: the review's tables into directory path, another
 * view's one table to the file path (NULL or "-" = stdout). */
int ws_report_csv(const struct ws_table *t, const struct ws_stats *st,
		  const struct ws_report_opts *o, const char *path, struct ws_err *err);
/* Writes the CSV tables into directory dir (created if missing). */
int ws_report_csv_dir(const struct ws_table *t, const struct ws_stats *st,
		      const struct ws_report_opts *o, const char *dir, struct ws_err *err);
/* Writes one table as CSV to f: which = "series", "divisions", "objectives", "ward". */
int ws_report_csv_table(const struct ws_table *t, const struct ws_stats *st,
			const struct ws_report_opts *o, const char *which, FILE *f);

/* ---- CSV rows (csv.c) ----------------------------------------------------- */

/* CSV text being assembled; grows, never shrinks. Zeroed = empty. */
struct ws_csv_buf {
	char *buf;   /* owned: free() it */
	size_t len;  /* bytes of text */
	size_t cap;  /* bytes allocated */
	int oom;     /* sticky: a growth failed, the text is incomplete */
};

/*
 * Quoting marks of a dictionary's strings, one byte per code, computed when a
 * code is first written so that a string is scanned once, not once per cell.
 * Threads share one array: a mark depends only on its string, so two threads
 * that compute it at once store the same byte (relaxed atomics, no lock).
 * Returns NULL when out of memory; free() it.
 */
atomic_uchar *ws_csv_marks_new(const struct ws_dict *d);

/* The series columns of FORMATS.md §2, ward .. persistent: the first 21. */
#define WS_SERIES_CORE_COLS 21
/* Columns a CSV file of table k holds: every column, or for the series table
 * with o->core the first WS_SERIES_CORE_COLS. */
size_t ws_csv_ncols(int k, const struct ws_report_opts *o);

/*
 * Appends row i of the series table s to out as one CSV line: the 35
 * columns of ws_tab_col(WS_TAB_SERIES, ...) (the first WS_SERIES_CORE_COLS
 * when core is 1), then a newline; the same bytes as
 * the cells of ws_tab_cell written one by one. Strings come from d (ward ...
 * unit) and are quoted as RFC 4180 asks; with excel, text that starts a
 * formula is quoted and prefixed with an apostrophe. marks is d's array from
 * ws_csv_marks_new. Room for the whole row is made once (numbers take at most
 * 32 bytes, strings at most twice their length plus the quotes). Reads only
 * entry i of s's columns (and s->text), so s may be any block of series, such
 * as one computed on the fly; threads may share marks, each with its own out.
 * Returns WS_OK, or WS_ENOMEM with out->oom set and out->len unchanged.
 */
int ws_csv_series_row(const struct ws_series_stats *s, size_t i, const struct ws_dict *d,
		      atomic_uchar *marks, int excel, int core, struct ws_csv_buf *out);

/* Rows a block of a CSV table holds (the unit of formatting on a thread). */
#define WS_CSV_BLOCK_ROWS 4096

/* ---- series.csv as the statistics come (csv_stream.c) --------------------- */

/* What the series table is computed from, when it is computed as it is written. */
struct ws_csv_live {
	const struct ws_index *ix;
	const struct ws_stats_opts *so;
	struct ws_stats *st;  /* receives the roll-ups */
	double *t_stats;      /* receives the seconds the pass took, or NULL */
};

/*
 * Computes the statistics of lv (ws_stats_compute_blocks) and writes the
 * series table to f (opened by ws_report_open, nothing written yet) as they
 * come; name is f's path for messages. WS_OK, or the error with err set; a
 * failed write is WS_EIO "NAME: writing failed: ...".
 */
int ws_report_csv_stream(const struct ws_table *t, const struct ws_csv_live *lv,
			 const struct ws_report_opts *o, FILE *f, const char *name,
			 struct ws_err *err);

/* ---- the review: which rows each part shows (w_review.c) ---------------- */

/*
 * The rows of every part of the review, chosen once so that text, Markdown,
 * HTML, JSON, XLSX and CSV show the same rows in the same order. Row numbers
 * index the tables of struct ws_stats. --division filters every list except
 * the ward table (a ward total stays a ward total).
 */
struct ws_report_review {
	const struct ws_table *t;          /* borrowed */
	const struct ws_stats *st;         /* borrowed */
	const struct ws_report_opts *o;    /* borrowed */
	const struct ws_index *ix;         /* rows of each series: o->index or own */
	struct ws_index own;               /* built here when o->index is NULL */
	int32_t review_year;               /* newest review year of any series, -1 = none */
	size_t *rows[WS_TAB_COUNT];        /* each table's rows after the division filter */
	size_t nrows[WS_TAB_COUNT];
	size_t *rank, nrank;               /* divisions: ward, then rank, unranked last */
	size_t *disagree, ndisagree;       /* objectives whose recorded verdict disagrees */
	size_t *below, nbelow;             /* series missed at their review year */
	size_t npersistent;                /* the first npersistent of below are persistent */
	size_t ndisagree_all, nrank_all;   /* before ws_report_review_cap: the whole counts */
	size_t npersistent_all, nmissed_all;
	size_t *trend, ntrend;             /* series with a trend, descending: rising first */
	size_t nrising, nfalling;          /* trend[0..nrising) rise; the rest fall, the
					      strongest fall last */
	double *level;                     /* per series: mean of the actuals, NaN = none */
	double *rel;                       /* per series: sen_slope / |level|, NaN = no trend */
	int nwards;                        /* wards in the data: > 1 prefixes divisions */
	size_t nsummary, nsummary_all;     /* ward summaries shown (the first of the wards
					      table), and all of them */
};

/* A data table of a view: rows of table `tab`, written under `name`. */
struct ws_dtab {
	const char *name;   /* "ward", "divisions", ..., "ranking", "trends", "below" */
	int tab;            /* enum ws_tab */
	const size_t *rows; /* the rows, in order; borrowed from the review */
	size_t n;
	int trend;          /* 1: add the columns mean_actual and relative_slope */
};

/* Trend columns added to the series columns of a trend table. */
#define WS_TREND_COLS 2
/* The trend rule, stated once for every format's header. */
#define WS_TREND_RULE                                                                      \
	"trend = Theil-Sen slope per year as a share of the series' mean actual, "         \
	"over series with 3 or more years of actuals; p = two-sided p of the "             \
	"Mann-Kendall test (MK; exact up to 10 years) and of the OLS slope t-test; "       \
	"* marks p < 0.05"
/* Rows shown by the human formats (text, md, html) in each trend list. */
#define WS_TREND_TOP_REVIEW 5
#define WS_TREND_TOP_VIEW 10

/*
 * The lists a person reads (text, md, html) stop after this many rows; the
 * machine formats (csv, json, xlsx) carry every row. A capped list ends with
 * a line saying how many more there are and where to find them.
 */
#define WS_LIST_REVIEW 50 /* in the whole review */
#define WS_LIST_VIEW 200  /* in a focused command (below, ...) */
#define WS_LIST_WARDS 20  /* ward summaries in the review */
#define WS_INDICATORS_HTML 300 /* series in the HTML "all indicators" section */
#define BELOW_ALL "`wardstat below -f csv`"
#define DISAGREE_ALL "objectives.csv of `wardstat report -f csv -o DIR` (agrees = false)"
#define SERIES_ALL "series.csv of `wardstat report -f csv -o DIR`"
#define RANK_ALL "`wardstat rank -f csv`"
#define WARDS_ALL "ward.csv of `wardstat report -f csv -o DIR`"

/*
 * Caps the review's lists for a person to read: the first ward summaries,
 * the first rows of the disagreements, of the persistent and of the missed
 * indicators; the whole counts stay in the *_all fields. Call after ws_report_review_init, only in
 * the prose writers.
 */
void ws_report_review_cap(struct ws_report_review *rv);
/* "" when shown == all; else "... and N more: every row is in WHAT." Returns buf. */
const char *ws_report_more(size_t shown, size_t all, const char *what, char *buf, size_t cap);

/* One format's writers of the review's sections; ctx is that writer's state. */
struct ws_review_sections {
	void (*summary)(void *ctx);       /* the ward summary */
	void (*ranking)(void *ctx);       /* the division ranking */
	void (*disagreements)(void *ctx); /* recorded verdicts against the numbers */
	void (*below)(void *ctx);         /* missed and persistently below target */
	void (*trends)(void *ctx, size_t top); /* the strongest trends, top each way */
};

/* The FILE and review a Markdown or HTML section writes from. */
struct section_out {
	FILE *f;
	const struct ws_report_review *rv;
};

/* Writes the sections a view asks for, in the review's order (every one for
 * WS_VIEW_REVIEW): the one place that maps views to sections. */
void ws_report_sections(const struct ws_review_sections *w, void *ctx, int view);

/*
 * Chooses the rows. Returns WS_OK, WS_ENOMEM, or WS_EUSAGE (err set) when
 * o->division names no division. rv must be freed with ws_report_review_fini
 * either way.
 */
int ws_report_review_init(struct ws_report_review *rv, const struct ws_table *t,
			  const struct ws_stats *st, const struct ws_report_opts *o,
			  struct ws_err *err);
void ws_report_review_fini(struct ws_report_review *rv);
/* Fills d (WS_TAB_COUNT entries) with the data tables of o->view; returns how many. */
size_t ws_report_review_dtabs(const struct ws_report_review *rv, struct ws_dtab *d);
/* Name and value of trend column c (0 <= c < WS_TREND_COLS) for series s. */
const char *ws_report_trend_col(size_t c);
void ws_report_trend_cell(const struct ws_report_review *rv, size_t s, size_t c,
			  struct ws_cell *cell);
/* Column index of `name` in table k; (size_t)-1 when absent. */
size_t ws_report_col(int k, const char *name);
/* Cell (row, column `name`) of table k. */
void ws_report_cell(const struct ws_report_review *rv, int k, size_t row, const char *name,
		    struct ws_cell *cell);
/* Rows of series s in the table, years ascending: *first points at rv->ix->row. */
size_t ws_report_series_rows(const struct ws_report_review *rv, size_t s, const uint32_t **first);
/* The series of (ward, division): rows *first .. *first + return - 1 of the
 * series table, found by binary search (series are in bytewise order). */
size_t ws_report_division_series(const struct ws_report_review *rv, uint32_t ward,
				 uint32_t division, size_t *first);
/* The title: o->title, else a default for the view; static or borrowed. */
const char *ws_report_title(const struct ws_report_review *rv);
/* "division" (borrowed from the dictionary), or "ward division" written into
 * buf when the data has several wards. */
const char *ws_report_div_label(const struct ws_report_review *rv, uint32_t ward,
				uint32_t division, char *buf, size_t cap);

/* ---- numbers for people (text, md, html) --------------------------------- */

/* 2 decimals under 100, 1 above, 3 under 1, no trailing zeros: "4.4", "-19155". */
const char *ws_report_fmt_num(double x, char *buf, size_t cap);
/* As ws_report_fmt_num with a sign: "+8", "-2.6", "0". */
const char *ws_report_fmt_signed(double x, char *buf, size_t cap);
/* A share as a percentage with one decimal: 0.836 -> "83.6%". */
const char *ws_report_fmt_pct(double x, char *buf, size_t cap);
/* A relative slope per year: 0.123 -> "+12.3%". */
const char *ws_report_fmt_rel(double x, char *buf, size_t cap);
/* A p-value: "0.083", "0.012*" (p < 0.05), "<0.001*". */
const char *ws_report_fmt_p(double x, char *buf, size_t cap);
/* Every formatter returns "" for NaN. */

/* ---- display width of UTF-8 (w_width.c) --------------------------------- */

/* Decodes the code point at s; *len gets its byte length (1 and U+FFFD for a
 * byte that does not start valid UTF-8). */
uint32_t ws_report_utf8_next(const unsigned char *s, size_t *len);
/* Columns a code point takes: 0 combining, 2 East Asian Wide/Fullwidth, else 1. */
int ws_report_cpwidth(uint32_t c);
/* Display width of the NUL-terminated UTF-8 string s. */
int ws_report_dwidth(const char *s);
/* Bytes of the longest prefix of s that fits in w columns; *used gets its width. */
size_t ws_report_fit(const char *s, int w, int *used);
/* Removes a UTF-8 sequence left unfinished at the end of buf (by a cut); returns buf. */
char *ws_report_utf8_trim(char *buf);

/* Writes data table d as CSV (header, then rows) to f; WS_EIO when a write failed. */
int ws_report_csv_dtab(const struct ws_report_review *rv, const struct ws_dtab *d, FILE *f);

int ws_report_text(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err);
int ws_report_json(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err);
int ws_report_md(const struct ws_table *t, const struct ws_stats *st,
		 const struct ws_report_opts *o, FILE *f, struct ws_err *err);
int ws_report_html(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err);
int ws_report_xlsx(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, const char *path, struct ws_err *err);

#endif
