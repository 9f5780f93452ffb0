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

void ws_stats_ols(const double *x, const double *y, size_t n, struct ws_ols *r)
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
	if (r->slope_se > 0)
		r->slope_p = 2.0 * gsl_cdf_tdist_Q(fabs(r->slope / r->slope_se), (double)(n - 2));
	else if (r->slope != 0)
		r->slope_p = 0.0; /* a perfect line */
}

double ws_stats_sen(const double *x, const double *y, size_t n, double *work)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (x[j] != x[i])
				work[k++] = (y[j] - y[i]) / (x[j] - x[i]);
	if (k == 0)
		return NAN;
	return gsl_stats_median(work, 1, k); /* quickselect: rearranges work */
}

/* ---- exact Mann-Kendall --------------------------------------------------- */

#define MK_EXACT_MAX 10
#define MK_MAXQ (MK_EXACT_MAX * (MK_EXACT_MAX - 1) / 2)
#define MK_CACHE 256 /* partitions of 3..10 number 134 */

/* The null distribution of S for one n and tie pattern; one cache per thread
 * (stats run on several threads), so no locking on the hot path. */
static _Thread_local struct mk_dist {
	int n;
	int ties[MK_EXACT_MAX]; /* tie sizes, descending, zero-padded */
	int m;                  /* untied pairs */
	double count[MK_MAXQ + 1]; /* orderings with Q inversions */
	double total;           /* n!/prod t! */
} mk_cache[MK_CACHE];
static _Thread_local int mk_cached;

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

static const struct mk_dist *mk_exact(int n, const int *ties)
{
	struct mk_dist *d;
	double poly[MK_MAXQ + 1], qb[MK_MAXQ + 1], prod[MK_MAXQ + 1];
	int sofar = 0;

	for (int i = 0; i < mk_cached; i++)
		if (mk_cache[i].n == n && memcmp(mk_cache[i].ties, ties, sizeof(mk_cache[i].ties)) == 0)
			return &mk_cache[i];
	if (mk_cached == MK_CACHE)
		return NULL;
	d = &mk_cache[mk_cached];
	memset(d, 0, sizeof(*d));
	d->n = n;
	memcpy(d->ties, ties, sizeof(d->ties));
	d->m = n * (n - 1) / 2;
	memset(poly, 0, sizeof(poly));
	poly[0] = 1;
	/* [n; t1..tk]_q = prod_m [t1+..+tm choose tm]_q */
	for (int k = 0; k < MK_EXACT_MAX && ties[k]; k++) {
		sofar += ties[k];
		d->m -= ties[k] * (ties[k] - 1) / 2;
		qbinom(sofar, ties[k], qb);
		memset(prod, 0, sizeof(prod));
		for (int i = 0; i <= MK_MAXQ; i++)
			for (int j = 0; poly[i] != 0 && i + j <= MK_MAXQ; j++)
				prod[i + j] += poly[i] * qb[j];
		memcpy(poly, prod, sizeof(poly));
	}
	memcpy(d->count, poly, sizeof(poly));
	for (int q = 0; q <= MK_MAXQ; q++)
		d->total += poly[q];
	mk_cached++;
	return d;
}

void ws_stats_mk(const double *y, size_t n, double *work, double *s, double *p)
{
	double st = 0, tieterm = 0;
	int ties[MK_EXACT_MAX];
	int nt = 0;

	*s = *p = NAN;
	if (n < 3)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			st += (y[j] > y[i]) - (y[j] < y[i]);
	*s = st;
	/* tie pattern: sizes of groups of equal values */
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
	memset(ties, 0, sizeof(ties));
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;

		while (j < n && work[j] == work[i])
			j++;
		double t = (double)(j - i);
		tieterm += t * (t - 1) * (2 * t + 5);
		if (n <= MK_EXACT_MAX)
			ties[nt++] = (int)(j - i);
		i = j;
	}
	if (n <= MK_EXACT_MAX) {
		const struct mk_dist *d;

		for (int i = 1; i < nt; i++) /* descending, so patterns compare equal */
			for (int j = i; j > 0 && ties[j - 1] < ties[j]; j--) {
				int tmp = ties[j];

				ties[j] = ties[j - 1];
				ties[j - 1] = tmp;
			}
		d = mk_exact((int)n, ties);
		if (d) {
			double tail = 0;

			for (int q = 0; q <= MK_MAXQ; q++)
				if (fabs((double)(d->m - 2 * q)) >= fabs(st) - 1e-9)
					tail += d->count[q];
			*p = tail / d->total;
			if (*p > 1)
				*p = 1;
			return;
		}
	}
	double nn = (double)n;
	double var = (nn * (nn - 1) * (2 * nn + 5) - tieterm) / 18.0;
	double z = 0;

	if (var <= 0)
		return;
	if (st > 0)
		z = (st - 1) / sqrt(var);
	else if (st < 0)
		z = (st + 1) / sqrt(var);
	*p = 2.0 * gsl_cdf_ugaussian_Q(fabs(z));
}
