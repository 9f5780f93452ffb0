/*
 * csv.c: the tables as CSV files (RFC 4180), one per table, into a directory.
 *
 * With --excel the files start with the UTF-8 BOM Excel needs to read them as
 * UTF-8, and text cells that start with = + - @ (or a tab or CR) are prefixed
 * with an apostrophe so that a spreadsheet shows them instead of running them
 * as formulas. Numbers are never altered: a negative gap stays a number.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "report_internal.h"

/* Writes one field, quoted when it holds a comma, quote, CR or LF. */
static void field(FILE *f, const char *s, int neutralise)
{
	size_t n = strlen(s);

	if (neutralise && n && strchr("=+-@\t\r", s[0])) {
		fputc('"', f);
		fputc('\'', f);
	} else if (!strpbrk(s, ",\"\r\n")) {
		fwrite(s, 1, n, f);
		return;
	} else {
		fputc('"', f);
	}
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int ws_report_csv_table(const struct ws_table *t, const struct ws_stats *st,
			const struct ws_report_opts *o, const char *which, FILE *f)
{
	int k = 0;
	char buf[64];

	while (k < WS_TAB_COUNT && strcmp(ws_tab_name(k), which) != 0)
		k++;
	if (k == WS_TAB_COUNT)
		return WS_EUSAGE;
	if (o->excel)
		fputs("\xEF\xBB\xBF", f);
	for (size_t c = 0; c < ws_tab_ncols(k); c++) {
		if (c)
			fputc(',', f);
		fputs(ws_tab_col(k, c), f);
	}
	fputc('\n', f);
	for (size_t r = 0; r < ws_tab_nrows(st, k); r++) {
		for (size_t c = 0; c < ws_tab_ncols(k); c++) {
			struct ws_cell cell;

			ws_tab_cell(t, st, k, r, c, &cell);
			if (c)
				fputc(',', f);
			field(f, ws_cell_text(&cell, buf, sizeof(buf)),
			      o->excel && cell.kind == WS_COL_STR);
		}
		fputc('\n', f);
	}
	return ferror(f) ? WS_EIO : WS_OK;
}

int ws_report_csv_dir(const struct ws_table *t, const struct ws_stats *st,
		      const struct ws_report_opts *o, const char *dir, struct ws_err *err)
{
	char path[4096];
	int rc;

	if (!dir || strcmp(dir, "-") == 0) /* no directory: the series table to stdout */
		dir = NULL;
	if (dir && mkdir(dir, 0755) != 0 && errno != EEXIST)
		return ws_err_set(err, WS_EIO, "%s: cannot create directory: %s", dir,
				  strerror(errno));
	for (int k = 0; k < WS_TAB_COUNT; k++) {
		struct ws_out out;

		if (!dir && k != WS_TAB_SERIES)
			continue;
		if (dir && snprintf(path, sizeof(path), "%s/%s.csv", dir, ws_tab_name(k)) >=
				   (int)sizeof(path))
			return ws_err_set(err, WS_EIO, "%s: path too long", dir);
		if ((rc = ws_report_open(&out, dir ? path : NULL, err)) != WS_OK)
			return rc;
		if (ws_report_csv_table(t, st, o, ws_tab_name(k), out.f) != WS_OK) {
			ws_report_abort(&out);
			return ws_err_set(err, WS_EIO, "%s: writing failed: %s", dir ? path : "stdout",
					  strerror(errno));
		}
		if ((rc = ws_report_commit(&out, err)) != WS_OK)
			return rc;
	}
	return WS_OK;
}
