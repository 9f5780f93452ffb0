/*
 * w_md.c: the annual review as Markdown, to paste into a document.
 *
 * This file contains the Markdown writer: the same parts as the text review
 * (ward summary, division ranking, verdicts that disagree, indicators below
 * target, strongest trends), each a pipe table. Text from the data is
 * escaped so that it stays text wherever the Markdown is rendered: | and \ and
 * the emphasis, code and link marks get a backslash, & < > become entities
 * (so `<script>` is shown, never run), and line breaks become spaces.
 */
#include <string.h>

#include "report_internal.h"

/* Writes s escaped for a table cell or a paragraph. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '|': case '\\': case '*': case '_': case '`': case '[': case ']': case '#':
			fputc('\\', f);
			fputc(c, f);
			break;
		default: fputc(c < 0x20 || c == 0x7F ? ' ' : c, f); break;
		}
	}
}

/* A header row and its alignment row; heads starting with '>' are right-aligned. */
static void head(FILE *f, const char *const *cols, size_t n)
{
	fputc('|', f);
	for (size_t c = 0; c < n; c++)
		fprintf(f, " %s |", cols[c] + (cols[c][0] == '>'));
	fputs("\n|", f);
	for (size_t c = 0; c < n; c++)
		fputs(cols[c][0] == '>' ? " ---: |" : " --- |", f);
	fputc('\n', f);
}

/* One cell: text escaped; end = 1 closes the row. */
static void cell(FILE *f, const char *s, int end)
{
	fputc(' ', f);
	esc(f, s);
	fputs(end ? " |\n" : " |", f);
}

static void row_start(FILE *f) { fputc('|', f); }

#define DSTR(rv, code) ws_dict_str(&(rv)->t->dict, (code))

/* A number with the series' unit ("8000人"), or "". */
static const char *with_unit(const struct ws_report_review *rv, size_t s, double v, int sign,
			     char *buf, size_t cap)
{
	char num[64];

	if (sign)
		ws_report_fmt_signed(v, num, sizeof(num));
	else
		ws_report_fmt_num(v, num, sizeof(num));
	snprintf(buf, cap, "%s%s", num, *num ? DSTR(rv, rv->st->series.unit[s]) : "");
	return ws_report_utf8_trim(buf);
}

static void header(FILE *f, const struct ws_report_review *rv)
{
	fputs("# ", f);
	esc(f, ws_report_title(rv));
	fputs("\n\n", f);
	if (rv->o->source) {
		fputs("Source: ", f);
		esc(f, rv->o->source);
		fputs("  \n", f);
	}
	if (rv->review_year >= 0)
		fprintf(f, "Review year %d: the latest year with a target and an actual.", rv->review_year);
	else
		fputs("No indicator has a year with both a target and an actual.", f);
	if (rv->o->division) {
		fputs("  \nDivision: ", f);
		esc(f, rv->o->division);
	}
	fputs("\n", f);
}

static void summary(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	static const char *const cols[] = {
		"ward", ">indicators", ">reviewed", ">met", ">met share", ">達成", ">一部未達成",
		">未達成", ">objectives not reviewed", ">verdicts agreeing", ">persistent"};
	const struct ws_ward_stats *w = &rv->st->wards;
	char buf[256];

	fputs("\n## Ward summary\n\n", f);
	head(f, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t i = 0; i < rv->nsummary; i++) {
		row_start(f);
		cell(f, DSTR(rv, w->ward[i]), 0);
		fprintf(f, " %d | %d | %d |", w->indicators[i], w->reviewed[i], w->met[i]);
		cell(f, ws_report_fmt_pct(w->met_share[i], buf, sizeof(buf)), 0);
		fprintf(f, " %d | %d | %d | %d | %d of %d | %d |\n", w->obj_met[i], w->obj_partial[i],
			w->obj_missed[i], w->obj_unreviewed[i], w->agree[i], w->recorded[i],
			w->persistent[i]);
	}
	if (*ws_report_more(rv->nsummary, rv->nsummary_all, WARDS_ALL, buf, sizeof(buf)))
		fprintf(f, "\n%s\n", buf);
}

static void ranking(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	static const char *const cols[] = {">rank", "division", ">met", ">reviewed", ">met share",
					   ">mean achievement", ">persistent"};
	const struct ws_division_stats *d = &rv->st->divisions;
	char buf[512];

	fputs("\n## Division ranking\n\nRanked by met share (indicators that met their target at "
	      "the review year), then by mean achievement (actual/target; target/actual when lower "
	      "is better).\n\n", f);
	head(f, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < rv->nrank; j++) {
		size_t i = rv->rank[j];

		row_start(f);
		if (d->rank[i] >= 0)
			fprintf(f, " %d |", d->rank[i]);
		else
			fputs("  |", f);
		cell(f, ws_report_div_label(rv, d->ward[i], d->division[i], buf, sizeof(buf)), 0);
		fprintf(f, " %d | %d |", d->met[i], d->reviewed[i]);
		cell(f, ws_report_fmt_pct(d->met_share[i], buf, sizeof(buf)), 0);
		cell(f, ws_report_fmt_pct(d->mean_achievement[i], buf, sizeof(buf)), 0);
		fprintf(f, " %d |\n", d->persistent[i]);
	}
	if (*ws_report_more(rv->nrank, rv->nrank_all, RANK_ALL, buf, sizeof(buf)))
		fprintf(f, "\n%s\n", buf);
}

/* The indicators of objective i, "missed: name (gap, achievement)" each. */
static void objective_indicators(FILE *f, const struct ws_report_review *rv, size_t i)
{
	const struct ws_objective_stats *ob = &rv->st->objectives;
	const struct ws_series_stats *s = &rv->st->series;
	size_t first, n = ws_report_division_series(rv, ob->ward[i], ob->division[i], &first);
	char gap[96], ach[32];
	int any = 0;

	fputc(' ', f);
	for (size_t k = first; k < first + n; k++) {
		if (s->objective[k] != ob->objective[i])
			continue;
		fputs(any ? "<br>" : "", f);
		any = 1;
		fputs(s->met[k] == 1 ? "met: " : s->met[k] == 0 ? "missed: " : "no data: ", f);
		esc(f, DSTR(rv, s->indicator[k]));
		if (s->met[k] >= 0) {
			with_unit(rv, k, s->gap[k], 1, gap, sizeof(gap));
			ws_report_fmt_pct(s->achievement[k], ach, sizeof(ach));
			fputs(" (gap ", f);
			esc(f, gap);
			if (*ach)
				fprintf(f, ", %s", ach);
			fputc(')', f);
		}
	}
	fputs(" |\n", f);
}

static void disagreements(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	static const char *const cols[] = {"division", "objective", "recorded", "computed",
					   ">met", ">reviewed", "indicators"};
	const struct ws_objective_stats *ob = &rv->st->objectives;
	char buf[512];

	fputs("\n## Recorded verdicts that disagree with the numbers\n\ncomputed: 達成 when every "
	      "reviewed indicator met its target, 未達成 when none did, else 一部未達成.\n\n", f);
	if (!rv->ndisagree) {
		fputs("Every recorded verdict agrees with the numbers.\n", f);
		return;
	}
	head(f, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < rv->ndisagree; j++) {
		size_t i = rv->disagree[j];

		row_start(f);
		cell(f, ws_report_div_label(rv, ob->ward[i], ob->division[i], buf, sizeof(buf)), 0);
		cell(f, DSTR(rv, ob->objective[i]), 0);
		cell(f, ws_eval_name(ob->recorded[i]), 0);
		cell(f, ws_eval_name(ob->status[i]), 0);
		fprintf(f, " %d | %d |", ob->met[i], ob->reviewed[i]);
		objective_indicators(f, rv, i);
	}
	if (*ws_report_more(rv->ndisagree, rv->ndisagree_all, DISAGREE_ALL, buf, sizeof(buf)))
		fprintf(f, "\n%s\n", buf);
}

static void below_table(FILE *f, const struct ws_report_review *rv, size_t from, size_t to)
{
	static const char *const cols[] = {"division", "objective", "indicator", ">target",
					   ">actual", ">gap", ">achievement", ">streak", "reason"};
	const struct ws_series_stats *s = &rv->st->series;
	char buf[512];

	if (from == to) {
		fputs("None.\n", f);
		return;
	}
	head(f, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = from; j < to; j++) {
		size_t i = rv->below[j];

		row_start(f);
		cell(f, ws_report_div_label(rv, s->ward[i], s->division[i], buf, sizeof(buf)), 0);
		cell(f, DSTR(rv, s->objective[i]), 0);
		cell(f, DSTR(rv, s->indicator[i]), 0);
		cell(f, with_unit(rv, i, s->target[i], 0, buf, sizeof(buf)), 0);
		cell(f, with_unit(rv, i, s->actual[i], 0, buf, sizeof(buf)), 0);
		cell(f, with_unit(rv, i, s->gap[i], 1, buf, sizeof(buf)), 0);
		cell(f, ws_report_fmt_pct(s->achievement[i], buf, sizeof(buf)), 0);
		fprintf(f, " %d |", s->streak[i]);
		cell(f, s->text + s->reason[i], 1);
	}
}

static void below(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	char buf[256];

	fprintf(f, "\n## Persistently below target (missed %d or more years in a row)\n\n",
		rv->o->streak > 0 ? rv->o->streak : 3);
	below_table(f, rv, 0, rv->npersistent);
	if (*ws_report_more(rv->npersistent, rv->npersistent_all, BELOW_ALL, buf, sizeof(buf)))
		fprintf(f, "\n%s\n", buf);
	fputs("\n## Missed at the review year\n\ngap = actual - target, negated when lower is "
	      "better. Worst achievement first.\n\n", f);
	below_table(f, rv, rv->npersistent, rv->nbelow);
	if (*ws_report_more(rv->nbelow - rv->npersistent, rv->nmissed_all, BELOW_ALL, buf,
			    sizeof(buf)))
		fprintf(f, "\n%s\n", buf);
}

/* n trends from trend[from], walking by step (+1 rising, -1 falling). */
static void trend_table(FILE *f, const struct ws_report_review *rv, size_t from, int step, size_t n)
{
	static const char *const cols[] = {">trend", ">MK p", ">slope", ">OLS p", ">sen slope",
					   ">n", "years", "division", "indicator", "better"};
	const struct ws_series_stats *s = &rv->st->series;
	char buf[512];

	if (!n) {
		fputs("None.\n", f);
		return;
	}
	head(f, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < n; j++) {
		size_t i = rv->trend[step > 0 ? from + j : from - j];

		row_start(f);
		cell(f, ws_report_fmt_rel(rv->rel[i], buf, sizeof(buf)), 0);
		cell(f, ws_report_fmt_p(s->mk_p[i], buf, sizeof(buf)), 0);
		cell(f, with_unit(rv, i, s->slope[i], 1, buf, sizeof(buf)), 0);
		cell(f, ws_report_fmt_p(s->slope_p[i], buf, sizeof(buf)), 0);
		cell(f, with_unit(rv, i, s->sen_slope[i], 1, buf, sizeof(buf)), 0);
		fprintf(f, " %d | %d-%d |", s->nobs[i], s->first_year[i], s->last_year[i]);
		cell(f, ws_report_div_label(rv, s->ward[i], s->division[i], buf, sizeof(buf)), 0);
		cell(f, DSTR(rv, s->indicator[i]), 0);
		cell(f, s->direction[i] == WS_DIR_LOWER ? "lower" : "higher", 1);
	}
}

static void trends(void *ctx, size_t top)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	size_t nr = rv->nrising < top ? rv->nrising : top, nf = rv->nfalling < top ? rv->nfalling : top;

	fputs("\n## Strongest trends\n\n", f);
	esc(f, WS_TREND_RULE);
	fputs(". Slopes are per year.\n\n### Rising\n\n", f);
	trend_table(f, rv, 0, 1, nr);
	fputs("\n### Falling\n\n", f);
	trend_table(f, rv, rv->ntrend ? rv->ntrend - 1 : 0, -1, nf);
}

/* The review's sections in this format, for ws_report_sections. */
static const struct ws_review_sections sections = {summary, ranking, disagreements, below, trends};

int ws_report_md(const struct ws_table *t, const struct ws_stats *st,
		 const struct ws_report_opts *o, FILE *f, struct ws_err *err)
{
	struct ws_report_review rv;
	int rc;

	if ((rc = ws_report_review_init(&rv, t, st, o, err)) != WS_OK)
		goto out_free_review;
	ws_report_review_cap(&rv);
	header(f, &rv);
	ws_report_sections(&sections, &(struct section_out){f, &rv}, o->view);
	if (ferror(f))
		rc = ws_err_set(err, WS_EIO, "writing the report failed");
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}
