/*
 * ws_report.h: writing the tables and the annual review.
 *
 * This file contains the public interface of reports/: atomic output files
 * (written to a temporary file beside the target, then renamed, so a failed
 * write never leaves half a file and never replaces a good one), the number
 * format shared by every writer, and one writer per format.
 *
 * Usage:
 *   struct ws_out out;
 *   if (ws_report_open(&out, "dir/series.csv", &err) == WS_OK) {
 *       ... fprintf(out.f, ...) ...
 *       ws_report_commit(&out, &err);   (or ws_report_abort(&out) on failure)
 *   }
 */
#ifndef WS_REPORT_H
#define WS_REPORT_H

#include <stdio.h>

#include "../engine/ws_engine.h"
#include "../stats/ws_stats.h"

enum ws_format {
	WS_FMT_TEXT = 0, /* the annual review for a terminal */
	WS_FMT_CSV,      /* the tables of FORMATS.md §2, one file each, into a directory */
	WS_FMT_JSON,     /* one JSON document, NaN as null */
	WS_FMT_MD,       /* Markdown tables */
	WS_FMT_HTML,     /* one self-contained page with inline SVG charts */
	WS_FMT_XLSX      /* one workbook, a sheet per table */
};

/* Parses "text", "csv", ...; returns WS_EUSAGE for an unknown name. */
int ws_report_format(const char *name, int *fmt);

/* What to report; zero means the default. */
enum ws_view {
	WS_VIEW_REVIEW = 0, /* the whole annual review */
	WS_VIEW_RANK,       /* the division ranking */
	WS_VIEW_TRENDS,     /* the strongest rising and falling trends */
	WS_VIEW_BELOW       /* indicators missed and persistently below target */
};

struct ws_report_opts {
	int format;           /* enum ws_format */
	int view;             /* enum ws_view */
	int excel;            /* csv: UTF-8 BOM, cells starting = + - @ neutralised */
	int core;             /* csv: series.csv holds only the 21 columns of FORMATS.md §2
				 (--columns=core; st computed with ws_stats_opts.core) */
	int color;            /* text: ANSI colour */
	int width;            /* text: terminal columns; 0 = 80 */
	int threads;          /* csv formatting threads; 0 = one per core (ws_engine_threads) */
	int streak;           /* persistent threshold, for titles */
	const char *division; /* below: only this division; NULL = all */
	const char *title;    /* report title; NULL = "wardstat annual review" */
	const char *source;   /* what was read, for the report header */
	const struct ws_index *index; /* the series index st was computed from (its
					 rows give the years of each series, for the
					 trends and sparklines); NULL = rebuilt from t */
};

/* A file being written: the temporary path and its final name. */
struct ws_out {
	FILE *f;          /* write here */
	char path[4096];  /* final name */
	char tmp[4096];   /* temporary name beside it */
	int is_stdout;    /* "-" or no path: f is stdout, nothing to rename */
};

/* Opens path ("-" or NULL = stdout) for writing through a temporary file. */
int ws_report_open(struct ws_out *out, const char *path, struct ws_err *err);
/* Flushes, syncs and renames into place; on any failure removes the temporary
 * file, leaves an existing file untouched and returns WS_EIO. */
int ws_report_commit(struct ws_out *out, struct ws_err *err);
/* Discards the temporary file. */
void ws_report_abort(struct ws_out *out);

/*
 * Formats x with 15 significant digits, trailing zeros dropped, as
 * printf("%.15g") (every decimal of up to 15 digits reads back to the same
 * double, and the contract asks for at least 10); "" for NaN. buf needs 32
 * bytes. Returns buf.
 */
const char *ws_report_num(double x, char *buf, size_t cap);

/*
 * Writes the report of st in o->format. For WS_FMT_CSV and the review view,
 * path is a directory that receives series.csv, divisions.csv,
 * objectives.csv and ward.csv; for the other views (one table each: the
 * ranking, the trends, the below rows) and the other formats, a file ("-" or
 * NULL = stdout; xlsx needs a file). Every file is written atomically.
 * Returns WS_OK, WS_EIO (err set), WS_ENOMEM, or WS_EUSAGE (err set) when
 * o->division names no division of the data.
 */
int ws_report_write(const struct ws_table *t, const struct ws_stats *st,
		    const struct ws_report_opts *o, const char *path, struct ws_err *err);

/*
 * The CSV review computed and written in one pass: what ws_stats_compute then
 * ws_report_write (WS_FMT_CSV, the review view) give, byte for byte, but the
 * series rows are formatted as each block of series is computed and written
 * while the next block is, so the per-series results are never all held
 * (ws_stats_compute_blocks). st receives the roll-ups (st->series keeps only
 * their columns; free with ws_stats_fini). o->division must be NULL. When
 * t_stats is not NULL it receives the seconds until the series table was
 * written, statistics included.
 */
int ws_report_csv_review(const struct ws_table *t, const struct ws_index *ix,
			 const struct ws_stats_opts *so, const struct ws_report_opts *o,
			 const char *dir, struct ws_stats *st, double *t_stats, struct ws_err *err);

#endif /* WS_REPORT_H */
