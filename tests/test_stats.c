/*
 * test_stats.c: unit tests of stats/ against independent numbers.
 *
 * This file contains two kinds of test. The building blocks (ws_stats_ols, _sen,
 * _mk) are checked against reference/expected.h, which tests/reference/reference.py
 * computes without GSL in exact rational or 200-digit arithmetic (OLS also against
 * NIST StRD Norris). The pipeline tests build small tables, run ws_stats_compute and
 * check the series, divisions, objectives and ward tables against expected.h or
 * against values worked by hand from FORMATS.md §2 (the arithmetic is beside them).
 * Tolerances: 1e-12 relative where nothing cancels (observed < 1e-14); exact
 * Mann-Kendall p within 4 ulps; the forecast interval 1e-9, as gsl_fit_linear_est
 * sums cov00 + 2x cov01 + x^2 cov11 at x ~ 2000 (observed 6e-12).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../engine/ws_engine.h"
#include "../stats/ws_stats.h"
#include "reference/expected.h"

#define REL 1e-12     /* no cancellation in the computation */
#define REL_PI 1e-9   /* prediction interval: see the file comment */

/* got within rel*|want| of want (GSL's gsl_test_rel), or both empty. */
#define EXPECT_NUM(got, want, rel)                                                          \
	do {                                                                                \
		double g_ = (got), w_ = (want);                                             \
		if (isnan(w_))                                                              \
			cr_expect(isnan(g_), "%s: got %.17g, want empty", #got, g_);        \
		else if (fpclassify(w_) == FP_ZERO)                                         \
			cr_expect(epsilon_eq(dbl, g_, 0.0, 1e-300), "%s: got %.17g, want 0", \
				  #got, g_);                                                \
		else                                                                        \
			cr_expect(epsilon_eq(dbl, g_, w_, (rel) * fabs(w_)),                 \
				  "%s: got %.17g, want %.17g", #got, g_, w_);               \
	} while (0)

/* Same bits: -0 is not +0, and NaN payloads count (where both sides run the
 * same arithmetic). */
static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

/* ---- NIST StRD Norris ------------------------------------------------------ */

Test(stats, ols_norris_certified)
{
	const double x[] = REF_NORRIS_X, y[] = REF_NORRIS_Y;
	struct ws_ols r;

	ws_stats_ols(x, y, 36, &r);
	/* NIST's certified values (15 digits), tolerance as in GSL's fit/test.c */
	EXPECT_NUM(r.intercept, REF_NORRIS_CERT_B0, 1e-10);
	EXPECT_NUM(r.slope, REF_NORRIS_CERT_B1, 1e-10);
	EXPECT_NUM(sqrt(r.cov00), REF_NORRIS_CERT_SD_B0, 1e-10);
	EXPECT_NUM(r.slope_se, REF_NORRIS_CERT_SD_B1, 1e-10);
	EXPECT_NUM(sqrt(r.sumsq / 34), REF_NORRIS_CERT_RESID_SD, 1e-10);
	EXPECT_NUM(r.r2, REF_NORRIS_CERT_R2, 1e-10);
	EXPECT_NUM(r.sumsq, REF_NORRIS_CERT_SSE, 1e-10);
	/* the exact fit (reference.py), which also rounds to the certified values */
	EXPECT_NUM(r.slope, REF_NORRIS_B1, REL);
	EXPECT_NUM(r.cov01, REF_NORRIS_COV01, 1e-11);
	EXPECT_NUM(r.r2, REF_NORRIS_R2, REL);
	/* t = 2331.6 with 34 df: p is ~5e-90; GSL's tail is good to ~1e-12 there */
	EXPECT_NUM(r.slope_p, REF_NORRIS_P, 1e-10);
}

/* ---- small OLS series ------------------------------------------------------ */

struct ols_case {
	char name[8];
	size_t n;
	double x[8], y[8];
	double slope, intercept, r2, se, p, sen;
};

#define OLSC(c) {#c, REF_##c##_N, REF_##c##_X, REF_##c##_Y, REF_##c##_SLOPE, \
		      REF_##c##_INTERCEPT, REF_##c##_R2, REF_##c##_SE, REF_##c##_P, REF_##c##_SEN}

ParameterizedTestParameters(stats, ols_small)
{
	static struct ols_case cases[] = {
		OLSC(T5), OLSC(GAPS), OLSC(N3), OLSC(DOWN),
		/* n = 2: a line through two points; r2, se and p need n >= 3 */
		{"N2", REF_N2_N, REF_N2_X, REF_N2_Y, REF_N2_SLOPE, REF_N2_INTERCEPT, NAN, NAN, NAN,
		 REF_N2_SEN},
	};
	return cr_make_param_array(struct ols_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ols_case *c, stats, ols_small)
{
	struct ws_ols r;
	double work[28];

	cr_log_info("case %s", c->name);
	ws_stats_ols(c->x, c->y, c->n, &r);
	EXPECT_NUM(r.slope, c->slope, REL);
	EXPECT_NUM(r.intercept, c->intercept, REL);
	EXPECT_NUM(r.r2, c->r2, REL);
	EXPECT_NUM(r.slope_se, c->se, REL);
	EXPECT_NUM(r.slope_p, c->p, REL);
	EXPECT_NUM(ws_stats_sen(c->x, c->y, c->n, work), c->sen, REL);
}

Test(stats, ols_degenerate)
{
	const double x[] = {2020, 2021, 2022, 2023}, same[] = {2022, 2022, 2022, 2022};
	const double y[] = {5, 5, 5, 5}, z[] = {1, 2, 4, 3};
	struct ws_ols r;

	ws_stats_ols(x, z, 0, &r); /* n = 0 */
	cr_expect(isnan(r.slope) && isnan(r.intercept) && isnan(r.r2) && isnan(r.slope_p));
	ws_stats_ols(x, z, 1, &r); /* n = 1 */
	cr_expect(isnan(r.slope) && isnan(r.intercept) && isnan(r.r2) && isnan(r.slope_se));
	ws_stats_ols(same, z, 4, &r); /* constant years: no line */
	cr_expect(isnan(r.slope) && isnan(r.intercept) && isnan(r.r2) && isnan(r.slope_se) &&
		  isnan(r.slope_p));
	ws_stats_ols(x, z, 2, &r); /* n = 2: slope 1, 1 = c0 + 2020 */
	EXPECT_NUM(r.slope, 1.0, REL);
	EXPECT_NUM(r.intercept, -2019.0, REL);
	cr_expect(isnan(r.r2) && isnan(r.slope_se) && isnan(r.cov11) && isnan(r.cov00));
	/* every y equal: r2 = 1 by regr_r2's rule, slope 0 with se 0, no t */
	ws_stats_ols(x, y, 4, &r);
	EXPECT_NUM(r.r2, 1.0, 0);
	EXPECT_NUM(r.slope, 0.0, 0);
	EXPECT_NUM(r.slope_se, 0.0, 0);
	cr_expect(isnan(r.slope_p));
}

/* ---- Theil-Sen --------------------------------------------------------------- */

struct sen_case {
	char name[12];
	size_t n;
	double x[6], y[6], want;
};

#define SENC(name, c) {#name, REF_SEN_##c##_N, REF_SEN_##c##_X, REF_SEN_##c##_Y, REF_SEN_##c}

ParameterizedTestParameters(stats, sen)
{
	static struct sen_case cases[] = {
		SENC(odd, ODD), SENC(even, EVEN), SENC(xtie, XTIE), SENC(outlier, OUTLIER),
		{"n1", 1, {2022}, {5}, NAN},                      /* no pair */
		{"xconst", 3, {2022, 2022, 2022}, {1, 2, 3}, NAN}, /* every pair skipped */
	};
	return cr_make_param_array(struct sen_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct sen_case *c, stats, sen)
{
	double work[15];

	cr_log_info("case %s", c->name);
	EXPECT_NUM(ws_stats_sen(c->x, c->y, c->n, work), c->want, REL);
}

/*
 * ws_stats_sen moves three slopes before GSL's quickselect (sen_pivot); the
 * median must keep its bits. Against gsl_stats_median of the slopes in i-major
 * order, as ws_stats_sen handed them to GSL before: random series of 2..12
 * points with tied years, tied values, -0 beside +0, subnormals and huge
 * values, and one series with a NaN slope (inf/inf).
 */
Test(stats, sen_bits_as_gsl_median)
{
	static const double odd[] = {-0.0, 0.0, 0.0, 1, -1, 2.5, 1e-320, -3e-321, 1e300, -1e300};
	const double xn[] = {-1e308, -1, 0, 1, 1e308}, yn[] = {-1.7e308, 0, 1, 2, 1.7e308};
	double work[66], ref[66];
	uint64_t r = 99;
	int nans = 0;

	for (int c = 0; c <= 20000; c++) {
		double xs[12], ys[12], got, want;
		const double *x = xs, *y = ys;
		size_t n = 2 + (size_t)c % 11, k = 0;

		if (c == 20000) { /* the NaN case */
			x = xn;
			y = yn;
			n = 5;
		}
		for (size_t i = 0; c < 20000 && i < n; i++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull; /* PCG's LCG step */
			xs[i] = i == 0 ? 2010 : xs[i - 1] + ((r >> 60) == 0 ? 0 : 1 + (double)(r >> 62));
			ys[i] = (r >> 40 & 3) == 0 ? odd[(r >> 20) % 10] : (double)((r >> 20) % 64) / 4 - 8;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (x[j] != x[i])
					ref[k++] = (y[j] - y[i]) / (x[j] - x[i]);
		want = k ? gsl_stats_median(ref, 1, k) : NAN;
		got = ws_stats_sen(x, y, n, work);
		nans += isnan(got);
		cr_expect(same_bits(got, want) || (k == 0 && isnan(got)),
			  "case %d (n=%zu): got %.17g, want %.17g", c, n, got, want);
	}
	cr_expect(gt(int, nans, 0), "the NaN case ran");
}

/* ---- Mann-Kendall ------------------------------------------------------------ */

struct mk_case {
	char name[8];
	size_t n;
	double y[12], s, p;
};

#define MKC(c) {#c, REF_##c##_N, REF_##c##_Y, REF_##c##_S, REF_##c##_P}

ParameterizedTestParameters(stats, mk_exact)
{
	static struct mk_case cases[] = {
		MKC(MK4), MKC(MK4T), MKC(MK4ALL), MKC(MK5), MKC(MK5T), MKC(MK6), MKC(MK6T),
		MKC(MK7), MKC(MK7T), MKC(MK7Z), MKC(MK8T), MKC(MK9T), MKC(MK10T), MKC(MK10T2),
	};
	return cr_make_param_array(struct mk_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct mk_case *c, stats, mk_exact)
{
	double work[12], s, p;

	cr_log_info("case %s", c->name);
	ws_stats_mk(c->y, c->n, work, &s, &p);
	cr_expect(epsilon_eq(dbl, s, c->s, 1e-9), "%s: S = %g, want %g", c->name, s, c->s);
	/* p = count/total of exact integers: one rounding, plus the 17-digit literal */
	cr_expect(ieee_ulp_eq(dbl, p, c->p, 4), "%s: p = %.17g, want %.17g", c->name, p, c->p);
}

/*
 * Every tie pattern of n = 3..10 (the 135 partitions), in sorted order: S is
 * then the number M of untied pairs, and only the two monotone arrangements
 * reach |S'| = M, so p = 2 prod(t!)/n! (1 when every value is tied). This
 * fills the exact cache with every pattern it can ever hold.
 */
static int next_partition(int *part, int *k)
{
	int rem = 0, i = *k - 1;

	while (i >= 0 && part[i] == 1)
		rem += part[i--];
	if (i < 0)
		return 0;
	part[i]--;
	rem++;
	*k = i + 1;
	while (rem > 0) {
		int v = rem < part[i] ? rem : part[i];

		part[(*k)++] = v;
		rem -= v;
	}
	return 1;
}

Test(stats, mk_exact_every_tie_pattern)
{
	int patterns = 0;

	for (int n = 3; n <= 10; n++) {
		int part[10] = {n}, k = 1;

		do {
			double y[10], work[10], s, p, want = 2, fact = 1;
			int m = n * (n - 1) / 2, pos = 0;

			for (int g = 0; g < k; g++) {
				for (int j = 0; j < part[g]; j++)
					y[pos++] = g;
				for (int j = 2; j <= part[g]; j++)
					want *= j;
				m -= part[g] * (part[g] - 1) / 2;
			}
			for (int j = 2; j <= n; j++)
				fact *= j;
			want = k == 1 ? 1.0 : want / fact;
			ws_stats_mk(y, (size_t)n, work, &s, &p);
			cr_expect(epsilon_eq(dbl, s, (double)m, 1e-9), "n=%d k=%d: S=%g", n, k, s);
			cr_expect(ieee_ulp_eq(dbl, p, want, 4), "n=%d k=%d: p=%.17g", n, k, p);
			patterns++;
		} while (next_partition(part, &k));
	}
	cr_expect(eq(int, patterns, 135));
}

/* Next distinct ordering of a[0..n) in lexicographic order; 0 after the last. */
static int next_ordering(int *a, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && a[i] >= a[i + 1])
		i--;
	if (i < 0)
		return 0;
	while (a[j] <= a[i])
		j--;
	t = a[i];
	a[i] = a[j];
	a[j] = t;
	for (int l = i + 1, h = n - 1; l < h; l++, h--) {
		t = a[l];
		a[l] = a[h];
		a[h] = t;
	}
	return 1;
}

/*
 * The exact p is a lookup by |S| in a table built once per tie pattern: for
 * every S of a few patterns, against the null distribution counted by brute
 * force over every distinct ordering of the values. p = #{|S'| >= |S|} /
 * #orderings is a ratio of integers below 2^53, one rounding either way, so
 * the bits must match (as they matched the summation the table replaced).
 */
Test(stats, mk_exact_every_s)
{
	static const int patterns[][11] = {
		/* n, then the tie sizes */
		{4, 1, 1, 1, 1},       {6, 2, 2, 1, 1},          {7, 3, 1, 1, 1, 1},
		{8, 1, 1, 1, 1, 1, 1, 1, 1}, {9, 2, 2, 2, 1, 1, 1}, {9, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		{10, 5, 5},            {10, 4, 3, 2, 1},         {10, 2, 2, 1, 1, 1, 1, 1, 1},
	};
	int checked = 0;

	for (size_t c = 0; c < sizeof(patterns) / sizeof(patterns[0]); c++) {
		int n = patterns[c][0], a[10], pos = 0, rep[91][10], have[91] = {0};
		long long count[91] = {0}, total = 0;

		for (int g = 1; pos < n; g++) /* sorted: the first ordering */
			for (int j = 0; j < patterns[c][g]; j++)
				a[pos++] = g;
		do {
			int s = 0;

			for (int i = 0; i < n; i++)
				for (int j = i + 1; j < n; j++)
					s += (a[j] > a[i]) - (a[j] < a[i]);
			count[s + 45]++;
			total++;
			if (!have[s + 45]) {
				memcpy(rep[s + 45], a, sizeof(a));
				have[s + 45] = 1;
			}
		} while (next_ordering(a, n));
		for (int s = -45; s <= 45; s++) {
			double y[10], work[10], got_s, got_p, want;
			long long tail = 0;

			if (!have[s + 45])
				continue;
			for (int s2 = -45; s2 <= 45; s2++)
				if (abs(s2) >= abs(s))
					tail += count[s2 + 45];
			want = (double)tail / (double)total;
			for (int i = 0; i < n; i++)
				y[i] = 0.5 * rep[s + 45][i] - 1; /* any values of that order */
			ws_stats_mk(y, (size_t)n, work, &got_s, &got_p);
			cr_expect(epsilon_eq(dbl, got_s, (double)s, 1e-9), "pattern %zu: S=%g, want %d",
				  c, got_s, s);
			cr_expect(same_bits(got_p, want), "pattern %zu S=%d: p=%.17g, want %.17g", c, s,
				  got_p, want);
			checked++;
		}
	}
	cr_expect(gt(int, checked, 200));
}

Test(stats, mk_normal_n12)
{
	const double y[] = REF_MK12_Y, yd[] = REF_MK12D_Y;
	double work[12], s, p;

	ws_stats_mk(y, REF_MK12_N, work, &s, &p);
	cr_expect(epsilon_eq(dbl, s, REF_MK12_S, 1e-9));
	EXPECT_NUM(p, REF_MK12_P, REL);
	ws_stats_mk(yd, REF_MK12_N, work, &s, &p); /* the mirror: S < 0, same p */
	cr_expect(epsilon_eq(dbl, s, REF_MK12D_S, 1e-9));
	EXPECT_NUM(p, REF_MK12D_P, REL);
	ws_stats_mk(y, 2, work, &s, &p); /* n < 3: nothing */
	cr_expect(isnan(s) && isnan(p));
}

/* ---- pipeline fixtures ---------------------------------------------------------- */

/* One input row for a fixture table; NULL strings are "". */
struct obs {
	const char *ward, *division, *objective, *indicator;
	uint8_t direction;  /* enum ws_direction */
	int32_t year;
	double target, actual; /* NAN = missing */
	uint8_t evaluation; /* enum ws_eval */
};

static struct ws_table g_t;
static struct ws_index g_ix;
static struct ws_stats g_st;

static uint32_t intern(const char *s)
{
	uint32_t code = 0;

	s = s ? s : "";
	cr_assert(eq(int, ws_dict_intern(&g_t.dict, s, strlen(s), &code), WS_OK));
	return code;
}

/* Builds the table from rows, indexes it and computes every statistic. */
static void run(const struct obs *rows, size_t n, const struct ws_stats_opts *o)
{
	struct ws_stats_opts dflt = {.near = 0.9, .streak = 3};
	struct ws_err err = {0};

	cr_assert(eq(int, ws_table_init(&g_t), WS_OK));
	for (size_t i = 0; i < n; i++) {
		struct ws_row r = {0};

		r.ward = intern(rows[i].ward ? rows[i].ward : "W");
		r.division = intern(rows[i].division ? rows[i].division : "D");
		r.objective = intern(rows[i].objective);
		r.indicator = intern(rows[i].indicator);
		r.direction = rows[i].direction ? rows[i].direction : WS_DIR_HIGHER;
		r.year = rows[i].year;
		r.target = rows[i].target;
		r.actual = rows[i].actual;
		r.evaluation = rows[i].evaluation;
		r.file = intern("test.csv");
		r.line = (uint32_t)i + 2;
		cr_assert(eq(int, ws_table_append(&g_t, &r), WS_OK));
	}
	cr_assert(eq(int, ws_index_build(&g_t, &g_ix, &err), WS_OK), "%s", err.msg);
	cr_assert(eq(int, ws_stats_compute(&g_t, &g_ix, o ? o : &dflt, &g_st, &err), WS_OK), "%s",
		  err.msg);
}

static void teardown(void)
{
	ws_stats_fini(&g_st);
	ws_index_fini(&g_ix);
	ws_table_fini(&g_t);
}

/* Row of the series named indicator (in division "D" unless given). */
static size_t series_of(const char *division, const char *indicator)
{
	const struct ws_series_stats *s = &g_st.series;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(ws_dict_str(&g_t.dict, s->indicator[i]), indicator) &&
		    !strcmp(ws_dict_str(&g_t.dict, s->division[i]), division ? division : "D"))
			return i;
	cr_fatal("no series %s", indicator);
	return 0;
}

static const char *reason_of(size_t i)
{
	return g_st.series.text + g_st.series.reason[i];
}

#define HIGHER WS_DIR_HIGHER
#define LOWER WS_DIR_LOWER
#define NA NAN /* a missing value */
/* One row of series ind in division "D": year, target, actual. */
#define OB(ind, y, t, a) {.indicator = ind, .year = y, .target = t, .actual = a}

/* ---- pipeline: trends, forecast, target gap ------------------------------------- */

/* Series i's trend columns against reference.py's case C. */
#define EXPECT_TREND(s, i, C)                                                 \
	do {                                                                  \
		EXPECT_NUM((s)->slope[i], REF_##C##_SLOPE, REL);               \
		EXPECT_NUM((s)->intercept[i], REF_##C##_INTERCEPT, REL);       \
		EXPECT_NUM((s)->r2[i], REF_##C##_R2, REL);                     \
		EXPECT_NUM((s)->slope_se[i], REF_##C##_SE, REL);               \
		EXPECT_NUM((s)->slope_p[i], REF_##C##_P, REL);                 \
		EXPECT_NUM((s)->sen_slope[i], REF_##C##_SEN, REL);             \
		EXPECT_NUM((s)->forecast[i], REF_##C##_FORECAST, REL);         \
		EXPECT_NUM((s)->forecast_lo[i], REF_##C##_LO, REL_PI);         \
		EXPECT_NUM((s)->forecast_hi[i], REF_##C##_HI, REL_PI);         \
	} while (0)

Test(pipeline, trend_forecast_gap, .fini = teardown)
{
	const double yr[] = REF_T5_X, ac[] = REF_T5_Y;
	struct obs rows[5];
	const struct ws_series_stats *s = &g_st.series;

	for (int k = 0; k < 5; k++)
		rows[k] = (struct obs)OB("t5", (int32_t)yr[k], NA, ac[k]);
	rows[4].target = 20; /* 2022: 16 against 20 */
	run(rows, 5, NULL);
	cr_assert(eq(sz, s->n, 1));
	cr_expect(eq(i32, s->nobs[0], 5));
	cr_expect(eq(i32, s->first_year[0], 2018));
	cr_expect(eq(i32, s->last_year[0], 2022));
	EXPECT_TREND(s, 0, T5);
	cr_expect(eq(i32, s->forecast_year[0], 2023));
	/* 10 12 11 15 16: 9 rising pairs, 1 falling (12 > 11), S = 8; without ties
	 * S = 10 - 2*inversions, and 1 + 4 of the 120 orderings have at most one
	 * inversion, so P(|S| >= 8) = 2*5/120 (Kendall's table: 0.042 one-sided) */
	EXPECT_NUM(s->mk_s[0], 8.0, 0);
	cr_expect(ieee_ulp_eq(dbl, s->mk_p[0], 10.0 / 120.0, 4));
	cr_expect(eq(i32, s->review_year[0], 2022));
	EXPECT_NUM(s->target[0], 20.0, 0);
	EXPECT_NUM(s->actual[0], 16.0, 0);
	EXPECT_NUM(s->gap[0], -4.0, 0);
	EXPECT_NUM(s->achievement[0], REF_T5_ACH, REL);
	EXPECT_NUM(s->progress[0], REF_T5_PROGRESS, REL);
	EXPECT_NUM(s->years_to_target[0], REF_T5_YTT, REL);
	cr_expect(eq(i8, s->met[0], 0));
	cr_expect(eq(i32, s->years_below[0], 1));
	cr_expect(eq(i32, s->streak[0], 1));
	cr_expect(eq(i8, s->persistent[0], 0));
	cr_expect(eq(u8, s->band[0], WS_BAND_MISSED)); /* 0.8 < 0.9 */
	cr_expect(eq(i32, s->lag[0], 0));
	cr_expect(eq(str, (char *)reason_of(0), "missed 2022 (gap -4, achievement 0.8)"));
}

Test(pipeline, missing_years_inside_series, .fini = teardown)
{
	const double yr[] = REF_GAPS_X, ac[] = REF_GAPS_Y;
	struct obs rows[6];
	const struct ws_series_stats *s = &g_st.series;
	size_t n = 0;

	for (int k = 0; k < 4; k++)
		rows[n++] = (struct obs)OB("gaps", (int32_t)yr[k], 5, ac[k]);
	/* years without an actual do not enter the fit */
	rows[n++] = (struct obs)OB("gaps", 2017, 5, NA);
	rows[n++] = (struct obs)OB("gaps", 2020, NA, NA);
	run(rows, n, NULL);
	cr_expect(eq(i32, s->nobs[0], 4));
	cr_expect(eq(i32, s->first_year[0], 2016));
	cr_expect(eq(i32, s->last_year[0], 2022));
	cr_expect(eq(i32, s->forecast_year[0], 2023));
	EXPECT_TREND(s, 0, GAPS);
	/* targets 5: 3, 4 missed, then 6, 7 met; progress (7-3)/(5-3) = 2 */
	cr_expect(eq(i32, s->years_below[0], 2));
	cr_expect(eq(i32, s->streak[0], 0));
	EXPECT_NUM(s->years_to_target[0], 0.0, 0);
	EXPECT_NUM(s->progress[0], 2.0, REL);
	cr_expect(eq(str, (char *)reason_of(0), "met 2022 (gap +2)"));
}

Test(pipeline, target_without_actual, .fini = teardown)
{
	const struct obs rows[] = {OB("a", 2020, 5, 6), OB("a", 2021, 7, 5), OB("a", 2022, 8, NA)};
	const struct ws_series_stats *s = &g_st.series;

	run(rows, 3, NULL);
	/* review falls back to 2021, the latest year with both; newest data year 2022 */
	cr_expect(eq(i32, s->review_year[0], 2021));
	cr_expect(eq(i32, s->lag[0], 1));
	cr_expect(eq(i32, s->nobs[0], 2));
	cr_expect(eq(i32, s->last_year[0], 2021));
	cr_expect(eq(i32, s->forecast_year[0], 2022));
	EXPECT_NUM(s->forecast[0], 4.0, REL); /* line through (2020,6),(2021,5) */
	cr_expect(isnan(s->forecast_lo[0]) && isnan(s->forecast_hi[0]));
	EXPECT_NUM(s->target[0], 7.0, 0);
	EXPECT_NUM(s->gap[0], -2.0, 0);
	EXPECT_NUM(s->achievement[0], 5.0 / 7.0, REL);
	EXPECT_NUM(s->progress[0], -1.0, REL); /* baseline 6: (5 - 6)/(7 - 6) */
}

/* Lower is better, and years_to_target in each direction. Values by hand. */
Test(pipeline, lower_direction_and_years_to_target, .fini = teardown)
{
	struct obs rows[15];
	const struct { const char *name; uint8_t dir; double a[3], target; } ser[] = {
		{"lower met", LOWER, {12, 10, 8}, 9},
		{"lower away", LOWER, {8, 10, 12}, 9},
		{"lower towards", LOWER, {14, 13, 11}, 9},
		{"higher away", HIGHER, {10, 9, 8}, 12},
		{"flat", HIGHER, {5, 5, 5}, 6},
	};
	const struct ws_series_stats *s = &g_st.series;
	size_t n = 0, i;

	for (size_t k = 0; k < 5; k++)
		for (int j = 0; j < 3; j++)
			rows[n++] = (struct obs){.indicator = ser[k].name, .direction = ser[k].dir,
						 .year = 2020 + j, .actual = ser[k].a[j],
						 .target = j == 2 ? ser[k].target : NA};
	run(rows, n, NULL);

	i = series_of(NULL, "lower met"); /* gap 9 - 8 = 1, achievement 9/8 */
	cr_expect(eq(u8, s->direction[i], WS_DIR_LOWER));
	EXPECT_NUM(s->gap[i], 1.0, 0);
	cr_expect(eq(i8, s->met[i], 1));
	EXPECT_NUM(s->achievement[i], REF_LOWER_MET_ACH, REL);
	EXPECT_NUM(s->years_to_target[i], 0.0, 0);
	cr_expect(eq(u8, s->band[i], WS_BAND_MET));
	cr_expect(eq(str, (char *)reason_of(i), "met 2022 (gap +1)"));

	i = series_of(NULL, "lower away"); /* gap 9 - 12 = -3, slope +2: never */
	EXPECT_NUM(s->gap[i], -3.0, 0);
	EXPECT_NUM(s->achievement[i], 0.75, REL);
	EXPECT_NUM(s->slope[i], 2.0, REL);
	cr_expect(isnan(s->years_to_target[i]));
	cr_expect(eq(u8, s->band[i], WS_BAND_MISSED));

	i = series_of(NULL, "lower towards"); /* (9 - 11)/(-1.5) = 4/3 */
	EXPECT_NUM(s->gap[i], -2.0, 0);
	EXPECT_NUM(s->slope[i], REF_LOWER_TOWARDS_SLOPE, REL);
	EXPECT_NUM(s->years_to_target[i], REF_LOWER_TOWARDS_YTT, REL);
	EXPECT_NUM(s->achievement[i], REF_LOWER_TOWARDS_ACH, REL);
	EXPECT_NUM(s->progress[i], 0.6, REL); /* (11 - 14)/(9 - 14) */

	i = series_of(NULL, "higher away"); /* slope -1 away from 12 */
	cr_expect(isnan(s->years_to_target[i]));
	EXPECT_NUM(s->progress[i], -1.0, REL); /* (8 - 10)/(12 - 10) */

	i = series_of(NULL, "flat"); /* every actual equal */
	EXPECT_NUM(s->r2[i], 1.0, 0);
	EXPECT_NUM(s->slope[i], 0.0, 0);
	EXPECT_NUM(s->slope_se[i], 0.0, 0);
	cr_expect(isnan(s->slope_p[i]));
	EXPECT_NUM(s->sen_slope[i], 0.0, 0);
	EXPECT_NUM(s->mk_s[i], 0.0, 0);
	EXPECT_NUM(s->mk_p[i], 1.0, 0);
	EXPECT_NUM(s->forecast[i], 5.0, REL);
	EXPECT_NUM(s->forecast_lo[i], 5.0, REL); /* no residual: a zero-width interval */
	EXPECT_NUM(s->forecast_hi[i], 5.0, REL);
	cr_expect(isnan(s->years_to_target[i])); /* flat: never */
	EXPECT_NUM(s->progress[i], 0.0, 0);
}

/* ---- pipeline: zero targets and negative figures (table) -------------------------- */

struct gap_case {
	uint8_t dir;
	double target, actual, gap, achievement;
	int8_t met;
	uint8_t band;
};

ParameterizedTestParameters(pipeline, zero_and_negative)
{
	/* FORMATS.md §2: gap = actual - target (negated for lower); achievement
	 * actual/target or target/actual only when target >= 0, actual >= 0 and
	 * the denominator > 0. Values by hand. */
	static struct gap_case cases[] = {
		{HIGHER, 0, 3, 3, NAN, 1, WS_BAND_MET},        /* zero target: no ratio */
		{HIGHER, 0, 0, 0, NAN, 1, WS_BAND_MET},
		{LOWER, 0, 2, -2, 0, 0, WS_BAND_MISSED},      /* 0/2 = 0 is a ratio */
		{LOWER, 0, 0, 0, NAN, 1, WS_BAND_MET},
		{HIGHER, 5, 0, -5, 0, 0, WS_BAND_MISSED},
		{LOWER, 5, 0, 5, NAN, 1, WS_BAND_MET},        /* denominator actual = 0 */
		{HIGHER, -5, -3, 2, NAN, 1, WS_BAND_MET},      /* negative figures */
		{HIGHER, 5, -1, -6, NAN, 0, WS_BAND_MISSED},   /* missed, no ratio: not near */
		{LOWER, -2, 1, -3, NAN, 0, WS_BAND_MISSED},
		{HIGHER, 10, 12.5, 2.5, 1.25, 1, WS_BAND_MET},
		{LOWER, 8, 10, -2, 0.8, 0, WS_BAND_MISSED},
	};
	return cr_make_param_array(struct gap_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct gap_case *c, pipeline, zero_and_negative, .fini = teardown)
{
	const struct obs row = {.indicator = "x", .direction = c->dir, .year = 2022,
				.target = c->target, .actual = c->actual};
	const struct ws_series_stats *s = &g_st.series;

	cr_log_info("dir %d target %g actual %g", c->dir, c->target, c->actual);
	run(&row, 1, NULL);
	EXPECT_NUM(s->gap[0], c->gap, REL);
	EXPECT_NUM(s->achievement[0], c->achievement, REL);
	cr_expect(eq(i8, s->met[0], c->met));
	cr_expect(eq(u8, s->band[0], c->band));
	cr_expect(isnan(s->progress[0])); /* one year: no baseline before it */
}

/* ---- pipeline: n = 0, 1, 2, 3 (table) ---------------------------------------------- */

struct nobs_case {
	int n;
	double actual[3];  /* for 2020.. ; the series always has target 6 in 2022 */
	int32_t first_year, last_year, forecast_year, review_year;
	double slope, forecast, r2, sen;
	int full;          /* n >= 3: se, p, Mann-Kendall and the interval exist */
};

ParameterizedTestParameters(pipeline, nobs)
{
	static struct nobs_case cases[] = {
		{0, {NA, NA, NA}, -1, -1, -1, -1, NAN, NAN, NAN, NAN, 0},
		{1, {NA, NA, 4}, 2022, 2022, -1, 2022, NAN, NAN, NAN, NAN, 0},
		{2, {NA, 4, 7}, 2021, 2022, 2023, 2022, REF_N2_SLOPE, REF_N2_FORECAST, NAN,
		 REF_N2_SEN, 0},
		{3, {5, 7, 6}, 2020, 2022, 2023, 2022, REF_N3_SLOPE, REF_N3_FORECAST, REF_N3_R2,
		 REF_N3_SEN, 1},
	};
	return cr_make_param_array(struct nobs_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct nobs_case *c, pipeline, nobs, .fini = teardown)
{
	struct obs rows[3];
	const struct ws_series_stats *s = &g_st.series;

	cr_log_info("n = %d", c->n);
	for (int j = 0; j < 3; j++)
		rows[j] = (struct obs)OB("x", 2020 + j, j == 2 ? 6 : NA, c->actual[j]);
	run(rows, 3, NULL);
	cr_expect(eq(i32, s->nobs[0], c->n));
	cr_expect(eq(i32, s->first_year[0], c->first_year));
	cr_expect(eq(i32, s->last_year[0], c->last_year));
	cr_expect(eq(i32, s->forecast_year[0], c->forecast_year));
	cr_expect(eq(i32, s->review_year[0], c->review_year));
	EXPECT_NUM(s->slope[0], c->slope, REL);
	EXPECT_NUM(s->forecast[0], c->forecast, REL);
	EXPECT_NUM(s->r2[0], c->r2, REL);
	EXPECT_NUM(s->sen_slope[0], c->sen, REL);
	const double *need3[] = {s->slope_se, s->slope_p, s->mk_s, s->mk_p, s->forecast_lo,
				 s->forecast_hi}; /* the columns that need n >= 3 */
	for (size_t k = 0; k < 6; k++)
		cr_expect(eq(int, !isnan(need3[k][0]), c->full), "column %zu of need3", k);
	if (c->full) {
		EXPECT_NUM(s->slope_p[0], REF_N3_P, REL);
		EXPECT_NUM(s->forecast_lo[0], REF_N3_LO, REL_PI);
		EXPECT_NUM(s->forecast_hi[0], REF_N3_HI, REL_PI);
	}
	if (c->n == 0)
		cr_expect(eq(str, (char *)reason_of(0), "not reviewed: no actual"));
}

/* ---- pipeline: streaks and --streak K (table) --------------------------------------- */

struct streak_case {
	char pattern[16]; /* per year from 2010: + met, - missed, . actual only, o target only */
	int k;            /* ws_stats_opts.streak; 0 = default 3 */
	int32_t streak, below;
	int8_t persistent;
	int32_t review_year;
};

ParameterizedTestParameters(pipeline, streak)
{
	static struct streak_case cases[] = {
		{"+--", 3, 2, 2, 0, 2012},      /* K - 1 */
		{"+---", 3, 3, 3, 1, 2013},     /* K */
		{"+----", 3, 4, 4, 1, 2014},    /* K + 1 */
		{"---+", 3, 0, 3, 0, 2013},     /* a met review year ends it */
		{"-+--", 3, 2, 3, 0, 2013},     /* broken run: below 3, streak 2 */
		{"--.-", 3, 3, 3, 1, 2013},     /* no target that year: skipped */
		{"--o-", 3, 3, 3, 1, 2013},     /* no actual that year: skipped */
		{"---.", 3, 3, 3, 1, 2012},     /* review is the last year with both */
		{"+--", 2, 2, 2, 1, 2012},      /* --streak 2 */
		{"+----", 5, 4, 4, 0, 2014},    /* --streak 5: K - 1 */
		{"+-----", 5, 5, 5, 1, 2015},   /* --streak 5: K */
		{"+-", 1, 1, 1, 1, 2011},
		{"-+", 1, 0, 1, 0, 2011},
		{"---", 0, 3, 3, 1, 2012},      /* 0 means the default, 3 */
		{"--", 0, 2, 2, 0, 2011},
		{"..", 3, -1, 0, -1, -1},       /* never reviewed */
	};
	return cr_make_param_array(struct streak_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct streak_case *c, pipeline, streak, .fini = teardown)
{
	struct obs rows[16];
	struct ws_stats_opts o = {.near = 0.9, .streak = c->k};
	const struct ws_series_stats *s = &g_st.series;
	size_t n = strlen(c->pattern);

	cr_log_info("pattern %s K %d", c->pattern, c->k);
	for (size_t j = 0; j < n; j++) {
		char p = c->pattern[j];

		rows[j] = (struct obs){.indicator = "x", .year = 2010 + (int32_t)j,
				       .target = p == '.' ? NA : 10,
				       .actual = p == '+' ? 12 : p == '-' ? 8 : p == '.' ? 9 : NA};
	}
	run(rows, n, &o);
	cr_expect(eq(i32, s->streak[0], c->streak));
	cr_expect(eq(i32, s->years_below[0], c->below));
	cr_expect(eq(i8, s->persistent[0], c->persistent));
	cr_expect(eq(i32, s->review_year[0], c->review_year));
	cr_expect(eq(i32, g_st.divisions.persistent[0], c->persistent == 1));
}

/* ---- pipeline: near band (table) ----------------------------------------------------- */

struct band_case {
	uint8_t dir;
	double near, target, actual;
	uint8_t band;
};

ParameterizedTestParameters(pipeline, near_band)
{
	/* achievement = 9/10 rounds to the same double as 0.9 (IEEE division is
	 * correctly rounded), so the boundary itself is tested */
	static struct band_case cases[] = {
		{HIGHER, 0, 10, 9, WS_BAND_NEAR},       /* 0 = default 0.9; 0.9 >= 0.9 */
		{HIGHER, 0.9, 10, 9, WS_BAND_NEAR},
		{HIGHER, 0.9, 10, 8.99, WS_BAND_MISSED},
		{HIGHER, 0.9, 10, 9.99, WS_BAND_NEAR},
		{HIGHER, 0.9, 10, 10, WS_BAND_MET},
		{HIGHER, 0.8, 10, 8, WS_BAND_NEAR},     /* --near 0.8 */
		{HIGHER, 0.8, 10, 7.99, WS_BAND_MISSED},
		{HIGHER, 0.95, 10, 9, WS_BAND_MISSED},  /* --near 0.95 */
		{LOWER, 0.9, 9, 10, WS_BAND_NEAR},     /* lower: 9/10 */
		{LOWER, 0.9, 9, 10.01, WS_BAND_MISSED},
		{LOWER, 0.9, 9, 9, WS_BAND_MET},
		{HIGHER, 0.9, -10, -9.5, WS_BAND_MET},
		{HIGHER, 0.9, -10, -10.5, WS_BAND_MISSED}, /* no ratio: never near */
	};
	return cr_make_param_array(struct band_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct band_case *c, pipeline, near_band, .fini = teardown)
{
	const struct obs row = {.indicator = "x", .direction = c->dir, .year = 2022,
				.target = c->target, .actual = c->actual};
	struct ws_stats_opts o = {.near = c->near, .streak = 3};

	cr_log_info("near %g target %g actual %g", c->near, c->target, c->actual);
	run(&row, 1, &o);
	cr_expect(eq(u8, g_st.series.band[0], c->band));
	cr_expect(eq(str, (char *)ws_stats_band_name(g_st.series.band[0]),
		     c->band == WS_BAND_MET ? "met" : c->band == WS_BAND_NEAR ? "near" : "missed"));
}

/* ---- pipeline: reasons and lag ----------------------------------------------------------- */

Test(pipeline, reasons, .fini = teardown)
{
	const char *want[][2] = {
		{"p", "persistent: missed 2020,2021,2022 (gap -3,-2,-1.5)"},
		{"pl", "persistent: missed 2020,2021,2022 (gap -1,-2,-3)"},
		{"p14", "persistent: missed 2003,2004,2005,2006,2007,2008,2009,2010,2011,2012,2013,"
			"2014 (gap -1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1,-1)"},
		{"met", "met 2022 (gap +0)"},
		{"negzero", "met 2022 (gap +0)"}, /* -0 - 0 = -0: not "+-0" */
		{"near", "near: missed 2022 (gap -1, achievement 0.9)"},
		{"miss", "missed 2022 (gap -5, achievement 0.5)"},
		{"neg", "missed 2022 (gap -6)"},
		/* gaps with 10 digits, ratios 4: 270845/290000 = 0.93394... -> 0.9339 */
		{"big", "near: missed 2022 (gap -19155, achievement 0.9339)"},
		{"noact", "not reviewed: no actual"},
		{"notgt", "not reviewed: no year with both target and actual"},
	};
	struct obs rows[40];
	size_t n = 0;

	/* met 2019, then missed by 3, 2, 1.5: the example */
	rows[n++] = (struct obs)OB("p", 2019, 10, 11);
	rows[n++] = (struct obs)OB("p", 2020, 10, 7);
	rows[n++] = (struct obs)OB("p", 2021, 10, 8);
	rows[n++] = (struct obs)OB("p", 2022, 10, 8.5);
	for (int j = 0; j < 3; j++) /* lower: gaps 5-6, 5-7, 5-8 */
		rows[n++] = (struct obs){.indicator = "pl", .direction = LOWER, .year = 2020 + j,
					 .target = 5, .actual = 6 + j};
	for (int j = 0; j < 14; j++) /* 14 missed years: the last 12 are listed */
		rows[n++] = (struct obs)OB("p14", 2001 + j, 3, 2);
	rows[n++] = (struct obs)OB("met", 2022, 5, 5);
	rows[n++] = (struct obs)OB("negzero", 2022, 0, -0.0);
	rows[n++] = (struct obs)OB("near", 2022, 10, 9);
	rows[n++] = (struct obs)OB("miss", 2022, 10, 5);
	rows[n++] = (struct obs)OB("neg", 2022, 5, -1);
	rows[n++] = (struct obs)OB("big", 2022, 290000, 270845);
	rows[n++] = (struct obs)OB("noact", 2022, 5, NA);
	rows[n++] = (struct obs)OB("notgt", 2022, NA, 5);
	run(rows, n, NULL);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		cr_expect(eq(str, (char *)reason_of(series_of(NULL, want[k][0])), (char *)want[k][1]));
	cr_expect(eq(i32, g_st.series.lag[series_of(NULL, "p14")], 2022 - 2014));
}

/* Appends the printf text of fmt to buf (of 512 bytes). */
static void cat(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cat(char *buf, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + len, 512 - len, fmt, ap);
	va_end(ap);
}

/*
 * The reasons are written piece by piece, without printf (explain): against
 * snprintf with the formats they replaced ("%d", "%.10g" gaps, "%.4g" ratios,
 * a '+' before a gap >= 0 when met), for years of 1 to 5 digits and year 0,
 * gaps of 17 characters (%.10g at its longest), huge and tiny values.
 */
Test(pipeline, reasons_as_printf, .fini = teardown)
{
	struct obs rows[64];
	char want[512] = "", gaps[256] = "";
	size_t n = 0;

	for (int j = 0; j < 14; j++) /* the last 12 of 14 listed, 17-character gaps */
		rows[n++] = (struct obs)OB("long", 32754 + j, 0, -1.234567891e-300 * (1 + j / 7.0));
	for (int j = 0; j < 4; j++) /* years of 1 to 4 digits */
		rows[n++] = (struct obs)OB("short", j == 0 ? 7 : j == 1 ? 42 : j == 2 ? 512 : 1999,
					   1e300, -1e300 / (j + 3));
	for (int j = 0; j < 3; j++) /* year 0 (below 0 is no year: review_year -1) */
		rows[n++] = (struct obs)OB("y0", j, 3, 2 - j / 3.0);
	rows[n++] = (struct obs)OB("metbig", 2022, 1, 1.5e300);
	rows[n++] = (struct obs)OB("nearthird", 2022, 3, 2.9999999);
	rows[n++] = (struct obs)OB("tinyratio", 2022, 1, 1e-300);
	rows[n++] = (struct obs)OB("bigmiss", 2022, 123456789012.0, 5);
	run(rows, n, NULL);

	strcpy(want, "persistent: missed ");
	for (int j = 2; j < 14; j++)
		cat(want, "%s%d", j > 2 ? "," : "", 32754 + j);
	for (int j = 2; j < 14; j++)
		cat(gaps, "%s%.10g", j > 2 ? "," : "", -1.234567891e-300 * (1 + j / 7.0));
	cat(want, " (gap %s)", gaps);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "long")), want));
	cr_expect(gt(sz, strlen(want), 290), "the longest reason of 5-digit years");

	want[0] = gaps[0] = '\0';
	for (int j = 0; j < 4; j++)
		cat(gaps, "%s%.10g", j ? "," : "", -1e300 / (j + 3) - 1e300);
	snprintf(want, sizeof(want), "persistent: missed 7,42,512,1999 (gap %s)", gaps);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "short")), want));

	snprintf(want, sizeof(want), "persistent: missed 0,1,2 (gap %.10g,%.10g,%.10g)", 2 - 3.0,
		 2 - 1 / 3.0 - 3, 2 - 2 / 3.0 - 3);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "y0")), want));

	snprintf(want, sizeof(want), "met 2022 (gap +%.10g)", 1.5e300 - 1);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "metbig")), want));
	snprintf(want, sizeof(want), "near: missed 2022 (gap %.10g, achievement %.4g)",
		 2.9999999 - 3, 2.9999999 / 3);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "nearthird")), want));
	snprintf(want, sizeof(want), "missed 2022 (gap %.10g, achievement %.4g)", 1e-300 - 1,
		 1e-300);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "tinyratio")), want));
	snprintf(want, sizeof(want), "missed 2022 (gap %.10g, achievement %.4g)",
		 5 - 123456789012.0, 5 / 123456789012.0);
	cr_expect(eq(str, (char *)reason_of(series_of(NULL, "bigmiss")), want));
}

Test(pipeline, lag_and_review_year_option, .fini = teardown)
{
	const struct obs rows[] = {OB("old", 2020, 5, 6), OB("new", 2022, NA, 1)};
	struct ws_stats_opts o = {.near = 0.9, .streak = 3, .review_year = 2025};

	run(rows, 2, NULL);
	cr_expect(eq(i32, g_st.newest_year, 2022));
	cr_expect(eq(i32, g_st.series.lag[series_of(NULL, "old")], 2));
	cr_expect(eq(i32, g_st.series.lag[series_of(NULL, "new")], -1)); /* not reviewed */
	teardown();
	run(rows, 2, &o);
	cr_expect(eq(i32, g_st.series.lag[series_of(NULL, "old")], 5));
}

Test(pipeline, empty_table, .fini = teardown)
{
	run(NULL, 0, NULL);
	cr_expect(eq(sz, g_st.series.n, 0));
	cr_expect(eq(sz, g_st.divisions.n, 0));
	cr_expect(eq(sz, g_st.objectives.n, 0));
	cr_expect(eq(sz, g_st.wards.n, 0));
}

/* ---- roll-ups ------------------------------------------------------------------------------- */

/* One review-year row: met when actual >= target (higher). */
#define ROW(w, d, ind, t, a) {.ward = w, .division = d, .indicator = ind, .year = 2022, \
			      .target = t, .actual = a}

Test(rollup, divisions_rank_and_completeness, .fini = teardown)
{
	const struct obs rows[] = {
		ROW("W1", "A", "a1", 10, 10), ROW("W1", "A", "a2", 10, 12), /* 1, 1.0 1.2 */
		ROW("W1", "B", "b1", 10, 12), ROW("W1", "B", "b2", 10, 10), /* 1, 1.2 1.0 */
		ROW("W1", "C", "c1", 10, 10),                               /* 0.5, 0.95 */
		{.ward = "W1", .division = "C", .indicator = "c2", .year = 2020, .target = 10, .actual = 9},
		{.ward = "W1", .division = "C", .indicator = "c2", .year = 2021, .target = 10, .actual = 9},
		ROW("W1", "C", "c2", 10, 9),                                /* persistent */
		ROW("W1", "D", "d1", -5, -3),                               /* 1, no ratio */
		ROW("W1", "E", "e1", 10, NA),                                /* none reviewed */
		ROW("W1", "F", "f1", 10, 5), ROW("W1", "F", "f2", NA, 4),    /* 0, 0.5 */
		ROW("W1", "G", "g1", -5, -2),                               /* = D */
		ROW("W2", "A", "a1", 1, 2),                                 /* own ward */
	};
	/* by hand: met_share desc, then mean_achievement desc, NaN last, dense */
	const struct {
		const char *ward, *div;
		int32_t ind, rev, met, pers, rank;
		double share, mean, compl;
	} want[] = {
		{"W1", "A", 2, 2, 2, 0, 1, 1.0, 1.1, 1.0},
		{"W1", "B", 2, 2, 2, 0, 1, 1.0, 1.1, 1.0},
		{"W1", "C", 2, 2, 1, 1, 3, 0.5, 0.95, 1.0},
		{"W1", "D", 1, 1, 1, 0, 2, 1.0, NAN, 1.0},
		{"W1", "E", 1, 0, 0, 0, 5, NAN, NAN, 0.0},
		{"W1", "F", 2, 1, 0, 0, 4, 0.0, 0.5, 0.5},
		{"W1", "G", 1, 1, 1, 0, 2, 1.0, NAN, 1.0},
		{"W2", "A", 1, 1, 1, 0, 1, 1.0, 2.0, 1.0},
	};
	const struct ws_division_stats *d = &g_st.divisions;
	const struct ws_ward_stats *w = &g_st.wards;

	run(rows, sizeof(rows) / sizeof(rows[0]), NULL);
	cr_assert(eq(sz, d->n, 8));
	for (size_t k = 0; k < 8; k++) {
		cr_log_info("division %s/%s", want[k].ward, want[k].div);
		cr_expect(eq(str, (char *)ws_dict_str(&g_t.dict, d->ward[k]), (char *)want[k].ward));
		cr_expect(eq(str, (char *)ws_dict_str(&g_t.dict, d->division[k]), (char *)want[k].div));
		cr_expect(eq(i32, d->indicators[k], want[k].ind));
		cr_expect(eq(i32, d->reviewed[k], want[k].rev));
		cr_expect(eq(i32, d->met[k], want[k].met));
		cr_expect(eq(i32, d->persistent[k], want[k].pers));
		cr_expect(eq(i32, d->rank[k], want[k].rank), "%s/%s rank %d want %d", want[k].ward,
			  want[k].div, d->rank[k], want[k].rank);
		EXPECT_NUM(d->met_share[k], want[k].share, REL);
		EXPECT_NUM(d->mean_achievement[k], want[k].mean, REL);
		EXPECT_NUM(d->completeness[k], want[k].compl, REL);
	}
	/* ward W1: 11 indicators, 9 reviewed, 7 met, 1 persistent */
	cr_assert(eq(sz, w->n, 2));
	cr_expect(eq(i32, w->indicators[0], 11));
	cr_expect(eq(i32, w->reviewed[0], 9));
	cr_expect(eq(i32, w->met[0], 7));
	cr_expect(eq(i32, w->persistent[0], 1));
	EXPECT_NUM(w->met_share[0], 7.0 / 9.0, REL);
	cr_expect(eq(i32, w->indicators[1], 1));
}

/* A row of objective o with a recorded verdict e. */
#define OBJ(o, ind, y, t, a, e) {.objective = o, .indicator = ind, .year = y, .target = t, \
				 .actual = a, .evaluation = e}

Test(rollup, objectives_and_ward, .fini = teardown)
{
	/* indicator names sort against the objective order on purpose */
	const struct obs rows[] = {
		OBJ("1", "z1", 2022, 1, 2, WS_EVAL_MET),
		OBJ("1", "z2", 2022, 1, 1, WS_EVAL_MET),
		/* objective 2: the newest verdict (2022) wins over 2021's and 2020's */
		OBJ("2", "y3", 2021, 1, 2, WS_EVAL_MET),
		OBJ("2", "y3", 2022, 1, 2, WS_EVAL_PARTIAL),
		OBJ("2", "a4", 2020, 5, NA, WS_EVAL_MISSED),
		OBJ("2", "a4", 2022, 5, 1, WS_EVAL_NONE),
		/* objective 10: nothing met, the sheet says met */
		OBJ("10", "a5", 2022, 5, 1, WS_EVAL_MET),
		OBJ("10", "a6", 2022, 5, 1, WS_EVAL_MET),
		/* objective 3: recorded but never reviewed; 4: reviewed, nothing recorded */
		OBJ("3", "m7", 2022, 5, NA, WS_EVAL_MISSED),
		OBJ("4", "m8", 2022, 5, 6, WS_EVAL_NONE),
	};
	const struct {
		const char *obj;
		int32_t ind, rev, met;
		uint8_t status, recorded;
		int8_t agrees;
	} want[] = {
		{"1", 2, 2, 2, WS_EVAL_MET, WS_EVAL_MET, 1},
		{"2", 2, 2, 1, WS_EVAL_PARTIAL, WS_EVAL_PARTIAL, 1},
		{"3", 1, 0, 0, WS_EVAL_NONE, WS_EVAL_MISSED, -1},
		{"4", 1, 1, 1, WS_EVAL_MET, WS_EVAL_NONE, -1},
		{"10", 2, 2, 0, WS_EVAL_MISSED, WS_EVAL_MET, 0},
	};
	const struct ws_objective_stats *o = &g_st.objectives;
	const struct ws_ward_stats *w = &g_st.wards;

	run(rows, sizeof(rows) / sizeof(rows[0]), NULL);
	cr_assert(eq(sz, o->n, 5));
	for (size_t k = 0; k < 5; k++) {
		cr_log_info("objective %s", want[k].obj);
		cr_expect(eq(str, (char *)ws_dict_str(&g_t.dict, o->objective[k]), (char *)want[k].obj));
		cr_expect(eq(i32, o->indicators[k], want[k].ind));
		cr_expect(eq(i32, o->reviewed[k], want[k].rev));
		cr_expect(eq(i32, o->met[k], want[k].met));
		cr_expect(eq(u8, o->status[k], want[k].status));
		cr_expect(eq(u8, o->recorded[k], want[k].recorded));
		cr_expect(eq(i8, o->agrees[k], want[k].agrees));
	}
	cr_expect(eq(str, (char *)ws_eval_name(o->status[1]), "一部未達成"));
	cr_assert(eq(sz, w->n, 1));
	cr_expect(eq(i32, w->objectives[0], 5));
	cr_expect(eq(i32, w->obj_met[0], 2));
	cr_expect(eq(i32, w->obj_partial[0], 1));
	cr_expect(eq(i32, w->obj_missed[0], 1));
	cr_expect(eq(i32, w->obj_unreviewed[0], 1));
	cr_expect(eq(i32, w->recorded[0], 4));
	cr_expect(eq(i32, w->agree[0], 2));
	cr_expect(eq(i32, w->disagree[0], 1));
	cr_expect(eq(i32, w->indicators[0], 8)); /* y3's and a4's two rows are one series each */
}

/* ---- the pass in blocks gives what the whole pass gives --------------------------- */

/* What the sink saw: differing cells, every series and block seen once, the
 * blocks computed on threads other than the caller's. Blocks come on several
 * threads at once: the counts are atomic. */
struct blocks_seen {
	const struct ws_series_stats *whole; /* ws_stats_compute's results */
	_Atomic uint8_t *seen;              /* per series: blocks that held it */
	_Atomic uint8_t kseen[64];          /* per block number */
	atomic_size_t bad, blocks, elsewhere, misplaced;
	pthread_t caller;
	size_t bs;
};

static int check_block(void *ctx, size_t k, const struct ws_series_stats *blk, size_t first)
{
	struct blocks_seen *c = ctx;
	const struct ws_series_stats *w = c->whole;
	size_t bad = 0;

	if (!blk) { /* block k failed: counted, not asserted (this may be another thread) */
		atomic_fetch_add(&c->bad, 1);
		return WS_OK;
	}
	atomic_fetch_add(&c->blocks, 1);
	atomic_fetch_add(&c->elsewhere, !pthread_equal(pthread_self(), c->caller));
	atomic_fetch_add(&c->misplaced, first != k * c->bs);
	if (k < 64)
		atomic_fetch_add(&c->kseen[k], 1);
	for (size_t i = 0; i < blk->n; i++) {
		size_t s = first + i;
		const double a[] = {blk->slope[i], blk->intercept[i], blk->r2[i], blk->slope_se[i],
				    blk->slope_p[i], blk->sen_slope[i], blk->mk_s[i], blk->mk_p[i],
				    blk->forecast[i], blk->forecast_lo[i], blk->forecast_hi[i],
				    blk->target[i], blk->actual[i], blk->gap[i], blk->achievement[i],
				    blk->progress[i], blk->years_to_target[i]};
		const double b[] = {w->slope[s], w->intercept[s], w->r2[s], w->slope_se[s],
				    w->slope_p[s], w->sen_slope[s], w->mk_s[s], w->mk_p[s],
				    w->forecast[s], w->forecast_lo[s], w->forecast_hi[s],
				    w->target[s], w->actual[s], w->gap[s], w->achievement[s],
				    w->progress[s], w->years_to_target[s]};

		atomic_fetch_add(&c->seen[s], 1);
		for (size_t j = 0; j < sizeof(a) / sizeof(a[0]); j++)
			bad += !same_bits(a[j], b[j]);
		bad += blk->ward[i] != w->ward[s] || blk->division[i] != w->division[s] ||
				blk->objective[i] != w->objective[s] ||
				blk->indicator[i] != w->indicator[s] || blk->unit[i] != w->unit[s] ||
				blk->direction[i] != w->direction[s] || blk->nobs[i] != w->nobs[s] ||
				blk->first_year[i] != w->first_year[s] ||
				blk->last_year[i] != w->last_year[s] ||
				blk->forecast_year[i] != w->forecast_year[s] ||
				blk->review_year[i] != w->review_year[s] || blk->met[i] != w->met[s] ||
				blk->years_below[i] != w->years_below[s] ||
				blk->streak[i] != w->streak[s] ||
				blk->persistent[i] != w->persistent[s] || blk->band[i] != w->band[s] ||
				blk->lag[i] != w->lag[s] || blk->recorded[i] != w->recorded[s] ||
				blk->recorded_year[i] != w->recorded_year[s];
		bad += strcmp(blk->text + blk->reason[i], w->text + w->reason[s]) != 0;
	}
	atomic_fetch_add(&c->bad, bad);
	return WS_OK;
}

/*
 * ns series of 1 to 12 years, with gaps, lower-is-better series, units and
 * objectives that change, into g_t, indexed into g_ix.
 */
static void mixed_table(size_t ns)
{
	struct ws_err err = {0};
	uint64_t x = 12345;
	char name[32], attr[32];

	cr_assert(eq(int, ws_table_init(&g_t), WS_OK));
	for (size_t s = 0; s < ns; s++) {
		int years = 1 + (int)(s % 12);

		for (int y = 0; y < years; y++) {
			struct ws_row r = {0};

			x = x * 6364136223846793005ull + 1442695040888963407ull; /* PCG's LCG step */
			r.ward = intern(s % 3 ? "W1" : "W2");
			snprintf(attr, sizeof(attr), "D%zu", s / 40);
			r.division = intern(attr);
			snprintf(attr, sizeof(attr), "%zu", (s / 4) % 7 + (size_t)(y == years - 1));
			r.objective = intern(attr);
			snprintf(name, sizeof(name), "ind-%zu", s);
			r.indicator = intern(name);
			r.unit = intern(y % 2 ? "件" : "");
			r.direction = s % 7 == 0 ? WS_DIR_LOWER : WS_DIR_HIGHER;
			r.year = 2010 + y;
			r.target = y < 2 || (x >> 60) == 0 ? NAN : (double)(x >> 40 & 1023);
			r.actual = (x >> 58) == 1 ? NAN : (double)(x >> 20 & 1023) / 4;
			r.evaluation = (uint8_t)(x >> 33 & 3);
			r.file = intern("test.csv");
			cr_assert(eq(int, ws_table_append(&g_t, &r), WS_OK));
		}
	}
	cr_assert(eq(int, ws_index_build(&g_t, &g_ix, &err), WS_OK), "%s", err.msg);
}

/*
 * 30,000 series (above the 20,000 from which the pass runs on every core) of
 * 1 to 12 years, with gaps, lower-is-better series, units and objectives
 * that change: every column of every block equals the whole pass's, every
 * series comes in exactly one block, and the roll-ups are the same.
 */
Test(pipeline, blocks_equal_the_whole_pass, .fini = teardown)
{
	const size_t ns = 30000;
	struct ws_stats_opts o = {.near = 0.9, .streak = 3, .threads = 2};
	struct ws_stats bst;
	struct ws_err err = {0};
	struct blocks_seen c = {0};
	struct ws_stats_sink sink = {.block = check_block, .ctx = &c, .block_series = 1000};

	mixed_table(ns);
	cr_assert(eq(sz, g_ix.nseries, ns));
	cr_assert(eq(int, ws_stats_compute(&g_t, &g_ix, &o, &g_st, &err), WS_OK), "%s", err.msg);
	c.whole = &g_st.series;
	c.seen = calloc(ns, 1);
	cr_assert(c.seen != NULL);
	c.caller = pthread_self();
	c.bs = 1000;
	cr_assert(eq(int, ws_stats_compute_blocks(&g_t, &g_ix, &o, &sink, &bst, &err), WS_OK), "%s",
		  err.msg);
	cr_expect(eq(sz, atomic_load(&c.bad), 0), "cells that differ");
	cr_expect(eq(sz, atomic_load(&c.blocks), 30), "30 blocks of 1,000 series");
	cr_expect(gt(sz, atomic_load(&c.elsewhere), 0), "a second thread took blocks");
	cr_expect(eq(sz, atomic_load(&c.misplaced), 0), "block k starts at series k * 1000");
	for (size_t k = 0; k < 30; k++)
		cr_expect(eq(u8, atomic_load(&c.kseen[k]), 1), "block %zu came %u times", k,
			  (unsigned)atomic_load(&c.kseen[k]));
	for (size_t s = 0; s < ns; s++)
		cr_assert(eq(u8, atomic_load(&c.seen[s]), 1), "series %zu came in %u blocks", s,
			  (unsigned)atomic_load(&c.seen[s]));
	/* the roll-ups, from the kept columns alone */
	cr_assert(eq(sz, bst.divisions.n, g_st.divisions.n));
	cr_assert(eq(sz, bst.objectives.n, g_st.objectives.n));
	cr_assert(eq(sz, bst.wards.n, g_st.wards.n));
	for (size_t k = 0; k < bst.divisions.n; k++) {
		cr_expect(eq(i32, bst.divisions.rank[k], g_st.divisions.rank[k]));
		cr_expect(same_bits(bst.divisions.mean_achievement[k], g_st.divisions.mean_achievement[k]));
		cr_expect(eq(i32, bst.divisions.met[k], g_st.divisions.met[k]));
		cr_expect(eq(i32, bst.divisions.persistent[k], g_st.divisions.persistent[k]));
	}
	for (size_t k = 0; k < bst.objectives.n; k++) {
		cr_expect(eq(u32, bst.objectives.objective[k], g_st.objectives.objective[k]));
		cr_expect(eq(u8, bst.objectives.status[k], g_st.objectives.status[k]));
		cr_expect(eq(u8, bst.objectives.recorded[k], g_st.objectives.recorded[k]));
	}
	for (size_t k = 0; k < bst.wards.n; k++)
		cr_expect(eq(i32, bst.wards.disagree[k], g_st.wards.disagree[k]));
	cr_expect(bst.series.slope == NULL, "only the roll-up columns are kept");
	free((void *)c.seen);
	ws_stats_fini(&bst);
}

/* ---- --columns=core: the contract's columns, nothing more --------------------------- */

/*
 * The core pass (ws_stats_opts.core) over the 30,000 mixed series: every
 * column the tables of FORMATS.md §2 show (and slope_se) has the bits of the
 * full pass; the trend tests, forecast, progress, years_to_target, band, lag
 * and reasons are left missing; the roll-ups are the same. The block pass
 * with core gives the whole core pass, bit for bit.
 */
Test(pipeline, core_pass_equals_the_full_pass_on_its_columns, .fini = teardown)
{
	const size_t ns = 30000;
	struct ws_stats_opts o = {.near = 0.9, .streak = 3, .threads = 2};
	struct ws_stats core, bst;
	struct ws_err err = {0};
	struct blocks_seen c = {0};
	struct ws_stats_sink sink = {.block = check_block, .ctx = &c, .block_series = 1000};
	size_t bad = 0, kept = 0;

	mixed_table(ns);
	cr_assert(eq(int, ws_stats_compute(&g_t, &g_ix, &o, &g_st, &err), WS_OK), "%s", err.msg);
	o.core = 1;
	cr_assert(eq(int, ws_stats_compute(&g_t, &g_ix, &o, &core, &err), WS_OK), "%s", err.msg);
	const struct ws_series_stats *f = &g_st.series, *k = &core.series;

	cr_assert(eq(sz, k->n, ns));
	for (size_t i = 0; i < ns; i++) {
		const double a[] = {k->slope[i], k->intercept[i], k->r2[i], k->slope_se[i],
				    k->target[i], k->actual[i], k->gap[i], k->achievement[i]};
		const double b[] = {f->slope[i], f->intercept[i], f->r2[i], f->slope_se[i],
				    f->target[i], f->actual[i], f->gap[i], f->achievement[i]};
		const double none[] = {k->slope_p[i], k->sen_slope[i], k->mk_s[i], k->mk_p[i],
				       k->forecast[i], k->forecast_lo[i], k->forecast_hi[i],
				       k->progress[i], k->years_to_target[i]};

		for (size_t j = 0; j < sizeof(a) / sizeof(a[0]); j++)
			bad += !same_bits(a[j], b[j]);
		for (size_t j = 0; j < sizeof(none) / sizeof(none[0]); j++)
			bad += !isnan(none[j]);
		bad += k->ward[i] != f->ward[i] || k->division[i] != f->division[i] ||
		       k->objective[i] != f->objective[i] || k->indicator[i] != f->indicator[i] ||
		       k->unit[i] != f->unit[i] || k->direction[i] != f->direction[i] ||
		       k->nobs[i] != f->nobs[i] || k->first_year[i] != f->first_year[i] ||
		       k->last_year[i] != f->last_year[i] || k->review_year[i] != f->review_year[i] ||
		       k->met[i] != f->met[i] || k->years_below[i] != f->years_below[i] ||
		       k->streak[i] != f->streak[i] || k->persistent[i] != f->persistent[i];
		bad += k->forecast_year[i] != -1 || k->lag[i] != -1 || k->band[i] != WS_BAND_NONE;
		bad += k->text[k->reason[i]] != '\0';
		kept += !isnan(f->sen_slope[i]) && f->review_year[i] >= 0; /* the test has teeth */
	}
	cr_expect(eq(sz, bad, 0), "cells that differ from the full pass");
	cr_expect(gt(sz, kept, ns / 2), "most series have a trend and a review year");
	cr_assert(eq(sz, core.divisions.n, g_st.divisions.n));
	for (size_t j = 0; j < core.divisions.n; j++) {
		cr_expect(eq(i32, core.divisions.rank[j], g_st.divisions.rank[j]));
		cr_expect(same_bits(core.divisions.met_share[j], g_st.divisions.met_share[j]));
		cr_expect(same_bits(core.divisions.mean_achievement[j],
				    g_st.divisions.mean_achievement[j]));
	}
	cr_assert(eq(sz, core.objectives.n, g_st.objectives.n));
	for (size_t j = 0; j < core.objectives.n; j++)
		cr_expect(eq(u8, core.objectives.status[j], g_st.objectives.status[j]));

	/* the block pass with core against the whole core pass */
	c.whole = k;
	c.seen = calloc(ns, 1);
	cr_assert(c.seen != NULL);
	c.caller = pthread_self();
	c.bs = 1000;
	cr_assert(eq(int, ws_stats_compute_blocks(&g_t, &g_ix, &o, &sink, &bst, &err), WS_OK),
		  "%s", err.msg);
	cr_expect(eq(sz, atomic_load(&c.bad), 0), "cells that differ");
	for (size_t i = 0; i < ns; i++)
		cr_assert(eq(u8, atomic_load(&c.seen[i]), 1), "series %zu came in %u blocks", i,
			  (unsigned)atomic_load(&c.seen[i]));
	free((void *)c.seen);
	ws_stats_fini(&bst);
	ws_stats_fini(&core);
}

/* A sink that refuses block 7: the pass stops with its status, the other
 * thread stops before its next block, and nothing waits for ever. */
static int refuse_7(void *ctx, size_t k, const struct ws_series_stats *blk, size_t first)
{
	(void)first;
	(void)blk;
	atomic_fetch_add((atomic_size_t *)ctx, 1);
	return k == 7 ? WS_EIO : WS_OK;
}

Test(pipeline, blocks_stop_when_the_sink_fails, .fini = teardown)
{
	struct ws_stats_opts o = {.near = 0.9, .streak = 3, .threads = 2};
	struct ws_stats bst;
	struct ws_err err = {0};
	atomic_size_t calls;
	struct ws_stats_sink sink = {.block = refuse_7, .ctx = &calls, .block_series = 1000};

	atomic_init(&calls, 0);
	mixed_table(30000);
	cr_assert(eq(int, ws_stats_compute_blocks(&g_t, &g_ix, &o, &sink, &bst, &err), WS_EIO));
	cr_expect(lt(sz, atomic_load(&calls), 30), "blocks after the failure were not computed");
	cr_expect(ge(sz, atomic_load(&calls), 8));
	ws_stats_fini(&bst);
}
