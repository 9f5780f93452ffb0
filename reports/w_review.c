/*
 * w_review.c: what the annual review shows, chosen once for every format.
 *
 * This file contains the selection of rows for each part of the review (the
 * division ranking, the objectives whose recorded verdict disagrees with the
 * numbers, the indicators below target, the strongest trends), the
 * --division filter, the data tables of each view, and the number formats
 * that people read (text, Markdown, HTML).
 *
 * Usage:
 *   struct ws_report_review rv;
 *   if (ws_report_review_init(&rv, t, st, o, err) == WS_OK) ... rv.rank[i] ...
 *   ws_report_review_fini(&rv);
 *
 * The trend rule (stated in WS_TREND_RULE, printed by every format): a series
 * with n >= 3 years of actuals has the trend sen_slope / |mean actual|, the
 * Theil-Sen slope as a share of its own level per year, so that a count of
 * 270,000 views and a 4.5-point survey score compare. Rising are the series
 * with a positive trend, strongest first; falling the negative ones, most
 * negative first; ties go to the smaller Mann-Kendall p, then to table order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/* A sort key: compared k[0], k[1], k[2] ascending, then row. */
struct key {
	double k[3];
	size_t row;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x->k[i] != y->k[i])
			return x->k[i] < y->k[i] ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

/* NaN sorts last. */
static double last_if_nan(double x) { return isnan(x) ? HUGE_VAL : x; }

/* Sorts keys[0..n) and writes their rows to out. */
static void sort_rows(struct key *keys, size_t n, size_t *out)
{
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n; i++)
		out[i] = keys[i].row;
}

static int division_wanted(const struct ws_report_review *rv, uint32_t division)
{
	return !rv->o->division || strcmp(ws_dict_str(&rv->t->dict, division), rv->o->division) == 0;
}

/* Fills rv->rows[k] with the rows of table k that pass the division filter. */
static void filter_rows(struct ws_report_review *rv, int k)
{
	const struct ws_stats *st = rv->st;
	size_t n = ws_tab_nrows(st, k), m = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t div = k == WS_TAB_SERIES       ? st->series.division[i]
			       : k == WS_TAB_DIVISIONS  ? st->divisions.division[i]
			       : k == WS_TAB_OBJECTIVES ? st->objectives.division[i]
							: 0;

		if (k == WS_TAB_WARD || division_wanted(rv, div))
			rv->rows[k][m++] = i;
	}
	rv->nrows[k] = m;
}

/* Mean actual of every series, from its rows in the index. */
static void levels(struct ws_report_review *rv)
{
	const struct ws_table *t = rv->t;

	for (size_t s = 0; s < rv->st->series.n; s++) {
		const uint32_t *r;
		size_t m = ws_report_series_rows(rv, s, &r), n = 0;
		double sum = 0;

		for (size_t j = 0; j < m; j++)
			if (!isnan(t->actual[r[j]])) {
				sum += t->actual[r[j]];
				n++;
			}
		rv->level[s] = n ? sum / (double)n : NAN;
	}
}

/* The trend list: every filtered series with a trend, rising first. */
static void trends(struct ws_report_review *rv, struct key *keys)
{
	const struct ws_series_stats *s = &rv->st->series;
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		double rel = NAN;

		if (s->nobs[i] >= 3 && !isnan(s->sen_slope[i]) && !isnan(rv->level[i]) &&
		    rv->level[i] != 0)
			rel = s->sen_slope[i] / fabs(rv->level[i]);
		rv->rel[i] = rel;
	}
	for (size_t j = 0; j < rv->nrows[WS_TAB_SERIES]; j++) {
		size_t i = rv->rows[WS_TAB_SERIES][j];

		if (isnan(rv->rel[i]) || rv->rel[i] == 0)
			continue;
		/* one descending order; the falling are read from its end, so their
		 * tie-break on p is reversed */
		keys[n].k[0] = -rv->rel[i];
		keys[n].k[1] = rv->rel[i] > 0 ? last_if_nan(s->mk_p[i]) : -last_if_nan(s->mk_p[i]);
		keys[n].k[2] = 0;
		keys[n].row = i;
		rv->nrising += rv->rel[i] > 0;
		n++;
	}
	sort_rows(keys, n, rv->trend);
	rv->ntrend = n;
	rv->nfalling = n - rv->nrising;
}

/* Missed at the review year: persistent first (longest streak), then by achievement. */
static void below(struct ws_report_review *rv, struct key *keys)
{
	const struct ws_series_stats *s = &rv->st->series;
	size_t n = 0;

	for (size_t j = 0; j < rv->nrows[WS_TAB_SERIES]; j++) {
		size_t i = rv->rows[WS_TAB_SERIES][j];

		if (s->met[i] != 0)
			continue;
		keys[n].k[0] = s->persistent[i] == 1 ? 0 : 1;
		keys[n].k[1] = s->persistent[i] == 1 ? -(double)s->streak[i] : 0;
		keys[n].k[2] = last_if_nan(s->achievement[i]);
		keys[n].row = i;
		rv->npersistent += s->persistent[i] == 1;
		n++;
	}
	sort_rows(keys, n, rv->below);
	rv->nbelow = n;
}

/* Ranking: wards in table order, then rank, divisions with no rank last. */
static void ranking(struct ws_report_review *rv, struct key *keys)
{
	const struct ws_division_stats *d = &rv->st->divisions;
	size_t n = 0, group = 0;

	for (size_t j = 0; j < rv->nrows[WS_TAB_DIVISIONS]; j++) {
		size_t i = rv->rows[WS_TAB_DIVISIONS][j];

		if (j && d->ward[i] != d->ward[rv->rows[WS_TAB_DIVISIONS][j - 1]])
			group++;
		keys[n].k[0] = (double)group;
		keys[n].k[1] = d->rank[i] < 0 ? HUGE_VAL : d->rank[i];
		keys[n].k[2] = 0;
		keys[n].row = i;
		n++;
	}
	sort_rows(keys, n, rv->rank);
	rv->nrank = n;
}

int ws_report_review_init(struct ws_report_review *rv, const struct ws_table *t,
			  const struct ws_stats *st, const struct ws_report_opts *o,
			  struct ws_err *err)
{
	size_t most = 1;
	struct key *keys;
	int rc = WS_OK;

	memset(rv, 0, sizeof(*rv));
	rv->t = t;
	rv->st = st;
	rv->o = o;
	rv->review_year = -1;
	rv->nwards = (int)st->wards.n;
	rv->nsummary = rv->nsummary_all = st->wards.n;
	if (o->index && o->index->nseries == st->series.n) {
		rv->ix = o->index;
	} else {
		if ((rc = ws_index_build(t, &rv->own, err)) != WS_OK)
			return rc;
		/* a table whose index lost whole series cannot be matched: no years */
		rv->ix = rv->own.nseries == st->series.n ? &rv->own : NULL;
	}
	for (int k = 0; k < WS_TAB_COUNT; k++) {
		size_t n = ws_tab_nrows(st, k);

		most = n > most ? n : most;
		if (!(rv->rows[k] = malloc((n ? n : 1) * sizeof(size_t))))
			return ws_err_set(err, WS_ENOMEM, "out of memory");
		filter_rows(rv, k);
	}
	if (o->division && rv->nrows[WS_TAB_DIVISIONS] == 0)
		return ws_err_set(err, WS_EUSAGE, "no division '%s' in the data", o->division);
	for (size_t i = 0; i < st->series.n; i++)
		if (st->series.review_year[i] > rv->review_year)
			rv->review_year = st->series.review_year[i];
	keys = malloc(most * sizeof(*keys));
	rv->rank = malloc(most * sizeof(size_t));
	rv->disagree = malloc(most * sizeof(size_t));
	rv->below = malloc(most * sizeof(size_t));
	rv->trend = malloc(most * sizeof(size_t));
	rv->level = malloc(most * sizeof(double));
	rv->rel = malloc(most * sizeof(double));
	if (!keys || !rv->rank || !rv->disagree || !rv->below || !rv->trend || !rv->level ||
	    !rv->rel) {
		free(keys);
		return ws_err_set(err, WS_ENOMEM, "out of memory");
	}
	for (size_t j = 0; j < rv->nrows[WS_TAB_OBJECTIVES]; j++) {
		size_t i = rv->rows[WS_TAB_OBJECTIVES][j];

		if (st->objectives.agrees[i] == 0)
			rv->disagree[rv->ndisagree++] = i;
	}
	ranking(rv, keys);
	below(rv, keys);
	levels(rv);
	trends(rv, keys);
	free(keys);
	return WS_OK;
}

void ws_report_review_fini(struct ws_report_review *rv)
{
	for (int k = 0; k < WS_TAB_COUNT; k++)
		free(rv->rows[k]);
	free(rv->rank);
	free(rv->disagree);
	free(rv->below);
	free(rv->trend);
	free(rv->level);
	free(rv->rel);
	ws_index_fini(&rv->own);
	memset(rv, 0, sizeof(*rv));
}

size_t ws_report_review_dtabs(const struct ws_report_review *rv, struct ws_dtab *d)
{
	static const char *const names[WS_TAB_COUNT] = {"series", "divisions", "objectives",
							"ward"};
	static const int order[WS_TAB_COUNT] = {WS_TAB_WARD, WS_TAB_DIVISIONS, WS_TAB_OBJECTIVES,
						WS_TAB_SERIES};

	memset(d, 0, WS_TAB_COUNT * sizeof(*d));
	switch (rv->o->view) {
	case WS_VIEW_RANK:
		d[0] = (struct ws_dtab){"ranking", WS_TAB_DIVISIONS, rv->rank, rv->nrank, 0};
		return 1;
	case WS_VIEW_TRENDS:
		d[0] = (struct ws_dtab){"trends", WS_TAB_SERIES, rv->trend, rv->ntrend, 1};
		return 1;
	case WS_VIEW_BELOW:
		d[0] = (struct ws_dtab){"below", WS_TAB_SERIES, rv->below, rv->nbelow, 0};
		return 1;
	default:
		for (int i = 0; i < WS_TAB_COUNT; i++) {
			int k = order[i];

			d[i] = (struct ws_dtab){names[k], k, rv->rows[k], rv->nrows[k], 0};
		}
		return WS_TAB_COUNT;
	}
}

const char *ws_report_trend_col(size_t c) { return c == 0 ? "mean_actual" : "relative_slope"; }

void ws_report_trend_cell(const struct ws_report_review *rv, size_t s, size_t c,
			  struct ws_cell *cell)
{
	memset(cell, 0, sizeof(*cell));
	cell->kind = WS_COL_NUM;
	cell->x = c == 0 ? rv->level[s] : rv->rel[s];
	cell->missing = isnan(cell->x);
}

size_t ws_report_col(int k, const char *name)
{
	for (size_t c = 0; c < ws_tab_ncols(k); c++)
		if (strcmp(ws_tab_col(k, c), name) == 0)
			return c;
	return (size_t)-1;
}

void ws_report_cell(const struct ws_report_review *rv, int k, size_t row, const char *name,
		    struct ws_cell *cell)
{
	ws_tab_cell(rv->t, rv->st, k, row, ws_report_col(k, name), cell);
}

size_t ws_report_series_rows(const struct ws_report_review *rv, size_t s, const uint32_t **first)
{
	if (!rv->ix) {
		*first = NULL;
		return 0;
	}
	*first = rv->ix->row + rv->ix->start[s];
	return rv->ix->start[s + 1] - rv->ix->start[s];
}

/* Orders (ward, division) pairs as the series table does: bytewise. */
static int pair_cmp(const struct ws_dict *d, uint32_t w1, uint32_t d1, uint32_t w2, uint32_t d2)
{
	int c = w1 == w2 ? 0 : strcmp(ws_dict_str(d, w1), ws_dict_str(d, w2));

	return c ? c : d1 == d2 ? 0 : strcmp(ws_dict_str(d, d1), ws_dict_str(d, d2));
}

size_t ws_report_division_series(const struct ws_report_review *rv, uint32_t ward,
				 uint32_t division, size_t *first)
{
	const struct ws_series_stats *s = &rv->st->series;
	const struct ws_dict *d = &rv->t->dict;
	size_t lo = 0, hi = s->n, end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pair_cmp(d, s->ward[mid], s->division[mid], ward, division) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < s->n && s->ward[end] == ward && s->division[end] == division; end++)
		;
	*first = lo;
	return end - lo;
}

const char *ws_report_title(const struct ws_report_review *rv)
{
	if (rv->o->title)
		return rv->o->title;
	switch (rv->o->view) {
	case WS_VIEW_RANK: return "wardstat: division ranking";
	case WS_VIEW_TRENDS: return "wardstat: trends";
	case WS_VIEW_BELOW: return "wardstat: indicators below target";
	default: return "wardstat annual review";
	}
}

const char *ws_report_div_label(const struct ws_report_review *rv, uint32_t ward,
				uint32_t division, char *buf, size_t cap)
{
	const struct ws_dict *d = &rv->t->dict;

	if (rv->nwards <= 1)
		return ws_dict_str(d, division);
	snprintf(buf, cap, "%s %s", ws_dict_str(d, ward), ws_dict_str(d, division));
	return ws_report_utf8_trim(buf);
}

/* ---- numbers for people ------------------------------------------------- */

/* Drops trailing zeros of a decimal fraction, and "-0". */
static const char *tidy(char *buf)
{
	char *dot = strchr(buf, '.');

	if (dot && !strchr(buf, 'e')) {
		char *end = buf + strlen(buf) - 1;

		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return buf;
}

const char *ws_report_fmt_num(double x, char *buf, size_t cap)
{
	double a = fabs(x);

	if (isnan(x) || isinf(x)) {
		buf[0] = '\0';
		return buf;
	}
	if (a != 0 && a < 0.001)
		snprintf(buf, cap, "%.2g", x);
	else if (a >= 1e15)
		snprintf(buf, cap, "%.6g", x);
	else
		snprintf(buf, cap, "%.*f", a >= 100 ? 1 : a >= 1 ? 2 : 3, x);
	return tidy(buf);
}

const char *ws_report_fmt_signed(double x, char *buf, size_t cap)
{
	char tmp[64];

	ws_report_fmt_num(x, tmp, sizeof(tmp));
	snprintf(buf, cap, "%s%s", tmp[0] && tmp[0] != '-' && strcmp(tmp, "0") ? "+" : "", tmp);
	return buf;
}

/* x as a percentage with one decimal, signed when asked; "" when not finite. */
static const char *pct(double x, int sign, char *buf, size_t cap)
{
	if (isnan(x) || isinf(x))
		buf[0] = '\0';
	else
		snprintf(buf, cap, sign ? "%+.1f%%" : "%.1f%%", x * 100);
	return buf;
}

const char *ws_report_fmt_pct(double x, char *buf, size_t cap)
{
	return pct(x, 0, buf, cap);
}

const char *ws_report_fmt_rel(double x, char *buf, size_t cap)
{
	return pct(x, 1, buf, cap);
}

const char *ws_report_fmt_p(double x, char *buf, size_t cap)
{
	if (isnan(x))
		buf[0] = '\0';
	else if (x < 0.001)
		snprintf(buf, cap, "<0.001*");
	else
		snprintf(buf, cap, "%.3f%s", x, x < 0.05 ? "*" : "");
	return buf;
}

void ws_report_sections(const struct ws_review_sections *w, void *ctx, int view)
{
	switch (view) {
	case WS_VIEW_RANK:
		w->ranking(ctx);
		break;
	case WS_VIEW_TRENDS:
		w->trends(ctx, WS_TREND_TOP_VIEW);
		break;
	case WS_VIEW_BELOW:
		w->below(ctx);
		break;
	default:
		w->summary(ctx);
		w->ranking(ctx);
		w->disagreements(ctx);
		w->below(ctx);
		w->trends(ctx, WS_TREND_TOP_REVIEW);
		break;
	}
}

void ws_report_review_cap(struct ws_report_review *rv)
{
	size_t cap = rv->o->view == WS_VIEW_REVIEW ? WS_LIST_REVIEW : WS_LIST_VIEW;
	size_t np = rv->npersistent, nm = rv->nbelow - rv->npersistent;
	size_t sp = np < cap ? np : cap, sm = nm < cap ? nm : cap;

	rv->ndisagree_all = rv->ndisagree;
	rv->nrank_all = rv->nrank;
	if (rv->nsummary > WS_LIST_WARDS)
		rv->nsummary = WS_LIST_WARDS;
	if (rv->nrank > cap)
		rv->nrank = cap;
	rv->npersistent_all = np;
	rv->nmissed_all = nm;
	if (rv->ndisagree > cap)
		rv->ndisagree = cap;
	/* below[] holds the persistent, then the missed: keep the head of each */
	memmove(rv->below + sp, rv->below + np, sm * sizeof(*rv->below));
	rv->npersistent = sp;
	rv->nbelow = sp + sm;
}

const char *ws_report_more(size_t shown, size_t all, const char *what, char *buf, size_t cap)
{
	if (shown >= all)
		buf[0] = '\0';
	else
		snprintf(buf, cap, "... and %zu more: every row is in %s.", all - shown, what);
	return buf;
}
