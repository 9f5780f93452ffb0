/*
 * ws_stats.h: per-series statistics and the ward roll-ups.
 *
 * This file contains the public interface of stats/: one pass over the
 * series index computes, for every series, the least-squares trend of actual
 * on year, the review-year target gap and achievement, the streak of missed
 * years, Theil-Sen and Mann-Kendall trend tests and a one-year forecast; then
 * the divisions, objectives and ward tables of FORMATS.md §2 are rolled up.
 *
 * Every result is a column (one array per field, one entry per row); NaN
 * means missing, -1 means missing for integer columns, and met/persistent/
 * agrees use -1 (missing), 0 (false), 1 (true). String fields are codes into
 * the ingest table's dictionary. All formulas are written out in stats.c.
 *
 * Usage:
 *   struct ws_stats st; struct ws_stats_opts o = { .near = 0.9, .streak = 3 };
 *   ws_stats_compute(&t, &ix, &o, &st, &err);  ...  ws_stats_fini(&st);
 */
#ifndef WS_STATS_H
#define WS_STATS_H

#include "../engine/ws_engine.h"

struct ws_stats_opts {
	double near;     /* band: achievement >= near and not met is "near"; 0 = 0.9 */
	int streak;      /* persistent when streak >= this; 0 = 3 */
	int review_year; /* 0 = newest year in the data, for `lag` */
	int threads;     /* threads for the series pass; 0 = one per core (at most 8) */
	int core;        /* 1 = only what the tables of FORMATS.md §2 show (--columns=core):
			    slope, intercept, r2 and the review columns. slope_p,
			    sen_slope, mk_s, mk_p, forecast_*, progress and
			    years_to_target are then NaN (-1 for forecast_year and lag),
			    band is NONE and every reason is "". slope_se is still set. */
};

enum ws_band { WS_BAND_NONE = 0, WS_BAND_MET, WS_BAND_NEAR, WS_BAND_MISSED };

/* One row per series, in index order (bytewise ward, division, indicator). */
struct ws_series_stats {
	size_t n;                 /* number of series */
	uint32_t *ward, *division, *objective, *indicator, *unit; /* dict codes */
	uint8_t *direction;       /* WS_DIR_HIGHER or WS_DIR_LOWER */
	int32_t *nobs;            /* years with an actual */
	int32_t *first_year;      /* first year with an actual, -1 = none */
	int32_t *last_year;       /* last year with an actual, -1 = none */
	double *slope;            /* OLS actual = intercept + slope*year (n >= 2) */
	double *intercept;
	double *r2;               /* n >= 3; 1 when every actual is equal */
	double *slope_se;         /* standard error of the slope (n >= 3) */
	double *slope_p;          /* two-sided p of t = slope/se, n-2 df */
	double *sen_slope;        /* Theil-Sen: median of pairwise slopes (n >= 2) */
	double *mk_s;             /* Mann-Kendall S (n >= 3) */
	double *mk_p;             /* its two-sided p: exact n <= 10, else normal */
	int32_t *forecast_year;   /* last_year + 1, -1 = none */
	double *forecast;         /* OLS value at forecast_year (n >= 2) */
	double *forecast_lo;      /* 95% prediction interval (n >= 3) */
	double *forecast_hi;
	int32_t *review_year;     /* latest year with target and actual, -1 = none */
	double *target, *actual;  /* at review_year */
	double *gap;              /* actual - target; negated for lower */
	double *achievement;      /* actual/target (higher), target/actual (lower) */
	double *progress;         /* (actual - baseline)/(target - baseline) */
	double *years_to_target;  /* at the OLS slope; 0 when met */
	int8_t *met;              /* -1 none, 0, 1 */
	int32_t *years_below;     /* years with both values not met */
	int32_t *streak;          /* missed years in a row ending at review, -1 = none */
	int8_t *persistent;       /* -1 none, 0, 1 */
	uint8_t *band;            /* enum ws_band */
	int32_t *lag;             /* newest data year - review_year, -1 = none */
	uint8_t *recorded;        /* enum ws_eval of the newest row that has one (the last
				     such row of that year), NONE when no row has one */
	int32_t *recorded_year;   /* that row's year (when recorded is not NONE) */
	size_t *reason;           /* offset of the reason text in `text` */
	char *text;               /* reasons, NUL-terminated each */
	size_t text_len, text_cap;
};

/* One row per (ward, division), bytewise order. */
struct ws_division_stats {
	size_t n;
	uint32_t *ward, *division;
	int32_t *indicators, *reviewed, *met, *persistent, *rank;
	double *met_share;        /* met/reviewed, NaN when none reviewed */
	double *mean_achievement; /* over series with an achievement */
	double *completeness;     /* reviewed/indicators */
};

/* One row per (ward, division, objective). */
struct ws_objective_stats {
	size_t n;
	uint32_t *ward, *division, *objective;
	int32_t *indicators, *reviewed, *met;
	uint8_t *status;   /* enum ws_eval computed from the numbers; NONE = none reviewed */
	uint8_t *recorded; /* enum ws_eval the input gave */
	int8_t *agrees;    /* -1 either empty, 0, 1 */
};

/* One row per ward. */
struct ws_ward_stats {
	size_t n;
	uint32_t *ward;
	int32_t *indicators, *reviewed, *met, *persistent;
	double *met_share;
	int32_t *objectives, *obj_met, *obj_partial, *obj_missed, *obj_unreviewed;
	int32_t *recorded, *agree, *disagree;
};

struct ws_stats {
	struct ws_series_stats series;
	struct ws_division_stats divisions;
	struct ws_objective_stats objectives;
	struct ws_ward_stats wards;
	int32_t newest_year;      /* newest year in the data */
};

/*
 * Computes every table. t and ix are borrowed (the ix of ws_ingest_files).
 * Returns WS_OK or WS_ENOMEM; st must be freed with ws_stats_fini either way.
 */
int ws_stats_compute(const struct ws_table *t, const struct ws_index *ix,
		     const struct ws_stats_opts *o, struct ws_stats *st, struct ws_err *err);
void ws_stats_fini(struct ws_stats *st);

/* Receives the series results block by block (ws_stats_compute_blocks). */
struct ws_stats_sink {
	/*
	 * Called on the thread that computed them with block number k: series
	 * [first, first + blk->n) of the index, first = k * block_series, at
	 * positions 0..blk->n-1 of blk (every column, and the reasons in
	 * blk->text; valid only during the call). Blocks come on several threads
	 * at once and not in order; each comes exactly once. The sink may wait
	 * inside the call (to keep the blocks it holds few), as long as the
	 * lowest block not yet handed over can still come. blk is NULL when
	 * block k could not be computed: the pass is stopping, and the sink must
	 * not wait for that block. A non-zero return stops the pass with that
	 * status.
	 */
	int (*block)(void *ctx, size_t k, const struct ws_series_stats *blk, size_t first);
	void *ctx;
	size_t block_series; /* series per block; 0 = 4096 */
};

/*
 * As ws_stats_compute, but the series results go to sink a block at a time
 * and are not kept: st->series holds only what the roll-ups read (ward,
 * division, objective, review_year, met, persistent, achievement, recorded,
 * recorded_year; every other column is NULL). Memory is one block per
 * thread instead of every series: about 230 bytes a series less. The threads
 * (the calling one among them) take the blocks in order from a shared
 * counter. Same results, bit for bit, as ws_stats_compute; free st with
 * ws_stats_fini.
 */
int ws_stats_compute_blocks(const struct ws_table *t, const struct ws_index *ix,
			    const struct ws_stats_opts *o, const struct ws_stats_sink *sink,
			    struct ws_stats *st, struct ws_err *err);

/* Name of a band ("met", "near", "missed", "" for none); static string. */
const char *ws_stats_band_name(int band);

/* ---- building blocks, exposed for the tests ----------------------------- */

/* Result of ws_stats_ols: NaN where undefined. */
struct ws_ols {
	double slope, intercept, r2, slope_se, slope_p;
	double sumsq;                 /* residual sum of squares */
	double cov00, cov01, cov11;   /* covariance of (intercept, slope) */
};

/* Least squares y = intercept + slope*x over n points (gsl_fit_linear). */
void ws_stats_ols(const double *x, const double *y, size_t n, struct ws_ols *r);
/* The same without the t-test: r->slope_p stays NaN (the t distribution's
 * tail is the dearest part, and the tables of FORMATS.md §2 do not show it). */
void ws_stats_ols_line(const double *x, const double *y, size_t n, struct ws_ols *r);

/* Median of pairwise slopes; work holds n*(n-1)/2 doubles. NaN when n < 2. */
double ws_stats_sen(const double *x, const double *y, size_t n, double *work);

/* Mann-Kendall over y in time order: *s = sum sign(y_j - y_i), i < j; *p its
 * two-sided p-value (exact for n <= 10, normal with tie and continuity
 * correction above). work holds n doubles. *p is NaN when n < 3. */
void ws_stats_mk(const double *y, size_t n, double *work, double *s, double *p);

#endif /* WS_STATS_H */
