/*
 * w_xlsx.c: the tables as an Excel workbook, through libxlsxwriter.
 *
 * This file contains the XLSX writer: one worksheet per table of the view
 * (the review: ward, divisions, objectives, series; the other views their
 * one table: ranking, trends or below), a bold header row that stays in view
 * and filters, numbers as numbers, booleans as booleans, missing values as
 * blank cells. Text is stored as text, never as a formula, so a cell such as
 * =HYPERLINK(...) is shown, not run.
 *
 * libxlsxwriter writes to a file name, so the workbook goes to a temporary
 * "<dir>/.<name>.XXXXXX" beside the target (the file a link names, when the
 * target is a symbolic link: the link is kept), is synced and renamed over it
 * only when workbook_close() succeeded; on any failure the temporary file is
 * removed and an existing target is left as it was. The document's creation
 * time is fixed (1980-01-01, the date libxlsxwriter gives the zip entries) so
 * that the same input gives the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "report_internal.h"

/* 1980-01-01T00:00:00Z: the earliest zip time, as on every entry of the file. */
#define CREATED ((time_t)315532800)

/* Longest text libxlsxwriter accepts in a cell, in bytes. */
#define CELL_MAX 32767

/* Writes text s, cut at a UTF-8 boundary when longer than a cell holds. */
static lxw_error put_text(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s)
{
	char *cut;
	size_t n = strlen(s);
	lxw_error e;

	if (n <= CELL_MAX)
		return worksheet_write_string(ws, r, c, s, NULL);
	n = CELL_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	if (!(cut = malloc(n + 1)))
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	memcpy(cut, s, n);
	cut[n] = '\0';
	e = worksheet_write_string(ws, r, c, cut, NULL);
	free(cut);
	return e;
}

/* Writes one cell; a missing value stays blank. */
static lxw_error put_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const struct ws_cell *cell)
{
	if (cell->missing)
		return LXW_NO_ERROR;
	switch (cell->kind) {
	case WS_COL_STR: return put_text(ws, r, c, cell->s);
	case WS_COL_BOOL: return worksheet_write_boolean(ws, r, c, cell->i != 0, NULL);
	case WS_COL_INT: return worksheet_write_number(ws, r, c, (double)cell->i, NULL);
	default:
		if (!isfinite(cell->x))
			return LXW_NO_ERROR;
		return worksheet_write_number(ws, r, c, cell->x, NULL);
	}
}

/* Column width in characters for a column name: names and labels are wide. */
static double col_width(const char *name)
{
	if (strcmp(name, "indicator") == 0 || strcmp(name, "reason") == 0)
		return 48;
	if (strcmp(name, "division") == 0)
		return 22;
	if (strcmp(name, "ward") == 0 || strcmp(name, "objective") == 0)
		return 10;
	return strlen(name) + 3.0 > 10 ? strlen(name) + 3.0 : 10;
}

/* One worksheet for data table d. */
static lxw_error sheet(lxw_workbook *wb, const struct ws_report_review *rv,
		       const struct ws_dtab *d, lxw_format *bold)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, d->name);
	size_t ncols = ws_tab_ncols(d->tab), all = ncols + (d->trend ? WS_TREND_COLS : 0);
	lxw_error e = LXW_NO_ERROR;

	if (!ws)
		return LXW_ERROR_MEMORY_MALLOC_FAILED;
	for (size_t c = 0; c < all && !e; c++) {
		const char *name = c < ncols ? ws_tab_col(d->tab, c) : ws_report_trend_col(c - ncols);

		e = worksheet_write_string(ws, 0, (lxw_col_t)c, name, bold);
		if (!e)
			e = worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, col_width(name), NULL);
	}
	for (size_t r = 0; r < d->n && !e; r++) {
		for (size_t c = 0; c < all && !e; c++) {
			struct ws_cell cell;

			if (c < ncols)
				ws_tab_cell(rv->t, rv->st, d->tab, d->rows[r], c, &cell);
			else
				ws_report_trend_cell(rv, d->rows[r], c - ncols, &cell);
			e = put_cell(ws, (lxw_row_t)(r + 1), (lxw_col_t)c, &cell);
		}
	}
	worksheet_freeze_panes(ws, 1, 0);
	if (!e)
		e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)d->n, (lxw_col_t)(all - 1));
	return e;
}

/* Makes "<dir>/.<name>.XXXXXX" and creates it; returns 0 or errno. */
static int temp_beside(const char *path, char *tmp, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int fd, n;

	if (slash)
		n = snprintf(tmp, cap, "%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, cap, ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= cap)
		return ENAMETOOLONG;
	if ((fd = mkstemp(tmp)) < 0)
		return errno;
	fchmod(fd, 0644);
	close(fd);
	return 0;
}

/* Flushes the finished temporary file to disk; returns 0 or errno. */
static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY), e = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		e = errno;
	close(fd);
	return e;
}

int ws_report_xlsx(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, const char *path, struct ws_err *err)
{
	struct ws_report_review rv;
	struct ws_dtab d[WS_TAB_COUNT];
	lxw_workbook_options opts = {0};
	lxw_doc_properties props = {0};
	lxw_workbook *wb;
	lxw_format *bold;
	lxw_error e = LXW_NO_ERROR, closed;
	char tmp[4200], real[4096];
	const char *target;
	size_t n;
	int rc, sys;

	if (!path || strcmp(path, "-") == 0)
		return ws_err_set(err, WS_EUSAGE, "xlsx needs an output file (-o FILE)");
	if ((rc = ws_report_review_init(&rv, t, st, o, err)) != WS_OK)
		goto out_free_review;
	n = ws_report_review_dtabs(&rv, d);
	for (size_t i = 0; i < n; i++)
		if (d[i].n >= LXW_ROW_MAX) {
			rc = ws_err_set(err, WS_EIO, "%s: %zu rows do not fit one xlsx sheet (at most %d)",
					path, d[i].n, LXW_ROW_MAX - 1);
			goto out_free_review;
		}
	target = ws_report_target(path, real, sizeof(real)); /* through a link: its file */
	if ((sys = temp_beside(target, tmp, sizeof(tmp))) != 0) {
		rc = ws_err_set(err, WS_EIO, "%s: cannot write: %s", path, strerror(sys));
		goto out_free_review;
	}
	if (!(wb = workbook_new_opt(tmp, &opts))) {
		rc = ws_err_set(err, WS_EIO, "%s: cannot start the workbook", path);
		goto out_unlink;
	}
	props.title = (char *)ws_report_title(&rv);
	props.created = CREATED;
	workbook_set_properties(wb, &props);
	bold = workbook_add_format(wb);
	if (!bold)
		e = LXW_ERROR_MEMORY_MALLOC_FAILED;
	else
		format_set_bold(bold);
	for (size_t i = 0; i < n && !e; i++)
		e = sheet(wb, &rv, &d[i], bold);
	closed = workbook_close(wb); /* frees wb whatever happened */
	if (e || closed) {
		rc = ws_err_set(err, WS_EIO, "%s: writing the workbook failed: %s", path,
				lxw_strerror(e ? e : closed));
		goto out_unlink;
	}
	if ((sys = sync_file(tmp)) == 0 && rename(tmp, target) != 0)
		sys = errno;
	if (sys) {
		rc = ws_err_set(err, WS_EIO, "%s: writing failed: %s", path, strerror(sys));
		goto out_unlink;
	}
	goto out_free_review;
out_unlink:
	unlink(tmp);
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}
