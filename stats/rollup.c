/*
 * rollup.c: the divisions, objectives and ward tables (FORMATS.md §2).
 *
 * Series come in bytewise (ward, division, indicator) order, so the series of
 * one division are contiguous: each table is one pass over runs.
 *   divisions: reviewed = series with a review_year; met of those;
 *     met_share = met/reviewed; mean_achievement over series with one;
 *     completeness = reviewed/indicators; rank: dense rank within the ward by
 *     met_share desc, then mean_achievement desc (missing values last).
 *   objectives: status 達成 when every reviewed indicator was met, 未達成 when
 *     none was, else 一部未達成, empty when none was reviewed; recorded is the
 *     verdict the input gave on the newest row that has one (each series'
 *     newest comes from the series pass; on equal years the later series in
 *     objective order wins, as the later row does within a series).
 *   ward: the sums, objectives by status, recorded verdicts that agree.
 */
#include "stats_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ALLOC(p, n) ((p) = calloc((n) ? (n) : 1, sizeof(*(p))), (p) != NULL)

void ws_stats_rollup_free(struct ws_stats *st)
{
	struct ws_division_stats *d = &st->divisions;
	struct ws_objective_stats *o = &st->objectives;
	struct ws_ward_stats *w = &st->wards;
	void *cols[] = {d->ward, d->division, d->indicators, d->reviewed, d->met, d->persistent,
			d->rank, d->met_share, d->mean_achievement, d->completeness,
			o->ward, o->division, o->objective, o->indicators, o->reviewed, o->met,
			o->status, o->recorded, o->agrees,
			w->ward, w->indicators, w->reviewed, w->met, w->persistent, w->met_share,
			w->objectives, w->obj_met, w->obj_partial, w->obj_missed,
			w->obj_unreviewed, w->recorded, w->agree, w->disagree};

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		free(cols[i]);
	memset(d, 0, sizeof(*d));
	memset(o, 0, sizeof(*o));
	memset(w, 0, sizeof(*w));
}

/* Orders NaN after every number; 1 when a ranks before b (descending). */
static int before_desc(double a, double b)
{
	if (isnan(a))
		return 0;
	if (isnan(b))
		return 1;
	return a > b;
}

static int same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Context of the sorts below (qsort has none in C11). */
static const struct ws_division_stats *rank_d;
static const struct ws_table *obj_t;

static int cmp_rank(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct ws_division_stats *d = rank_d;

	if (before_desc(d->met_share[a], d->met_share[b]))
		return -1;
	if (before_desc(d->met_share[b], d->met_share[a]))
		return 1;
	if (before_desc(d->mean_achievement[a], d->mean_achievement[b]))
		return -1;
	if (before_desc(d->mean_achievement[b], d->mean_achievement[a]))
		return 1;
	return a < b ? -1 : a > b;
}

/* The objective labels read as numbers, once per dictionary code: label_num[c]
 * is the value when the whole label is a number, label_is[c] 1 then, 0 when
 * not, 2 while not yet read. */
static double *label_num;
static uint8_t *label_is;

static void label_read(const struct ws_dict *d, uint32_t c)
{
	const char *x = ws_dict_str(d, c);
	char *ex;

	label_num[c] = strtod(x, &ex);
	label_is[c] = *x && !*ex;
}

/* Objective labels: numbers in numeric order ("2" before "10"), else bytewise. */
static int cmp_label(uint32_t x, uint32_t y)
{
	if (label_is[x] && label_is[y] && label_num[x] != label_num[y])
		return label_num[x] < label_num[y] ? -1 : 1;
	return strcmp(ws_dict_str(&obj_t->dict, x), ws_dict_str(&obj_t->dict, y));
}

static int cmp_code(const void *pa, const void *pb)
{
	return cmp_label(*(const uint32_t *)pa, *(const uint32_t *)pb);
}

/* Dense rank of divisions d[b..e) of one ward. */
static void rank_ward(struct ws_division_stats *d, size_t b, size_t e, size_t *order)
{
	int32_t r = 0;

	for (size_t k = b; k < e; k++)
		order[k - b] = k;
	rank_d = d;
	qsort(order, e - b, sizeof(*order), cmp_rank);
	for (size_t k = 0; k < e - b; k++) {
		size_t i = order[k];

		if (k == 0 || !same_num(d->met_share[i], d->met_share[order[k - 1]]) ||
		    !same_num(d->mean_achievement[i], d->mean_achievement[order[k - 1]]))
			r++;
		d->rank[i] = r;
	}
}

/*
 * The series of each division in objective order: for every division run
 * [b, e) of the series, order[b..e) holds its series sorted by objective
 * label (cmp_label), then by series number. In O(n) rather than a sort per
 * division: the distinct labels, few, are sorted once and ranked; the series
 * are counted out by rank (stable, so by series number within a rank), then
 * dealt back, in that order, to the runs of their divisions.
 */
static int objective_order(const struct ws_table *t, const struct ws_series_stats *s,
			   size_t *order)
{
	size_t n = s->n, nd = t->dict.n ? t->dict.n : 1, nc = 0, nrun = 0;
	uint32_t *rank = malloc(nd * sizeof(*rank)), *codes = malloc(nd * sizeof(*codes));
	uint32_t *run = malloc((n ? n : 1) * sizeof(*run));
	size_t *byrank = malloc((n ? n : 1) * sizeof(*byrank));
	size_t *cnt = NULL, *next = NULL;
	int rc = WS_ENOMEM;

	if (!rank || !codes || !run || !byrank)
		goto out;
	memset(rank, 0xFF, nd * sizeof(*rank)); /* UINT32_MAX: not an objective */
	for (size_t i = 0; i < n; i++) {
		uint32_t c = s->objective[i];

		if (rank[c] == UINT32_MAX) {
			rank[c] = 0;
			codes[nc++] = c;
		}
		if (i == 0 || s->ward[i] != s->ward[i - 1] || s->division[i] != s->division[i - 1])
			nrun++;
		run[i] = (uint32_t)(nrun - 1);
	}
	qsort(codes, nc, sizeof(*codes), cmp_code);
	for (size_t r = 0; r < nc; r++)
		rank[codes[r]] = (uint32_t)r;
	if (!(cnt = calloc(nc + 1, sizeof(*cnt))) || !(next = malloc((nrun ? nrun : 1) * sizeof(*next))))
		goto out;
	for (size_t i = 0; i < n; i++)
		cnt[rank[s->objective[i]] + 1]++;
	for (size_t r = 0; r < nc; r++)
		cnt[r + 1] += cnt[r];
	for (size_t i = 0; i < n; i++)
		byrank[cnt[rank[s->objective[i]]]++] = i;
	for (size_t i = 0; i < n; i++) /* a run starts at its first series */
		if (i == 0 || run[i] != run[i - 1])
			next[run[i]] = i;
	for (size_t k = 0; k < n; k++)
		order[next[run[byrank[k]]]++] = byrank[k];
	rc = WS_OK;
out:
	free(rank);
	free(codes);
	free(run);
	free(byrank);
	free(cnt);
	free(next);
	return rc;
}

static int divisions(struct ws_stats *st, size_t *order)
{
	const struct ws_series_stats *s = &st->series;
	struct ws_division_stats *d = &st->divisions;
	size_t nd = 0;

	for (size_t i = 0; i < s->n; i++)
		if (i == 0 || s->ward[i] != s->ward[i - 1] || s->division[i] != s->division[i - 1])
			nd++;
	d->n = nd;
	if (!(ALLOC(d->ward, nd) && ALLOC(d->division, nd) && ALLOC(d->indicators, nd) &&
	      ALLOC(d->reviewed, nd) && ALLOC(d->met, nd) && ALLOC(d->persistent, nd) &&
	      ALLOC(d->rank, nd) && ALLOC(d->met_share, nd) && ALLOC(d->mean_achievement, nd) &&
	      ALLOC(d->completeness, nd)))
		return WS_ENOMEM;
	for (size_t i = 0, k = (size_t)-1; i < s->n; i++) {
		if (i == 0 || s->ward[i] != s->ward[i - 1] || s->division[i] != s->division[i - 1]) {
			k++;
			d->ward[k] = s->ward[i];
			d->division[k] = s->division[i];
			d->mean_achievement[k] = 0;
		}
		d->indicators[k]++;
		if (s->review_year[i] >= 0) {
			d->reviewed[k]++;
			d->met[k] += s->met[i] == 1;
			d->persistent[k] += s->persistent[i] == 1;
		}
		if (!isnan(s->achievement[i])) { /* running mean, as GSL updates means */
			d->completeness[k]++; /* counts achievements for now */
			d->mean_achievement[k] +=
				(s->achievement[i] - d->mean_achievement[k]) / d->completeness[k];
		}
	}
	for (size_t k = 0; k < nd; k++) {
		if (d->completeness[k] == 0)
			d->mean_achievement[k] = NAN;
		d->met_share[k] = d->reviewed[k] ? (double)d->met[k] / d->reviewed[k] : NAN;
		d->completeness[k] = (double)d->reviewed[k] / d->indicators[k];
	}
	for (size_t b = 0; b < nd;) {
		size_t e = b + 1;

		while (e < nd && d->ward[e] == d->ward[b])
			e++;
		rank_ward(d, b, e, order);
		b = e;
	}
	return WS_OK;
}

static int objectives(const struct ws_table *t, struct ws_stats *st, size_t *order,
		      int32_t *ryear)
{
	const struct ws_series_stats *s = &st->series;
	struct ws_objective_stats *o = &st->objectives;

	/* at most one objective per series */
	if (!(ALLOC(o->ward, s->n) && ALLOC(o->division, s->n) && ALLOC(o->objective, s->n) &&
	      ALLOC(o->indicators, s->n) && ALLOC(o->reviewed, s->n) && ALLOC(o->met, s->n) &&
	      ALLOC(o->status, s->n) && ALLOC(o->recorded, s->n) && ALLOC(o->agrees, s->n)))
		return WS_ENOMEM;
	obj_t = t;
	label_num = malloc((t->dict.n ? t->dict.n : 1) * sizeof(*label_num));
	label_is = malloc(t->dict.n ? t->dict.n : 1);
	if (!label_num || !label_is) {
		free(label_num);
		free(label_is);
		return WS_ENOMEM;
	}
	memset(label_is, 2, t->dict.n);
	for (size_t i = 0; i < s->n; i++)
		if (label_is[s->objective[i]] == 2)
			label_read(&t->dict, s->objective[i]);
	if (objective_order(t, s, order) != WS_OK) {
		free(label_num);
		free(label_is);
		return WS_ENOMEM;
	}
	for (size_t b = 0; b < s->n;) {
		size_t e = b + 1;

		while (e < s->n && s->ward[e] == s->ward[b] && s->division[e] == s->division[b])
			e++;
		for (size_t k = b; k < e; k++) {
			size_t i = order[k], j = o->n;

			if (k == b || s->objective[i] != s->objective[order[k - 1]]) {
				j = o->n++;
				o->ward[j] = s->ward[i];
				o->division[j] = s->division[i];
				o->objective[j] = s->objective[i];
				ryear[j] = INT32_MIN;
			} else {
				j = o->n - 1;
			}
			o->indicators[j]++;
			if (s->review_year[i] >= 0) {
				o->reviewed[j]++;
				o->met[j] += s->met[i] == 1;
			}
			if (s->recorded[i] != WS_EVAL_NONE && s->recorded_year[i] >= ryear[j]) {
				o->recorded[j] = s->recorded[i];
				ryear[j] = s->recorded_year[i];
			}
		}
		b = e;
	}
	for (size_t j = 0; j < o->n; j++) {
		if (o->reviewed[j] == 0)
			o->status[j] = WS_EVAL_NONE;
		else if (o->met[j] == o->reviewed[j])
			o->status[j] = WS_EVAL_MET;
		else if (o->met[j] == 0)
			o->status[j] = WS_EVAL_MISSED;
		else
			o->status[j] = WS_EVAL_PARTIAL;
		o->agrees[j] = (o->status[j] == WS_EVAL_NONE || o->recorded[j] == WS_EVAL_NONE)
				       ? -1
				       : o->status[j] == o->recorded[j];
	}
	free(label_num);
	free(label_is);
	label_num = NULL;
	label_is = NULL;
	return WS_OK;
}

static int wards(struct ws_stats *st)
{
	const struct ws_division_stats *d = &st->divisions;
	const struct ws_objective_stats *o = &st->objectives;
	struct ws_ward_stats *w = &st->wards;
	size_t nw = 0;

	for (size_t k = 0; k < d->n; k++)
		if (k == 0 || d->ward[k] != d->ward[k - 1])
			nw++;
	if (!(ALLOC(w->ward, nw) && ALLOC(w->indicators, nw) && ALLOC(w->reviewed, nw) &&
	      ALLOC(w->met, nw) && ALLOC(w->persistent, nw) && ALLOC(w->met_share, nw) &&
	      ALLOC(w->objectives, nw) && ALLOC(w->obj_met, nw) && ALLOC(w->obj_partial, nw) &&
	      ALLOC(w->obj_missed, nw) && ALLOC(w->obj_unreviewed, nw) && ALLOC(w->recorded, nw) &&
	      ALLOC(w->agree, nw) && ALLOC(w->disagree, nw)))
		return WS_ENOMEM;
	w->n = nw;
	for (size_t k = 0, i = (size_t)-1; k < d->n; k++) {
		if (k == 0 || d->ward[k] != d->ward[k - 1])
			w->ward[++i] = d->ward[k];
		w->indicators[i] += d->indicators[k];
		w->reviewed[i] += d->reviewed[k];
		w->met[i] += d->met[k];
		w->persistent[i] += d->persistent[k];
	}
	for (size_t j = 0, i = 0; j < o->n; j++) {
		while (w->ward[i] != o->ward[j])
			i++;
		w->objectives[i]++;
		w->obj_met[i] += o->status[j] == WS_EVAL_MET;
		w->obj_partial[i] += o->status[j] == WS_EVAL_PARTIAL;
		w->obj_missed[i] += o->status[j] == WS_EVAL_MISSED;
		w->obj_unreviewed[i] += o->status[j] == WS_EVAL_NONE;
		w->recorded[i] += o->recorded[j] != WS_EVAL_NONE;
		w->agree[i] += o->agrees[j] == 1;
		w->disagree[i] += o->agrees[j] == 0;
	}
	for (size_t i = 0; i < nw; i++)
		w->met_share[i] = w->reviewed[i] ? (double)w->met[i] / w->reviewed[i] : NAN;
	return WS_OK;
}

/* The divisions table on a thread of its own while the objectives are rolled up. */
struct div_job {
	struct ws_stats *st;
	size_t *order;
	int rc;
};

static void *divisions_thread(void *arg)
{
	struct div_job *j = arg;

	j->rc = divisions(j->st, j->order);
	return NULL;
}

int ws_stats_rollup(const struct ws_table *t, struct ws_stats *st, int threads)
{
	size_t n = st->series.n ? st->series.n : 1;
	size_t *order = malloc(n * sizeof(*order)), *dorder = malloc(n * sizeof(*dorder));
	int32_t *ryear = malloc(n * sizeof(*ryear));
	struct div_job dj = {st, dorder, WS_OK};
	pthread_t th;
	int rc = WS_ENOMEM;

	if (!order || !dorder || !ryear)
		goto out;
	/* the two tables read the series and write apart; the ward table needs both */
	if (threads > 1 && pthread_create(&th, NULL, divisions_thread, &dj) == 0) {
		rc = objectives(t, st, order, ryear);
		pthread_join(th, NULL);
	} else {
		dj.rc = divisions(st, dorder);
		rc = objectives(t, st, order, ryear);
	}
	if (rc == WS_OK)
		rc = dj.rc;
	if (rc == WS_OK)
		rc = wards(st);
out:
	free(order);
	free(dorder);
	free(ryear);
	return rc;
}
