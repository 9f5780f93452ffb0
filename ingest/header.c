/*
 * header.c: the header of an input file: which column is which.
 *
 * Names are matched against the aliases of FORMATS.md §1a after folding
 * width and ASCII case (ＷＡＲＤ, Ward, 区 are one column). A `year` column
 * means the long layout; otherwise columns such as R4目標, Ｒ２実績,
 * 2022_target or FY2022 actual are year columns of the sheet layout (§1b),
 * one slot per distinct year, in ascending order. Required columns missing or
 * a column given twice stop the file; unknown columns get one warning.
 */
#include "ingest_internal.h"

#include <stdlib.h>
#include <string.h>

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



const char *ws_role_name(int role)
{
	return role >= 0 && role < R_COUNT ? role_name[role] : "";
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

int ws_reader_header(struct reader *r)
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
	for (size_t c = 0; c < r->nf && r->check_utf8 < 0; c++)
		if (ws_utf8_invalid_at((const unsigned char *)r->fbase + r->foff[c], r->flen[c]) != r->flen[c]) { /* not UTF-8 after all */
			r->restart = 1;
			return WS_EPARSE;
		}
	for (size_t c = 0; c < r->ncols; c++) {
		size_t n;
		const char *s = ws_reader_field(r, c, &n);
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
							  "%s:%u:%zu: more than %d year columns",
							  r->path, r->line, c + 1, MAX_YEARS);
				r->years[r->nyears++] = year;
			}
			for (size_t p = 0; p < c; p++)
				if (r->role[p] == R_SHEET && r->kind[p] == kind &&
				    r->years[r->slot[p]] == year)
					return ws_err_set(r->err, WS_ESCHEMA,
							  "%s:%u:%zu: column '%s' repeats column %zu '%s' (both %s of %d)",
							  r->path, r->line, c + 1, r->hdr + r->hdr_off[c], p + 1,
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
					  "%s:%u:%zu: column '%s' repeats column %d '%s' (both %s)",
					  r->path, r->line, c + 1, r->hdr + r->hdr_off[c], r->col[r->role[c]] + 1,
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
				if (unknown_n < 5 && strlen(unknown) + strlen((r->hdr + r->hdr_off[c])) + 8 <
							     sizeof(unknown)) {
					strcat(unknown, unknown_n ? ", '" : "'");
					strcat(unknown, (r->hdr + r->hdr_off[c]));
					strcat(unknown, "'");
				}
				unknown_n++;
			}
		r->nyears = 0;
	}
	if (r->col[R_DIVISION] < 0)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:%u: missing required column 'division' (or 課, 組織名, 部署, 所属)",
				  r->path, r->line);
	if (r->col[R_INDICATOR] < 0)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:%u: missing required column 'indicator' (or 指標, 項目)", r->path,
				  r->line);
	if (r->col[R_YEAR] < 0 && !r->sheet)
		return ws_err_set(r->err, WS_ESCHEMA,
				  "%s:%u: missing required column 'year' (or 年度, or year columns such as 'R4実績', '2022_target')",
				  r->path, r->line);
	if (unknown_n)
		return ws_log_add(r->log, WS_LOG_WARNING, r->fcode, r->line, 0, NULL, 0,
				  "ignoring %zu unknown column%s: %s%s", unknown_n,
				  unknown_n > 1 ? "s" : "", unknown, unknown_n > 5 ? ", ..." : "");
	return WS_OK;
}
