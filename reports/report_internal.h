/*
 * report_internal.h: the writers of reports/, one per format, and the helpers
 * they share. Nobody outside reports/ includes this.
 */
#ifndef WS_REPORT_INTERNAL_H
#define WS_REPORT_INTERNAL_H

#include "ws_report.h"

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

/* Writes the CSV tables into directory dir (created if missing). */
int ws_report_csv_dir(const struct ws_table *t, const struct ws_stats *st,
		      const struct ws_report_opts *o, const char *dir, struct ws_err *err);
/* Writes one table as CSV to f: which = "series", "divisions", "objectives", "ward". */
int ws_report_csv_table(const struct ws_table *t, const struct ws_stats *st,
			const struct ws_report_opts *o, const char *which, FILE *f);

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
