/*
 * stats.c: one pass over the series index, then the roll-ups.
 *
 * Per series (rows in year order), over years with an actual:
 *   n, first_year, last_year; OLS, Theil-Sen, Mann-Kendall (trend.c);
 *   forecast at last_year+1: yhat = c0 + c1*x0 with a 95% prediction
 *     interval yhat -+ t(0.975, n-2) * sqrt(se_fit^2 + SSE/(n-2)).
 * At review_year, the latest year with both target and actual:
 *   gap = actual - target (higher) or target - actual (lower); met = gap >= 0;
 *   achievement = actual/target (higher) or target/actual (lower), only when
 *     target >= 0, actual >= 0 and the denominator > 0;
 *   progress = (actual - baseline)/(target - baseline), baseline the first
 *     actual (empty when review_year is the first year or target = baseline);
 *   years_to_target = (target - actual)/slope when the slope moves towards
 *     the target, 0 when met;
 *   years_below: years with both values not met; streak: such years in a row
 *     (counting only years with both values) ending at review_year.
 * The scratch arrays are sized once for the longest series: no allocation
 * per series.
 */
#include "ws_stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

const char *ws_stats_band_name(int band)
{
	switch (band) {
	case WS_BAND_MET: return "met";
	case WS_BAND_NEAR: return "near";
	case WS_BAND_MISSED: return "missed";
	}
	return "";
}

/* Allocates n elements of each listed column (a struct of arrays). */
#define ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof(*(p))), (p) != NULL)

static int series_alloc(struct ws_series_stats *s, size_t n)
{
	s->n = n;
	return ALLOC(s->ward, n) && ALLOC(s->division, n) && ALLOC(s->objective, n) &&
	       ALLOC(s->indicator, n) && ALLOC(s->unit, n) && ALLOC(s->direction, n) &&
	       ALLOC(s->nobs, n) && ALLOC(s->first_year, n) && ALLOC(s->last_year, n) &&
	       ALLOC(s->slope, n) && ALLOC(s->intercept, n) && ALLOC(s->r2, n) &&
	       ALLOC(s->slope_se, n) && ALLOC(s->slope_p, n) && ALLOC(s->sen_slope, n) &&
	       ALLOC(s->mk_s, n) && ALLOC(s->mk_p, n) && ALLOC(s->forecast_year, n) &&
	       ALLOC(s->forecast, n) && ALLOC(s->forecast_lo, n) && ALLOC(s->forecast_hi, n) &&
	       ALLOC(s->review_year, n) && ALLOC(s->target, n) && ALLOC(s->actual, n) &&
	       ALLOC(s->gap, n) && ALLOC(s->achievement, n) && ALLOC(s->progress, n) &&
	       ALLOC(s->years_to_target, n) && ALLOC(s->met, n) && ALLOC(s->years_below, n) &&
	       ALLOC(s->streak, n) && ALLOC(s->persistent, n) && ALLOC(s->band, n) &&
	       ALLOC(s->lag, n) && ALLOC(s->recorded, n) && ALLOC(s->recorded_year, n) &&
	       ALLOC(s->reason, n);
}

static void series_free(struct ws_series_stats *s)
{
	void *cols[] = {s->ward, s->division, s->objective, s->indicator, s->unit, s->direction,
			s->nobs, s->first_year, s->last_year, s->slope, s->intercept, s->r2,
			s->slope_se, s->slope_p, s->sen_slope, s->mk_s, s->mk_p, s->forecast_year,
			s->forecast, s->forecast_lo, s->forecast_hi, s->review_year, s->target,
			s->actual, s->gap, s->achievement, s->progress, s->years_to_target, s->met,
			s->years_below, s->streak, s->persistent, s->band, s->lag, s->recorded,
			s->recorded_year, s->reason, s->text};

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		free(cols[i]);
	memset(s, 0, sizeof(*s));
}

/* Reasons of a range of series, one arena per thread. */
struct textbuf {
	char *p;
	size_t len, cap;
};

/*
 * Room for the longest reason, in bytes with its NUL. The longest is
 * "persistent: missed " + 12 years of at most 11 characters and 11 commas +
 * " (gap " + 12 gaps of at most 17 (%.10g: -d.ddddddddde-ddd) and 11 commas +
 * ")", 385 bytes; the last gap is written with 32 bytes of room (ws_fmt_double
 * wants them), which ends before byte 400.
 */
#define REASON_MAX 512

/* The end of tb with REASON_MAX bytes of room, or NULL when out of memory. */
static char *reason_room(struct textbuf *tb)
{
	if (tb->len + REASON_MAX > tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 1 << 16;
		char *p;

		while (cap < tb->len + REASON_MAX)
			cap *= 2;
		p = realloc(tb->p, cap);
		if (!p)
			return NULL;
		tb->p = p;
		tb->cap = cap;
	}
	return tb->p + tb->len;
}

/* Makes the n bytes written at reason_room(tb) the reason of series i. */
static void reason_done(struct textbuf *tb, struct ws_series_stats *s, size_t i, size_t n)
{
	tb->p[tb->len + n] = '\0';
	s->reason[i] = tb->len;
	tb->len += n + 1;
}

/* Is (target, actual) met for this direction? gap >= 0. */
static double gap_of(double target, double actual, int lower)
{
	return lower ? target - actual : actual - target;
}

/* Scratch arrays, sized for the longest series. */
struct scratch {
	double *x, *y;       /* years and actuals with an actual */
	double *work;        /* n(n-1)/2 pairwise slopes */
	int32_t *miss_year;  /* the years of the current streak */
	double *miss_gap;
	struct textbuf text; /* the reasons written */
};

/* Writes z at b + o; returns the new length. */
static size_t put_str(char *b, size_t o, const char *z)
{
	size_t n = strlen(z);

	memcpy(b + o, z, n);
	return o + n;
}

/* Writes v as printf's "%d" at b + o; returns the new length. */
static size_t put_int(char *b, size_t o, int32_t v)
{
	char tmp[12];
	int k = sizeof(tmp);
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;

	do {
		tmp[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--k] = '-';
	memcpy(b + o, tmp + k, sizeof(tmp) - (size_t)k);
	return o + sizeof(tmp) - (size_t)k;
}

/* Writes x as "%.*g" with prec digits at b + o, plus sign when asked; needs
 * 33 bytes of room; returns the new length. Gaps get 10 digits (a gap of
 * -19155 reads as such, not as -1.916e+04), ratios 4. */
static size_t put_num(char *b, size_t o, double x, int prec, int plus)
{
	if (x == 0)
		x = 0; /* a gap of -0 (actual -0, target 0) reads "+0", not "+-0" */
	if (plus && x >= 0)
		b[o++] = '+';
	return o + ws_fmt_double(x, prec, b + o, 32);
}

/*
 * Writes the reason of series i: the flag, the years and the gaps. Built piece
 * by piece, without printf: a printf call per reason cost more than the rest
 * of the reason, and ws_fmt_double writes what "%.*g" writes.
 */
static int explain(struct ws_series_stats *s, size_t i, struct scratch *w, int nmiss)
{
	char *b = reason_room(&w->text);
	size_t o = 0;

	if (!b)
		return WS_ENOMEM;
	if (s->review_year[i] < 0) {
		if (s->nobs[i] == 0)
			o = put_str(b, o, "not reviewed: no actual");
		else
			o = put_str(b, o, "not reviewed: no year with both target and actual");
	} else if (s->persistent[i] == 1) {
		int k0 = nmiss > 12 ? nmiss - 12 : 0;

		o = put_str(b, o, "persistent: missed ");
		for (int k = k0; k < nmiss; k++) {
			if (k > k0)
				b[o++] = ',';
			o = put_int(b, o, w->miss_year[k]);
		}
		o = put_str(b, o, " (gap ");
		for (int k = k0; k < nmiss; k++) {
			if (k > k0)
				b[o++] = ',';
			o = put_num(b, o, w->miss_gap[k], 10, 0);
		}
		b[o++] = ')';
	} else if (s->band[i] == WS_BAND_MET) {
		o = put_str(b, o, "met ");
		o = put_int(b, o, s->review_year[i]);
		o = put_str(b, o, " (gap ");
		o = put_num(b, o, s->gap[i], 10, 1);
		b[o++] = ')';
	} else {
		int ach = !isnan(s->achievement[i]);

		if (ach && s->band[i] == WS_BAND_NEAR)
			o = put_str(b, o, "near: ");
		o = put_str(b, o, "missed ");
		o = put_int(b, o, s->review_year[i]);
		o = put_str(b, o, " (gap ");
		o = put_num(b, o, s->gap[i], 10, 0);
		if (ach) {
			o = put_str(b, o, ", achievement ");
			o = put_num(b, o, s->achievement[i], 4, 0);
		}
		b[o++] = ')';
	}
	reason_done(&w->text, s, i, o);
	return WS_OK;
}

/* The empty reason of --columns=core, so that every offset stays valid. */
static int no_reason(struct ws_series_stats *s, size_t i, struct scratch *w)
{
	if (!reason_room(&w->text))
		return WS_ENOMEM;
	reason_done(&w->text, s, i, 0);
	return WS_OK;
}

/* t quantile 0.975 with df degrees of freedom, computed once per df. */
static double t975(size_t df)
{
	static _Thread_local double cache[512];

	if (df >= sizeof(cache) / sizeof(cache[0]))
		return gsl_cdf_tdist_Pinv(0.975, (double)df);
	if (cache[df] == 0)
		cache[df] = gsl_cdf_tdist_Pinv(0.975, (double)df);
	return cache[df];
}

/* Computes series i from its rows r[0..m). */
static int one_series(const struct ws_table *t, const uint32_t *r, size_t m,
		      const struct ws_stats_opts *o, int32_t newest, struct ws_series_stats *s,
		      size_t i, struct scratch *w)
{
	/* the columns in locals: stores into s and w could alias them otherwise */
	const uint32_t *attr = t->attr, *unit = t->unit;
	const uint8_t *direction = t->direction, *evaluation = t->evaluation;
	const int16_t *year = t->year;
	const double *target = t->target, *actual = t->actual;
	double *x = w->x, *y = w->y;
	uint32_t last = attr[r[m - 1]], u = 0;
	int lower = 0, nmiss = 0;
	uint8_t rec = WS_EVAL_NONE;
	int32_t rec_year = INT32_MIN;
	size_t n = 0;
	struct ws_ols fit;
	double baseline = NAN;

	s->ward[i] = t->ward[last];
	s->division[i] = t->division[last];
	s->indicator[i] = t->indicator[last];
	s->objective[i] = t->objective[last];
	for (size_t j = 0; j < m; j++) {
		uint32_t k = r[j], a = attr[k];

		lower |= direction[a] == WS_DIR_LOWER;
		if (evaluation[k] != WS_EVAL_NONE && year[k] >= rec_year) {
			rec = evaluation[k]; /* the newest verdict; on a tie the later row */
			rec_year = year[k];
		}
		if (unit[a])
			u = unit[a];
		if (!isnan(actual[k])) {
			x[n] = year[k];
			y[n] = actual[k];
			n++;
		}
	}
	/* every field is set here: the block pass reuses its arrays */
	s->unit[i] = u;
	s->recorded[i] = rec;
	s->recorded_year[i] = rec_year;
	s->direction[i] = lower ? WS_DIR_LOWER : WS_DIR_HIGHER;
	s->nobs[i] = (int32_t)n;
	s->first_year[i] = n ? (int32_t)w->x[0] : -1;
	s->last_year[i] = n ? (int32_t)w->x[n - 1] : -1;
	if (n)
		baseline = y[0];

	if (o->core)
		ws_stats_ols_line(w->x, w->y, n, &fit);
	else
		ws_stats_ols(w->x, w->y, n, &fit);
	s->slope[i] = fit.slope;
	s->intercept[i] = fit.intercept;
	s->r2[i] = fit.r2;
	s->slope_se[i] = fit.slope_se;
	s->slope_p[i] = fit.slope_p;
	s->forecast_year[i] = -1;
	s->forecast[i] = s->forecast_lo[i] = s->forecast_hi[i] = NAN;
	if (o->core) {
		s->sen_slope[i] = s->mk_s[i] = s->mk_p[i] = NAN;
	} else {
		s->sen_slope[i] = n >= 2 ? ws_stats_sen(w->x, w->y, n, w->work) : NAN;
		ws_stats_mk(w->y, n, w->work, &s->mk_s[i], &s->mk_p[i]);
	}
	if (!o->core && !isnan(fit.slope)) {
		double x0 = w->x[n - 1] + 1, yf, yerr;

		s->forecast_year[i] = (int32_t)x0;
		s->forecast[i] = fit.intercept + fit.slope * x0;
		if (n >= 3) {
			gsl_fit_linear_est(x0, fit.intercept, fit.slope, fit.cov00, fit.cov01,
					   fit.cov11, &yf, &yerr);
			double se = sqrt(yerr * yerr + fit.sumsq / (double)(n - 2));
			double tq = t975(n - 2);

			s->forecast_lo[i] = yf - tq * se;
			s->forecast_hi[i] = yf + tq * se;
		}
	}

	/* review year, gaps, streak */
	{
		int32_t ry = -1, below = 0;
		double rt = NAN, ra = NAN, rg = NAN;

		for (size_t j = 0; j < m; j++) {
			uint32_t k = r[j];
			double tg = target[k], ac = actual[k];

			if (isnan(tg) || isnan(ac))
				continue;
			double g = gap_of(tg, ac, lower);

			ry = year[k];
			rt = tg;
			ra = ac;
			rg = g;
			if (g < 0) {
				below++;
				w->miss_year[nmiss] = year[k];
				w->miss_gap[nmiss] = g;
				nmiss++;
			} else {
				nmiss = 0;
			}
		}
		s->review_year[i] = ry;
		s->target[i] = rt;
		s->actual[i] = ra;
		s->gap[i] = rg;
		s->years_below[i] = below;
	}
	s->achievement[i] = s->progress[i] = s->years_to_target[i] = NAN;
	s->met[i] = -1;
	s->streak[i] = -1;
	s->persistent[i] = -1;
	s->lag[i] = -1;
	s->band[i] = WS_BAND_NONE;
	if (s->review_year[i] >= 0) {
		double tg = s->target[i], ac = s->actual[i];
		double num = lower ? tg : ac, den = lower ? ac : tg;
		int streak = o->streak > 0 ? o->streak : 3;

		s->met[i] = s->gap[i] >= 0;
		s->streak[i] = nmiss;
		s->persistent[i] = nmiss >= streak;
		if (tg >= 0 && ac >= 0 && den > 0)
			s->achievement[i] = num / den;
		if (o->core)
			return no_reason(s, i, w);
		if (s->first_year[i] != s->review_year[i] && tg != baseline)
			s->progress[i] = (ac - baseline) / (tg - baseline);
		if (s->met[i])
			s->years_to_target[i] = 0;
		else if (!isnan(fit.slope) && fit.slope != 0 && (tg - ac) / fit.slope > 0)
			s->years_to_target[i] = (tg - ac) / fit.slope;
		s->band[i] = s->met[i] ? WS_BAND_MET
			     : (!isnan(s->achievement[i]) && s->achievement[i] >= o->near)
				     ? WS_BAND_NEAR
				     : WS_BAND_MISSED;
		s->lag[i] = newest - s->review_year[i];
	}
	return o->core ? no_reason(s, i, w) : explain(s, i, w, nmiss);
}

void ws_stats_fini(struct ws_stats *st)
{
	series_free(&st->series);
	ws_stats_rollup_free(st);
}

/* One thread's share: series [b, e) with scratch of its own. */
struct part {
	const struct ws_table *t;
	const struct ws_index *ix;
	const struct ws_stats_opts *o;
	struct ws_series_stats *s;
	int32_t newest;
	size_t b, e, longest;
	struct scratch w;
	int rc;
	pthread_t th;
};

/* Sizes w's arrays for series of up to l rows (kept when already allocated). */
static int scratch_alloc(struct scratch *w, size_t l)
{
	if (w->x)
		return WS_OK;
	w->x = malloc(l * sizeof(double));
	w->y = malloc(l * sizeof(double));
	w->work = malloc((l * (l - 1) / 2 + l) * sizeof(double));
	w->miss_year = malloc(l * sizeof(int32_t));
	w->miss_gap = malloc(l * sizeof(double));
	return w->x && w->y && w->work && w->miss_year && w->miss_gap ? WS_OK : WS_ENOMEM;
}

static void *run_part(void *arg)
{
	struct part *p = arg;
	struct scratch *w = &p->w;

	p->rc = WS_ENOMEM;
	if (scratch_alloc(w, p->longest) != WS_OK)
		return NULL;
	for (size_t s = p->b; s < p->e; s++) {
		size_t m = p->ix->start[s + 1] - p->ix->start[s];

		if (one_series(p->t, p->ix->row + p->ix->start[s], m, p->o, p->newest, p->s, s, w))
			return NULL;
	}
	p->rc = WS_OK;
	return NULL;
}

static void part_free_scratch(struct scratch *w)
{
	free(w->x);
	free(w->y);
	free(w->work);
	free(w->miss_year);
	free(w->miss_gap);
	free(w->text.p);
}

static void part_free(struct part *p)
{
	part_free_scratch(&p->w);
}

/* Threads for the series pass: from 20,000 series on, as ws_engine_threads says. */
static int stats_threads(const struct ws_stats_opts *o, size_t nseries)
{
	return nseries < 20000 ? 1 : ws_engine_threads(o->threads);
}

/*
 * What both passes do first: default options, the newest year of the data
 * (or --review-year), the longest series (the scratch size). st is zeroed.
 */
static int prepare(const struct ws_table *t, const struct ws_index *ix, struct ws_stats_opts *o,
		   struct ws_stats *st, size_t *longest, struct ws_err *err)
{
	memset(st, 0, sizeof(*st));
	gsl_set_error_handler_off();
	if (o->near <= 0)
		o->near = 0.9;
	if (o->streak <= 0)
		o->streak = 3;
	st->newest_year = -1;
	*longest = 1;
	for (size_t s = 0; s < ix->nseries; s++) {
		size_t m = ix->start[s + 1] - ix->start[s];

		if (m == 0) /* the index never holds an empty series */
			return ws_err_set(err, WS_EVALUE, "computing statistics: series %zu is empty", s);
		if (m > *longest)
			*longest = m;
		/* years ascend within a series (the index's order): its last row is its newest */
		if (t->year[ix->row[ix->start[s + 1] - 1]] > st->newest_year)
			st->newest_year = t->year[ix->row[ix->start[s + 1] - 1]];
	}
	if (o->review_year > 0)
		st->newest_year = o->review_year;
	return WS_OK;
}

int ws_stats_compute(const struct ws_table *t, const struct ws_index *ix,
		     const struct ws_stats_opts *opts, struct ws_stats *st, struct ws_err *err)
{
	struct ws_stats_opts o = *opts;
	struct part part[WS_MAX_THREADS];
	size_t longest = 1, total = 0;
	int rc, np = stats_threads(opts, ix->nseries), started = 0;

	memset(part, 0, sizeof(part));
	if ((rc = prepare(t, ix, &o, st, &longest, err)) != WS_OK)
		return rc;
	rc = WS_ENOMEM;
	if (!series_alloc(&st->series, ix->nseries))
		goto out;
	for (int k = 0; k < np; k++) {
		part[k] = (struct part){.t = t, .ix = ix, .o = &o, .s = &st->series,
					.newest = st->newest_year, .longest = longest,
					.b = ix->nseries * (size_t)k / (size_t)np,
					.e = ix->nseries * (size_t)(k + 1) / (size_t)np};
	}
	for (started = 1; started < np; started++)
		if (pthread_create(&part[started].th, NULL, run_part, &part[started]) != 0)
			break;
	run_part(&part[0]);
	for (int k = 1; k < started; k++)
		pthread_join(part[k].th, NULL);
	for (int k = started; k < np; k++) /* threads that could not start: run them here */
		run_part(&part[k]);
	for (int k = 0; k < np; k++)
		if (part[k].rc != WS_OK)
			goto out;
	/* the reasons of every part, one after the other, offsets shifted */
	for (int k = 0; k < np; k++)
		total += part[k].w.text.len;
	st->series.text = malloc(total ? total : 1);
	if (!st->series.text)
		goto out;
	for (size_t k = 0, base = 0; k < (size_t)np; k++) {
		if (part[k].w.text.len)
			memcpy(st->series.text + base, part[k].w.text.p, part[k].w.text.len);
		for (size_t s = part[k].b; s < part[k].e; s++)
			st->series.reason[s] += base;
		base += part[k].w.text.len;
	}
	st->series.text_len = st->series.text_cap = total;
	rc = ws_stats_rollup(t, st, np);
out:
	for (int k = 0; k < np; k++)
		part_free(&part[k]);
	if (rc != WS_OK)
		ws_err_set(err, rc, "computing statistics: %s", ws_strerror(rc));
	return rc;
}

/* ---- the pass in blocks ------------------------------------------------------ */

/*
 * The workers of the pass in blocks live for the whole pass (their caches of
 * Mann-Kendall distributions and t quantiles stay warm) and take the blocks
 * in order from a shared counter: each computes its block and hands it to
 * the sink, then takes the next. The calling thread is one of them. No
 * thread waits for another between blocks (the sink orders them); a failure
 * stops every worker before its next block.
 */
struct bcrew {
	const struct ws_stats_sink *sink;
	size_t nseries, bs, nblocks;
	atomic_size_t next;  /* the next block to take */
	atomic_int stop;     /* a block failed: take no more */
};

/* One thread of the crew: its block's columns and scratch. */
struct bpart {
	const struct ws_table *t;
	const struct ws_index *ix;
	const struct ws_stats_opts *o;
	struct bcrew *crew;
	struct ws_series_stats *keep; /* the roll-up columns, every series */
	struct ws_series_stats blk;   /* every column, one block */
	int32_t newest;
	size_t longest;
	struct scratch w;
	int rc;                       /* the first failure of this thread */
	pthread_t th;
};

/* Computes series [b, e), block number k, into p->blk and hands it to the sink. */
static int run_block(struct bpart *p, size_t k, size_t b, size_t e)
{
	const struct ws_stats_sink *sink = p->crew->sink;
	struct ws_series_stats *keep = p->keep, *blk = &p->blk;
	size_t cap = blk->n;
	int rc;

	if ((rc = scratch_alloc(&p->w, p->longest)) != WS_OK)
		goto failed;
	p->w.text.len = 0; /* the reasons of this block only */
	for (size_t s = b; s < e; s++) {
		size_t i = s - b, m = p->ix->start[s + 1] - p->ix->start[s];

		if ((rc = one_series(p->t, p->ix->row + p->ix->start[s], m, p->o, p->newest, blk, i,
				     &p->w)) != WS_OK)
			goto failed;
		keep->ward[s] = blk->ward[i];
		keep->division[s] = blk->division[i];
		keep->objective[s] = blk->objective[i];
		keep->review_year[s] = blk->review_year[i];
		keep->met[s] = blk->met[i];
		keep->persistent[s] = blk->persistent[i];
		keep->achievement[s] = blk->achievement[i];
		keep->recorded[s] = blk->recorded[i];
		keep->recorded_year[s] = blk->recorded_year[i];
	}
	blk->n = e - b;
	blk->text = p->w.text.p;
	blk->text_len = p->w.text.len;
	rc = sink->block(sink->ctx, k, blk, b);
	blk->text = NULL; /* the scratch owns it */
	blk->n = cap;
	return rc;
failed:
	(void)sink->block(sink->ctx, k, NULL, b); /* the sink stops waiting for it */
	return rc;
}

/* Takes blocks until none is left or a thread failed. */
static void *crew_run(void *arg)
{
	struct bpart *p = arg;
	struct bcrew *c = p->crew;
	size_t k;

	while (!atomic_load(&c->stop) && (k = atomic_fetch_add(&c->next, 1)) < c->nblocks) {
		size_t b = k * c->bs, e = b + c->bs < c->nseries ? b + c->bs : c->nseries;
		int rc = run_block(p, k, b, e);

		if (rc != WS_OK) {
			if (p->rc == WS_OK)
				p->rc = rc;
			atomic_store(&c->stop, 1);
		}
	}
	return NULL;
}

int ws_stats_compute_blocks(const struct ws_table *t, const struct ws_index *ix,
			    const struct ws_stats_opts *opts, const struct ws_stats_sink *sink,
			    struct ws_stats *st, struct ws_err *err)
{
	struct ws_stats_opts o = *opts;
	struct bpart part[WS_MAX_THREADS];
	struct bcrew crew;
	struct ws_series_stats *k = &st->series;
	size_t longest = 1, bs = sink->block_series ? sink->block_series : 4096;
	int rc, np = stats_threads(opts, ix->nseries), started = 1;

	memset(part, 0, sizeof(part));
	if ((rc = prepare(t, ix, &o, st, &longest, err)) != WS_OK)
		return rc;
	rc = WS_ENOMEM;
	k->n = ix->nseries;
	if (!(ALLOC(k->ward, k->n) && ALLOC(k->division, k->n) && ALLOC(k->objective, k->n) &&
	      ALLOC(k->review_year, k->n) && ALLOC(k->met, k->n) && ALLOC(k->persistent, k->n) &&
	      ALLOC(k->achievement, k->n) && ALLOC(k->recorded, k->n) &&
	      ALLOC(k->recorded_year, k->n)))
		goto out;
	crew.sink = sink;
	crew.nseries = ix->nseries;
	crew.bs = bs;
	crew.nblocks = (ix->nseries + bs - 1) / bs;
	atomic_init(&crew.next, 0);
	atomic_init(&crew.stop, 0);
	for (int j = 0; j < np; j++) {
		part[j] = (struct bpart){.t = t, .ix = ix, .o = &o, .crew = &crew, .keep = k,
					 .newest = st->newest_year, .longest = longest};
		if (!series_alloc(&part[j].blk, bs))
			goto out;
	}
	for (; started < np; started++)
		if (pthread_create(&part[started].th, NULL, crew_run, &part[started]) != 0)
			break;
	crew_run(&part[0]);
	for (int j = 1; j < started; j++)
		pthread_join(part[j].th, NULL);
	rc = WS_OK;
	for (int j = 0; j < np && rc == WS_OK; j++)
		rc = part[j].rc;
	if (rc == WS_OK)
		rc = ws_stats_rollup(t, st, np);
out:
	for (int j = 0; j < np; j++) {
		series_free(&part[j].blk);
		part_free_scratch(&part[j].w);
	}
	if (rc != WS_OK && err->code == WS_OK)
		ws_err_set(err, rc, "computing statistics: %s", ws_strerror(rc));
	return rc;
}
