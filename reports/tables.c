/*
 * tables.c: the output tables described once, column by column.
 *
 * Every writer (CSV, JSON, Markdown, HTML, XLSX) walks these descriptions, so
 * the column names and order of FORMATS.md §2 live in one place. The
 * contract's columns come first; wardstat's own follow them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_internal.h"

static const char *const series_cols[] = {
	"ward", "division", "objective", "indicator", "unit", "direction", "n", "first_year",
	"last_year", "slope", "intercept", "r2", "review_year", "target", "actual", "gap",
	"achievement", "met", "years_below", "streak", "persistent",
	/* beyond the contract */
	"slope_se", "slope_p", "sen_slope", "mk_s", "mk_p", "forecast_year", "forecast",
	"forecast_lo", "forecast_hi", "years_to_target", "progress", "band", "lag", "reason"};
static const char *const division_cols[] = {
	"ward", "division", "indicators", "reviewed", "met", "met_share", "mean_achievement",
	"persistent", "rank", "completeness"};
static const char *const objective_cols[] = {
	"ward", "division", "objective", "indicators", "reviewed", "met", "status", "recorded",
	"agrees"};
static const char *const ward_cols[] = {
	"ward", "indicators", "reviewed", "met", "met_share", "persistent", "objectives",
	"objectives_met", "objectives_partial", "objectives_missed", "objectives_unreviewed",
	"verdicts_recorded", "verdicts_agree", "verdicts_disagree"};

static const struct {
	const char *name;
	const char *const *cols;
	size_t ncols;
} tabs[WS_TAB_COUNT] = {
	{"series", series_cols, sizeof(series_cols) / sizeof(series_cols[0])},
	{"divisions", division_cols, sizeof(division_cols) / sizeof(division_cols[0])},
	{"objectives", objective_cols, sizeof(objective_cols) / sizeof(objective_cols[0])},
	{"ward", ward_cols, sizeof(ward_cols) / sizeof(ward_cols[0])},
};

const char *ws_tab_name(int k) { return tabs[k].name; }
size_t ws_tab_ncols(int k) { return tabs[k].ncols; }
const char *ws_tab_col(int k, size_t c) { return tabs[k].cols[c]; }

size_t ws_tab_nrows(const struct ws_stats *st, int k)
{
	switch (k) {
	case WS_TAB_SERIES: return st->series.n;
	case WS_TAB_DIVISIONS: return st->divisions.n;
	case WS_TAB_OBJECTIVES: return st->objectives.n;
	default: return st->wards.n;
	}
}

static void str(struct ws_cell *c, const char *s)
{
	c->kind = WS_COL_STR;
	c->s = s;
	c->missing = !*s;
}

static void num(struct ws_cell *c, double x)
{
	c->kind = WS_COL_NUM;
	c->x = x;
	c->missing = isnan(x);
}

/* An integer where negative means missing (years, streaks). */
static void opt_int(struct ws_cell *c, long long v)
{
	c->kind = WS_COL_INT;
	c->i = v;
	c->missing = v < 0;
}

static void boolean(struct ws_cell *c, int v)
{
	c->kind = WS_COL_BOOL;
	c->i = v > 0;
	c->missing = v < 0;
}

/* The series columns. ws_csv_series_row (csv.c) writes the same columns
 * straight to CSV for speed: a column changed here must change there too
 * (tests/test_reports.c checks that file byte for byte). */
static void series_cell(const struct ws_table *t, const struct ws_series_stats *s, size_t i,
			size_t col, struct ws_cell *c)
{
	const struct ws_dict *d = &t->dict;

	switch (col) {
	case 0: str(c, ws_dict_str(d, s->ward[i])); break;
	case 1: str(c, ws_dict_str(d, s->division[i])); break;
	case 2: str(c, ws_dict_str(d, s->objective[i])); break;
	case 3: str(c, ws_dict_str(d, s->indicator[i])); break;
	case 4: str(c, ws_dict_str(d, s->unit[i])); break;
	case 5: str(c, s->direction[i] == WS_DIR_LOWER ? "lower" : "higher"); break;
	case 6: opt_int(c, s->nobs[i]); break;
	case 7: opt_int(c, s->first_year[i]); break;
	case 8: opt_int(c, s->last_year[i]); break;
	case 9: num(c, s->slope[i]); break;
	case 10: num(c, s->intercept[i]); break;
	case 11: num(c, s->r2[i]); break;
	case 12: opt_int(c, s->review_year[i]); break;
	case 13: num(c, s->target[i]); break;
	case 14: num(c, s->actual[i]); break;
	case 15: num(c, s->gap[i]); break;
	case 16: num(c, s->achievement[i]); break;
	case 17: boolean(c, s->met[i]); break;
	case 18: opt_int(c, s->years_below[i]); break;
	case 19: opt_int(c, s->streak[i]); break;
	case 20: boolean(c, s->persistent[i]); break;
	case 21: num(c, s->slope_se[i]); break;
	case 22: num(c, s->slope_p[i]); break;
	case 23: num(c, s->sen_slope[i]); break;
	case 24: num(c, s->mk_s[i]); break;
	case 25: num(c, s->mk_p[i]); break;
	case 26: opt_int(c, s->forecast_year[i]); break;
	case 27: num(c, s->forecast[i]); break;
	case 28: num(c, s->forecast_lo[i]); break;
	case 29: num(c, s->forecast_hi[i]); break;
	case 30: num(c, s->years_to_target[i]); break;
	case 31: num(c, s->progress[i]); break;
	case 32: str(c, ws_stats_band_name(s->band[i])); break;
	case 33: opt_int(c, s->lag[i]); break;
	default: str(c, s->text + s->reason[i]); break;
	}
}

static void division_cell(const struct ws_table *t, const struct ws_division_stats *d, size_t i,
			  size_t col, struct ws_cell *c)
{
	switch (col) {
	case 0: str(c, ws_dict_str(&t->dict, d->ward[i])); break;
	case 1: str(c, ws_dict_str(&t->dict, d->division[i])); break;
	case 2: opt_int(c, d->indicators[i]); break;
	case 3: opt_int(c, d->reviewed[i]); break;
	case 4: opt_int(c, d->met[i]); break;
	case 5: num(c, d->met_share[i]); break;
	case 6: num(c, d->mean_achievement[i]); break;
	case 7: opt_int(c, d->persistent[i]); break;
	case 8: opt_int(c, d->rank[i]); break;
	default: num(c, d->completeness[i]); break;
	}
}

static void objective_cell(const struct ws_table *t, const struct ws_objective_stats *o,
			   size_t i, size_t col, struct ws_cell *c)
{
	switch (col) {
	case 0: str(c, ws_dict_str(&t->dict, o->ward[i])); break;
	case 1: str(c, ws_dict_str(&t->dict, o->division[i])); break;
	case 2: str(c, ws_dict_str(&t->dict, o->objective[i])); break;
	case 3: opt_int(c, o->indicators[i]); break;
	case 4: opt_int(c, o->reviewed[i]); break;
	case 5: opt_int(c, o->met[i]); break;
	case 6: str(c, ws_eval_name(o->status[i])); break;
	case 7: str(c, ws_eval_name(o->recorded[i])); break;
	default: boolean(c, o->agrees[i]); break;
	}
}

static void ward_cell(const struct ws_table *t, const struct ws_ward_stats *w, size_t i,
		      size_t col, struct ws_cell *c)
{
	const int32_t *ints[] = {NULL, w->indicators, w->reviewed, w->met, NULL, w->persistent,
				 w->objectives, w->obj_met, w->obj_partial, w->obj_missed,
				 w->obj_unreviewed, w->recorded, w->agree, w->disagree};

	if (col == 0)
		str(c, ws_dict_str(&t->dict, w->ward[i]));
	else if (col == 4)
		num(c, w->met_share[i]);
	else
		opt_int(c, ints[col][i]);
}

void ws_tab_cell(const struct ws_table *t, const struct ws_stats *st, int k, size_t row, size_t c,
		 struct ws_cell *cell)
{
	memset(cell, 0, sizeof(*cell));
	switch (k) {
	case WS_TAB_SERIES: series_cell(t, &st->series, row, c, cell); break;
	case WS_TAB_DIVISIONS: division_cell(t, &st->divisions, row, c, cell); break;
	case WS_TAB_OBJECTIVES: objective_cell(t, &st->objectives, row, c, cell); break;
	default: ward_cell(t, &st->wards, row, c, cell); break;
	}
}

const char *ws_cell_text(const struct ws_cell *c, char *buf, size_t cap)
{
	if (c->missing) {
		buf[0] = '\0';
		return buf;
	}
	switch (c->kind) {
	case WS_COL_STR: return c->s;
	case WS_COL_NUM: return ws_report_num(c->x, buf, cap);
	case WS_COL_BOOL: return c->i ? "true" : "false";
	default: ws_fmt_double((double)c->i, 15, buf, cap); return buf; /* exact below 10^15 */
	}
}
