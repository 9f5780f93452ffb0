/*
 * trend.c: the trend statistics of one series, with GSL.
 *
 *   OLS          y = c0 + c1*x by gsl_fit_linear; se(c1) = sqrt(cov11) with
 *                cov11 = s^2/Sxx, s^2 = SSE/(n-2); t = c1/se(c1) with n-2
 *                degrees of freedom, p = 2*Q_t(|t|) (gsl_cdf_tdist_Q);
 *                r2 = 1 - SSE/Syy, and 1 when Syy = 0 (regr_r2's rule).
 *   Theil-Sen    median over i<j of (y_j - y_i)/(x_j - x_i).
 *   Mann-Kendall S = sum_{i<j} sign(y_j - y_i). For n <= 10 the p-value is
 *                exact: under no trend every ordering of the observed values
 *                is equally likely, S = M - 2Q where M is the number of untied
 *                pairs and Q the inversions of the ordering, and the number of
 *                orderings with Q inversions is the coefficient of q^Q in the
 *                q-multinomial [n; t1, t2, ...]_q (t_k the tie sizes). That
 *                distribution is built once per n and tie pattern and cached.
 *                For n > 10: Var S = [n(n-1)(2n+5) - sum t(t-1)(2t+5)]/18,
 *                Z = (S - sign(S))/sqrt(Var S), p = 2*Q_N(|Z|).
 */
#include "ws_stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

/* Least squares of y on x into r; the slope's t-test too when test is 1. */
static void ols(const double *x, const double *y, size_t n, struct ws_ols *r, int test)
{
	double syy = 0, my = 0, sxx = 0, mx = 0;

	r->slope = r->intercept = r->r2 = r->slope_se = r->slope_p = NAN;
	r->sumsq = r->cov00 = r->cov01 = r->cov11 = NAN;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++) {
		mx += (x[i] - mx) / (double)(i + 1);
		my += (y[i] - my) / (double)(i + 1);
	}
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx == 0) /* constant years: no line */
		return;
	gsl_fit_linear(x, 1, y, 1, n, &r->intercept, &r->slope, &r->cov00, &r->cov01, &r->cov11,
		       &r->sumsq);
	if (n < 3) {
		r->cov00 = r->cov01 = r->cov11 = NAN; /* GSL divides by n - 2 */
		return;
	}
	r->r2 = syy == 0 ? 1.0 : 1.0 - r->sumsq / syy;
	if (r->r2 < 0)
		r->r2 = 0;
	r->slope_se = sqrt(r->cov11);
	if (!test)
		return;
	if (r->slope_se > 0)
		r->slope_p = 2.0 * gsl_cdf_tdist_Q(fabs(r->slope / r->slope_se), (double)(n - 2));
	else if (r->slope != 0)
		r->slope_p = 0.0; /* a perfect line */
}

void ws_stats_ols(const double *x, const double *y, size_t n, struct ws_ols *r)
{
	ols(x, y, n, r, 1);
}

void ws_stats_ols_line(const double *x, const double *y, size_t n, struct ws_ols *r)
{
	ols(x, y, n, r, 0);
}

/*
 * Puts the slopes of the longest baselines, (0,n-1), (0,n-2) and (1,n-1),
 * first, in the middle and last of the k = n(n-1)/2 slopes in i-major order.
 * GSL's gsl_stats_select is the quickselect of Numerical Recipes, whose pivot
 * is the median of those three places; those slopes lie near the Theil-Sen
 * median, so the first partition splits close to it and little is left to
 * select (a sixth of gsl_stats_select's time less on 10-year series).
 */
static void sen_pivot(double *work, size_t n, size_t k)
{
	size_t src[3] = {n - 2, n - 3, 2 * n - 4};
	size_t dst[3] = {0, (k - 1) / 2, k - 1};

	for (int t = 0; t < 3; t++) {
		double tmp = work[dst[t]];

		work[dst[t]] = work[src[t]];
		work[src[t]] = tmp;
		for (int u = t + 1; u < 3; u++) /* what was at dst[t] is now at src[t] */
			if (src[u] == dst[t])
				src[u] = src[t];
	}
}

/*
 * The median is gsl_stats_median's whatever the order of the slopes, as long
 * as values that compare equal have the same bits: the order is changed only
 * when no slope is -0 (equal to +0) or NaN (equal to nothing).
 */
double ws_stats_sen(const double *x, const double *y, size_t n, double *work)
{
	size_t k = 0;
	int odd = 0; /* a -0 or a NaN among the slopes */

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i]) {
				double q = (y[j] - y[i]) / (x[j] - x[i]);

				odd |= (q == 0) & (signbit(q) != 0); /* no branch: a branch costs more */
				odd |= q != q;
				work[k++] = q;
			}
	if (k == 0)
		return NAN;
	if (n >= 5 && k == n * (n - 1) / 2 && !odd) /* every pair, so the places are known */
		sen_pivot(work, n, k);
	return gsl_stats_median(work, 1, k); /* quickselect: rearranges work */
}

/* ---- exact Mann-Kendall --------------------------------------------------- */

#define MK_EXACT_MAX 10
#define MK_MAXQ (MK_EXACT_MAX * (MK_EXACT_MAX - 1) / 2)
#define MK_SLOTS 256 /* a power of two; the partitions of 3..10 number 135 */

/*
 * The exact p-values of one n and tie pattern: p[s] = P(|S'| >= s) under no
 * trend, for every s = 0..MK_MAXQ (0 above m). The pattern's key has one
 * nibble per tie size t: nibble t-1 holds the number of values in groups of
 * size t (at most n = 10), so the key does not depend on the order of the
 * values and needs no sort: 10 distinct values are 0xA, tie sizes {3,3,2,1,1}
 * are 0x622. One open-addressed table per thread (stats run on several
 * threads), so no locking on the hot path; key 0 marks a free slot.
 */
static _Thread_local struct mk_dist {
	uint64_t key;              /* tie pattern, as above; 0 = free */
	int m;                     /* untied pairs: the largest |S| */
	double p[MK_MAXQ + 1];     /* p[s] for |S| = s */
} mk_table[MK_SLOTS];
static _Thread_local int mk_used; /* slots taken */

/* c = q-binomial [a choose b]_q, by [a,b] = [a-1,b-1] + q^b [a-1,b]. */
static void qbinom(int a, int b, double *c)
{
	double tab[MK_EXACT_MAX + 1][MK_EXACT_MAX + 1][MK_MAXQ + 1];

	memset(tab, 0, sizeof(tab));
	for (int i = 0; i <= a; i++) {
		tab[i][0][0] = 1;
		for (int j = 1; j <= i && j <= b; j++)
			for (int d = 0; d <= MK_MAXQ; d++) {
				double v = tab[i - 1][j - 1][d];

				if (d >= j)
					v += tab[i - 1][j][d - j];
				tab[i][j][d] = v;
			}
	}
	memcpy(c, tab[a][b], sizeof(tab[a][b]));
}

/*
 * Fills d for tie pattern key: count[Q] = orderings with Q inversions, the
 * coefficients of [n; t1..tk]_q = prod_m [t1+..+tm choose tm]_q with the tie
 * sizes t descending; then p[s] = sum of count[Q] over |m - 2Q| >= s, divided
 * by the total n!/prod t!. The counts are integers below 2^53, so every sum
 * is exact.
 */
static void mk_build(struct mk_dist *d, uint64_t key)
{
	double poly[MK_MAXQ + 1], qb[MK_MAXQ + 1], prod[MK_MAXQ + 1], total = 0;
	int sofar = 0, n = 0;

	for (int t = 1; t <= MK_EXACT_MAX; t++)
		n += (int)((key >> (4 * (t - 1))) & 15);
	d->key = key;
	d->m = n * (n - 1) / 2;
	memset(poly, 0, sizeof(poly));
	poly[0] = 1;
	for (int t = MK_EXACT_MAX; t >= 1; t--) {
		int groups = (int)((key >> (4 * (t - 1))) & 15) / t;

		for (int g = 0; g < groups; g++) {
			sofar += t;
			d->m -= t * (t - 1) / 2;
			qbinom(sofar, t, qb);
			memset(prod, 0, sizeof(prod));
			for (int i = 0; i <= MK_MAXQ; i++)
				for (int j = 0; poly[i] != 0 && i + j <= MK_MAXQ; j++)
					prod[i + j] += poly[i] * qb[j];
			memcpy(poly, prod, sizeof(poly));
		}
	}
	for (int q = 0; q <= MK_MAXQ; q++)
		total += poly[q];
	for (int s = 0; s <= MK_MAXQ; s++) {
		double tail = 0;

		for (int q = 0; q <= MK_MAXQ; q++)
			if (fabs((double)(d->m - 2 * q)) >= (double)s - 1e-9)
				tail += poly[q];
		d->p[s] = tail / total;
		if (d->p[s] > 1)
			d->p[s] = 1;
	}
}

/* The table of tie pattern key, built on first use; NULL if the table is full. */
static const struct mk_dist *mk_exact(uint64_t key)
{
	size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 56) & (MK_SLOTS - 1);

	while (mk_table[h].key != 0) {
		if (mk_table[h].key == key)
			return &mk_table[h];
		h = (h + 1) & (MK_SLOTS - 1);
	}
	if (mk_used == MK_SLOTS - 1) /* keep a free slot: probes must end */
		return NULL;
	mk_used++;
	mk_build(&mk_table[h], key);
	return &mk_table[h];
}

/* The normal approximation, with tie and continuity correction, for S = st. */
static double mk_normal(const double *y, size_t n, double *work, double st)
{
	double tieterm = 0, nn = (double)n, var, z = 0;

	memcpy(work, y, n * sizeof(*y));
	if (n <= 16) { /* insertion sort: faster than a general sort at this size */
		for (size_t i = 1; i < n; i++) {
			double v = work[i];
			size_t j = i;

			for (; j > 0 && work[j - 1] > v; j--)
				work[j] = work[j - 1];
			work[j] = v;
		}
	} else {
		gsl_sort(work, 1, n);
	}
	for (size_t i = 0; i < n;) { /* groups of equal values */
		size_t j = i + 1;

		while (j < n && work[j] == work[i])
			j++;
		double t = (double)(j - i);
		tieterm += t * (t - 1) * (2 * t + 5);
		i = j;
	}
	var = (nn * (nn - 1) * (2 * nn + 5) - tieterm) / 18.0;
	if (var <= 0)
		return NAN;
	if (st > 0)
		z = (st - 1) / sqrt(var);
	else if (st < 0)
		z = (st + 1) / sqrt(var);
	return 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
}

void ws_stats_mk(const double *y, size_t n, double *work, double *s, double *p)
{
	*s = *p = NAN;
	if (n < 3)
		return;
	if (n <= MK_EXACT_MAX) {
		int eq[MK_EXACT_MAX] = {0}; /* eq[i]: the other values equal to y[i] */
		int st = 0;                 /* S, exact in an int */
		uint64_t key = 0;
		const struct mk_dist *d;

		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++) {
				int e = y[j] == y[i];

				st += (y[j] > y[i]) - (y[j] < y[i]);
				eq[i] += e;
				eq[j] += e;
			}
		*s = st;
		/* y[i] is in a group of eq[i] + 1 values: count it in that nibble */
		for (size_t i = 0; i < n; i++)
			key += 1ull << (4 * eq[i]);
		if ((d = mk_exact(key)) != NULL) {
			*p = d->p[st < 0 ? -st : st];
			return;
		}
		*p = mk_normal(y, n, work, *s);
		return;
	}
	double st = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			st += (y[j] > y[i]) - (y[j] < y[i]);
	*s = st;
	*p = mk_normal(y, n, work, st);
}
