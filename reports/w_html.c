/*
 * w_html.c: the annual review as one self-contained HTML page.
 *
 * This file contains the HTML writer: inline CSS, inline SVG charts (the
 * division ranking as horizontal bars of met share, the objectives by status
 * as one stacked bar, a sparkline per indicator with its review-year target
 * marked) and the tables of the text review. Nothing is fetched: no <link>,
 * no <script>, no web fonts or images, so the file opens the same offline,
 * attached to a mail or on a committee's laptop. Every text from the data is
 * escaped (& < > " ' become entities), in the tables and in the SVG alike.
 *
 * Sparkline: x is the fiscal year, y the actual, scaled to the series' own
 * range including its review-year target. The line joins the years that have
 * an actual; the dashed orange line is the target of the review year; the
 * review-year point is green when met and red when missed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

#define DSTR(rv, code) ws_dict_str(&(rv)->t->dict, (code))

/* Writes s with & < > " ' as entities and control characters as spaces. */
static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(c < 0x20 || c == 0x7F ? ' ' : c, f); break;
		}
	}
}

/* Writes s escaped, cut to w display columns with an ellipsis (chart labels). */
static void esc_cut(FILE *f, const char *s, int w)
{
	char buf[512];
	int used;
	size_t n;

	if (ws_report_dwidth(s) <= w) {
		esc(f, s);
		return;
	}
	n = ws_report_fit(s, w - 1, &used);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	esc(f, buf);
	fputs("\xE2\x80\xA6", f);
}

/* A number with the series' unit ("8000人"), or "–" when missing. */
static const char *with_unit(const struct ws_report_review *rv, size_t s, double v, int sign,
			     char *buf, size_t cap)
{
	char num[64];

	if (sign)
		ws_report_fmt_signed(v, num, sizeof(num));
	else
		ws_report_fmt_num(v, num, sizeof(num));
	snprintf(buf, cap, "%s%s", *num ? num : "\xE2\x80\x93",
		 *num ? DSTR(rv, rv->st->series.unit[s]) : "");
	return ws_report_utf8_trim(buf);
}

/* "–" for an empty formatted number. */
static const char *dash(const char *s) { return *s ? s : "\xE2\x80\x93"; }

/* A table cell: class "n" right-aligns numbers. */
static void td(FILE *f, const char *cls, const char *s)
{
	if (cls)
		fprintf(f, "<td class=\"%s\">", cls);
	else
		fputs("<td>", f);
	esc(f, s);
	fputs("</td>", f);
}

/* Opens a table (unless the caller did) with a header row: heads starting
 * with '>' are numeric (right-aligned). */
static void thead(FILE *f, const char *const *cols, size_t n, int opened)
{
	fputs(opened ? "\n<thead><tr>" : "<table>\n<thead><tr>", f);
	for (size_t c = 0; c < n; c++)
		fprintf(f, "<th%s>%s</th>", cols[c][0] == '>' ? " class=\"n\"" : "",
			cols[c] + (cols[c][0] == '>'));
	fputs("</tr></thead>\n<tbody>\n", f);
}

static const char css[] =
	":root{--ink:#1f2937;--muted:#5b6472;--line:#e3e6ea;--soft:#f4f5f7;--bar:#2f6fb2;"
	"--good:#1b7f3b;--bad:#b42318;--target:#d97706;--partial:#e0a100}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;color:var(--ink);background:#fff;line-height:1.55;font-size:14px;"
	"font-family:system-ui,\"Segoe UI\",\"Helvetica Neue\",Arial,\"Hiragino Sans\","
	"\"Hiragino Kaku Gothic ProN\",\"Noto Sans CJK JP\",\"Noto Sans JP\",\"Yu Gothic UI\","
	"\"Yu Gothic\",Meiryo,\"IPAPGothic\",\"IPAexGothic\",\"IPAGothic\",sans-serif}\n"
	"main{max-width:1180px;margin:0 auto;padding:28px 28px 56px}\n"
	"h1{font-size:26px;margin:0 0 6px;line-height:1.3}\n"
	"h2{font-size:19px;margin:40px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--ink)}\n"
	"h3{font-size:16px;margin:26px 0 6px}\n"
	".meta,.note{color:var(--muted);font-size:13px;margin:4px 0 10px}\n"
	".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}\n"
	".card{flex:1 1 150px;border:1px solid var(--line);border-radius:8px;padding:10px 16px;"
	"background:#fff}\n"
	".card .v{font-size:26px;font-weight:700;line-height:1.2}\n"
	".card .l{font-size:12px;color:var(--muted)}\n"
	"table{border-collapse:collapse;width:100%;margin:8px 0 4px;font-size:13px}\n"
	"table.fixed{table-layout:fixed}\n"
	"th,td{padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:middle;"
	"text-align:left}\n"
	"th{background:var(--soft);font-weight:600;white-space:nowrap}\n"
	"td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	"td.name{min-width:16em}\n"
	"td.spark{width:150px;padding:2px 8px}\n"
	"td.reason{color:var(--muted);font-size:12px;min-width:14em}\n"
	"td.div{white-space:nowrap}\n"
	".bad{color:var(--bad)}.good{color:var(--good)}\n"
	".badge{display:inline-block;padding:0 7px;border-radius:4px;font-size:12px;"
	"white-space:nowrap}\n"
	".b-met{background:#dcfce7;color:#14532d}.b-missed{background:#fee2e2;color:#7f1d1d}"
	".b-partial{background:#fef3c7;color:#78350f}.b-none{background:var(--soft);"
	"color:var(--muted)}\n"
	"ul.ind{margin:0;padding-left:0;list-style:none}\n"
	"ul.ind li{margin:2px 0}\n"
	"svg{display:block;max-width:100%;height:auto}\n"
	"svg text{font-family:inherit}\n"
	".legend{display:flex;flex-wrap:wrap;gap:16px;align-items:center;font-size:12px;"
	"color:var(--muted);margin:6px 0}\n"
	".legend span{display:inline-flex;align-items:center;gap:6px}\n"
	"footer{margin-top:44px;border-top:1px solid var(--line);padding-top:10px;"
	"color:var(--muted);font-size:12px}\n"
	"footer dt{font-weight:600;color:var(--ink);margin-top:6px}\n"
	"footer dd{margin:0 0 0 1.5em}\n"
	"@media print{main{padding:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}\n";

static void header(FILE *f, const struct ws_report_review *rv)
{
	const char *title = ws_report_title(rv);

	fputs("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"wardstat\">\n<title>", f);
	esc(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n<h1>", css);
	esc(f, title);
	fputs("</h1>\n<p class=\"meta\">", f);
	if (rv->o->source) {
		fputs("Source: ", f);
		esc(f, rv->o->source);
		fputs("<br>", f);
	}
	if (rv->review_year >= 0)
		fprintf(f, "Review year %d: the latest year with both a target and an actual.",
			rv->review_year);
	else
		fputs("No indicator has a year with both a target and an actual.", f);
	if (rv->o->division) {
		fputs("<br>Division: ", f);
		esc(f, rv->o->division);
	}
	fputs("</p>\n</header>\n", f);
}

/* ---- charts ------------------------------------------------------------- */

/* The objectives of ward i by status, as one stacked bar with a legend. */
static void objectives_bar(FILE *f, const struct ws_ward_stats *w, size_t i)
{
	const int part[4] = {w->obj_met[i], w->obj_partial[i], w->obj_missed[i],
			     w->obj_unreviewed[i]};
	static const char *const fill[4] = {"#1b7f3b", "#e0a100", "#b42318", "#c5cad1"};
	static const char *const what[4] = {"達成", "一部未達成", "未達成", "not reviewed"};
	double x = 0, total = w->objectives[i] > 0 ? w->objectives[i] : 1;

	fputs("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 600 26\" width=\"600\" height=\"26\" "
	      "aria-label=\"objectives by status\">", f);
	for (int k = 0; k < 4; k++) {
		double wd = 600.0 * part[k] / total;

		if (part[k] <= 0)
			continue;
		fprintf(f, "<rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"26\" fill=\"%s\">"
			   "<title>%s: %d</title></rect>", x, wd, fill[k], what[k], part[k]);
		if (wd >= 28)
			fprintf(f, "<text x=\"%.1f\" y=\"18\" font-size=\"13\" fill=\"#fff\" "
				   "text-anchor=\"middle\" font-weight=\"700\">%d</text>",
				x + wd / 2, part[k]);
		x += wd;
	}
	fputs("</svg>\n<div class=\"legend\">", f);
	for (int k = 0; k < 4; k++)
		fprintf(f, "<span><svg width=\"12\" height=\"12\"><rect width=\"12\" height=\"12\" "
			   "fill=\"%s\"/></svg>%s %d</span>", fill[k], what[k], part[k]);
	fputs("</div>\n", f);
}

/* The line after a capped list: how many more, and where every row is. */
static void more(FILE *f, size_t shown, size_t all, const char *what)
{
	char buf[256];

	if (*ws_report_more(shown, all, what, buf, sizeof(buf))) {
		fputs("<p class=\"note\">", f);
		esc(f, buf);
		fputs("</p>\n", f);
	}
}

/* The ranking as horizontal bars of met share, divisions in rank order. */
static void ranking_bars(FILE *f, const struct ws_report_review *rv)
{
	const struct ws_division_stats *d = &rv->st->divisions;
	const double left = 250, span = 460, row = 30, top = 26;
	double h = top + row * (double)rv->nrank + 8;
	char buf[512], pct[32];

	fprintf(f, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 860 %.0f\" width=\"860\" "
		   "height=\"%.0f\" aria-label=\"met share by division\">\n", h, h);
	for (int g = 0; g <= 4; g++) {
		double x = left + span * g / 4;

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\"/>"
			   "<text x=\"%.1f\" y=\"14\" font-size=\"11\" fill=\"#5b6472\" "
			   "text-anchor=\"middle\">%d%%</text>\n",
			x, top - 4, x, h - 4, g == 0 ? "#9aa1ab" : "#e3e6ea", x, g * 25);
	}
	for (size_t j = 0; j < rv->nrank; j++) {
		size_t i = rv->rank[j];
		double y = top + row * (double)j, share = isnan(d->met_share[i]) ? 0 : d->met_share[i];
		const char *label = ws_report_div_label(rv, d->ward[i], d->division[i], buf, sizeof(buf));

		fputs("<g><title>", f);
		esc(f, label);
		fprintf(f, ": %d of %d met</title>", d->met[i], d->reviewed[i]);
		fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"end\">",
			left - 10, y + 19);
		if (d->rank[i] >= 0)
			fprintf(f, "%d. ", d->rank[i]);
		esc_cut(f, label, 30);
		fprintf(f, "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"20\" rx=\"2\" "
			   "fill=\"#2f6fb2\"/>", left, y + 5, span * share);
		ws_report_fmt_pct(d->met_share[i], pct, sizeof(pct));
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s (%d/%d)</text></g>\n",
			left + span * share + 6, y + 19, *pct ? pct : "not reviewed", d->met[i],
			d->reviewed[i]);
	}
	fputs("</svg>\n", f);
}

/* Sparkline of series s: actuals over the years, the review-year target dashed. */
static void sparkline(FILE *f, const struct ws_report_review *rv, size_t s)
{
	const struct ws_table *t = rv->t;
	const struct ws_series_stats *ss = &rv->st->series;
	const double W = 140, H = 34, pad = 4;
	const uint32_t *r;
	size_t m = ws_report_series_rows(rv, s, &r), npts = 0;
	double lo = HUGE_VAL, hi = -HUGE_VAL, tgt = ss->target[s];
	int y0 = 0, y1 = 0;
	char num[64];

	for (size_t j = 0; j < m; j++) {
		double a = t->actual[r[j]];

		if (isnan(a))
			continue;
		if (!npts++)
			y0 = t->year[r[j]];
		y1 = t->year[r[j]];
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	if (!npts) {
		fputs("<span class=\"note\">no actuals</span>", f);
		return;
	}
	if (!isnan(tgt)) {
		lo = tgt < lo ? tgt : lo;
		hi = tgt > hi ? tgt : hi;
	}
	if (ss->review_year[s] > y1)
		y1 = ss->review_year[s];
	fprintf(f, "<svg class=\"spark\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
		   "height=\"%.0f\"><title>", W, H, W, H);
	for (size_t j = 0, k = 0; j < m; j++) {
		if (isnan(t->actual[r[j]]))
			continue;
		fprintf(f, "%s%d: %s", k++ ? ", " : "", t->year[r[j]],
			ws_report_fmt_num(t->actual[r[j]], num, sizeof(num)));
	}
	if (!isnan(tgt))
		fprintf(f, "; target %d: %s", ss->review_year[s],
			ws_report_fmt_num(tgt, num, sizeof(num)));
	fputs("</title>", f);
#define SX(year) (y1 > y0 ? pad + ((year) - y0) * (W - 2 * pad) / (y1 - y0) : W / 2)
#define SY(v) (hi > lo ? H - pad - ((v) - lo) * (H - 2 * pad) / (hi - lo) : H / 2)
	if (!isnan(tgt))
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d97706\" "
			   "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
			pad, SY(tgt), W - pad, SY(tgt));
	if (npts > 1) {
		fputs("<polyline fill=\"none\" stroke=\"#4b5563\" stroke-width=\"1.6\" points=\"", f);
		for (size_t j = 0, k = 0; j < m; j++)
			if (!isnan(t->actual[r[j]]))
				fprintf(f, "%s%.1f,%.1f", k++ ? " " : "", SX(t->year[r[j]]),
					SY(t->actual[r[j]]));
		fputs("\"/>", f);
	}
	for (size_t j = 0; j < m; j++) {
		double a = t->actual[r[j]];
		int review = t->year[r[j]] == ss->review_year[s];

		if (isnan(a))
			continue;
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"/>", SX(t->year[r[j]]),
			SY(a), review ? "3.2" : "2",
			!review ? "#4b5563" : ss->met[s] == 1 ? "#1b7f3b" : "#b42318");
	}
#undef SX
#undef SY
	fputs("</svg>", f);
}

/* The legend of the sparklines. */
static void spark_legend(FILE *f)
{
	fputs("<div class=\"legend\">"
	      "<span><svg width=\"30\" height=\"10\"><polyline points=\"1,8 10,4 20,6 29,2\" "
	      "fill=\"none\" stroke=\"#4b5563\" stroke-width=\"1.6\"/></svg>actual by fiscal year</span>"
	      "<span><svg width=\"30\" height=\"10\"><line x1=\"1\" y1=\"5\" x2=\"29\" y2=\"5\" "
	      "stroke=\"#d97706\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/></svg>"
	      "target of the review year</span>"
	      "<span><svg width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\" "
	      "fill=\"#1b7f3b\"/></svg>review year: met</span>"
	      "<span><svg width=\"10\" height=\"10\"><circle cx=\"5\" cy=\"5\" r=\"4\" "
	      "fill=\"#b42318\"/></svg>review year: missed</span></div>\n", f);
}

/* ---- sections ----------------------------------------------------------- */

static void card(FILE *f, const char *value, const char *label)
{
	fputs("<div class=\"card\"><div class=\"v\">", f);
	esc(f, value);
	fputs("</div><div class=\"l\">", f);
	esc(f, label);
	fputs("</div></div>", f);
}

static void summary(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	const struct ws_ward_stats *w = &rv->st->wards;
	char v[64], l[128];

	for (size_t i = 0; i < rv->nsummary; i++) {
		fputs("<section id=\"summary\">\n<h2>Ward summary: ", f);
		esc(f, DSTR(rv, w->ward[i]));
		fputs("</h2>\n<div class=\"cards\">", f);
		snprintf(v, sizeof(v), "%d", w->indicators[i]);
		snprintf(l, sizeof(l), "indicators, %d reviewed", w->reviewed[i]);
		card(f, v, l);
		snprintf(l, sizeof(l), "met at the review year (%d of %d)", w->met[i], w->reviewed[i]);
		card(f, dash(ws_report_fmt_pct(w->met_share[i], v, sizeof(v))), l);
		snprintf(v, sizeof(v), "%d", w->objectives[i]);
		card(f, v, "objectives");
		snprintf(v, sizeof(v), "%d/%d", w->agree[i], w->recorded[i]);
		card(f, v, "recorded verdicts that agree with the numbers");
		snprintf(v, sizeof(v), "%d", w->persistent[i]);
		snprintf(l, sizeof(l), "indicators missed %d+ years in a row",
			 rv->o->streak > 0 ? rv->o->streak : 3);
		card(f, v, l);
		fputs("</div>\n<h3>Objectives by status (computed from the indicators)</h3>\n", f);
		objectives_bar(f, w, i);
		fputs("</section>\n", f);
	}
	more(f, rv->nsummary, rv->nsummary_all, WARDS_ALL);
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

	fputs("<section id=\"ranking\">\n<h2>Division ranking</h2>\n<p class=\"note\">Ranked by met "
	      "share (indicators that met their target at the review year), then by mean "
	      "achievement (actual/target; target/actual when lower is better).</p>\n", f);
	if (!rv->nrank) {
		fputs("<p>No division.</p>\n</section>\n", f);
		return;
	}
	ranking_bars(f, rv);
	thead(f, cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (size_t j = 0; j < rv->nrank; j++) {
		size_t i = rv->rank[j];

		fputs("<tr>", f);
		if (d->rank[i] >= 0)
			snprintf(buf, sizeof(buf), "%d", d->rank[i]);
		else
			buf[0] = '\0';
		td(f, "n", buf);
		td(f, "div", ws_report_div_label(rv, d->ward[i], d->division[i], buf, sizeof(buf)));
		fprintf(f, "<td class=\"n\">%d</td><td class=\"n\">%d</td>", d->met[i], d->reviewed[i]);
		td(f, "n", dash(ws_report_fmt_pct(d->met_share[i], buf, sizeof(buf))));
		td(f, "n", dash(ws_report_fmt_pct(d->mean_achievement[i], buf, sizeof(buf))));
		fprintf(f, "<td class=\"n%s\">%d</td></tr>\n", d->persistent[i] > 0 ? " bad" : "",
			d->persistent[i]);
	}
	fputs("</tbody></table>\n", f);
	more(f, rv->nrank, rv->nrank_all, RANK_ALL);
	fputs("</section>\n", f);
}

/* A status badge: met, missed, no data. */
static void badge(FILE *f, int met)
{
	fputs(met == 1 ? "<span class=\"badge b-met\">met</span>"
	      : met == 0 ? "<span class=\"badge b-missed\">missed</span>"
			 : "<span class=\"badge b-none\">no data</span>", f);
}

static void verdict_badge(FILE *f, int eval)
{
	static const char *const cls[] = {"b-none", "b-met", "b-partial", "b-missed"};

	fprintf(f, "<span class=\"badge %s\">%s</span>", cls[eval & 3],
		eval ? ws_eval_name(eval) : "none");
}

static void disagreements(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	static const char *const cols[] = {"division", "objective", "recorded", "computed", ">met",
					   "indicators of the objective"};
	const struct ws_objective_stats *ob = &rv->st->objectives;
	const struct ws_series_stats *s = &rv->st->series;
	char buf[512], ach[32];

	fputs("<section id=\"verdicts\">\n<h2>Recorded verdicts that disagree with the numbers</h2>\n"
	      "<p class=\"note\">computed: 達成 when every reviewed indicator met its target, "
	      "未達成 when none did, else 一部未達成.</p>\n", f);
	if (!rv->ndisagree) {
		fputs("<p>Every recorded verdict agrees with the numbers.</p>\n</section>\n", f);
		return;
	}
	thead(f, cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (size_t j = 0; j < rv->ndisagree; j++) {
		size_t i = rv->disagree[j], first, n;

		fputs("<tr>", f);
		td(f, "div", ws_report_div_label(rv, ob->ward[i], ob->division[i], buf, sizeof(buf)));
		td(f, NULL, DSTR(rv, ob->objective[i]));
		fputs("<td>", f);
		verdict_badge(f, ob->recorded[i]);
		fputs("</td><td>", f);
		verdict_badge(f, ob->status[i]);
		fprintf(f, "</td><td class=\"n\">%d/%d</td><td><ul class=\"ind\">", ob->met[i],
			ob->reviewed[i]);
		n = ws_report_division_series(rv, ob->ward[i], ob->division[i], &first);
		for (size_t k = first; k < first + n; k++) {
			if (s->objective[k] != ob->objective[i])
				continue;
			fputs("<li>", f);
			badge(f, s->met[k]);
			fputc(' ', f);
			esc(f, DSTR(rv, s->indicator[k]));
			if (s->met[k] >= 0) {
				fputs(" <span class=\"note\">(gap ", f);
				esc(f, with_unit(rv, k, s->gap[k], 1, buf, sizeof(buf)));
				ws_report_fmt_pct(s->achievement[k], ach, sizeof(ach));
				if (*ach)
					fprintf(f, ", %s", ach);
				fputs(")</span>", f);
			}
			fputs("</li>", f);
		}
		fputs("</ul></td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	more(f, rv->ndisagree, rv->ndisagree_all, DISAGREE_ALL);
	fputs("</section>\n", f);
}

static void below_table(FILE *f, const struct ws_report_review *rv, size_t from, size_t to)
{
	static const char *const cols[] = {"division", "objective", "indicator", "history",
					   ">target", ">actual", ">gap", ">achievement", ">streak",
					   "reason"};
	const struct ws_series_stats *s = &rv->st->series;
	char buf[512];

	if (from == to) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	thead(f, cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (size_t j = from; j < to; j++) {
		size_t i = rv->below[j];

		fputs("<tr>", f);
		td(f, "div", ws_report_div_label(rv, s->ward[i], s->division[i], buf, sizeof(buf)));
		td(f, NULL, DSTR(rv, s->objective[i]));
		td(f, "name", DSTR(rv, s->indicator[i]));
		fputs("<td class=\"spark\">", f);
		sparkline(f, rv, i);
		fputs("</td>", f);
		td(f, "n", with_unit(rv, i, s->target[i], 0, buf, sizeof(buf)));
		td(f, "n", with_unit(rv, i, s->actual[i], 0, buf, sizeof(buf)));
		td(f, "n bad", with_unit(rv, i, s->gap[i], 1, buf, sizeof(buf)));
		td(f, "n", dash(ws_report_fmt_pct(s->achievement[i], buf, sizeof(buf))));
		snprintf(buf, sizeof(buf), "%d", s->streak[i]);
		td(f, s->persistent[i] == 1 ? "n bad" : "n", buf);
		td(f, "reason", s->text + s->reason[i]);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void below(void *ctx)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	fprintf(f, "<section id=\"below\">\n<h2>Indicators below target</h2>\n<p class=\"note\">gap = "
		   "actual − target, negated when lower is better; achievement = actual/target "
		   "(target/actual when lower is better); streak = years missed in a row.</p>\n");
	spark_legend(f);
	fprintf(f, "<h3>Persistently below target (missed %d or more years in a row)</h3>\n",
		rv->o->streak > 0 ? rv->o->streak : 3);
	below_table(f, rv, 0, rv->npersistent);
	more(f, rv->npersistent, rv->npersistent_all, BELOW_ALL);
	fputs("<h3>Missed at the review year</h3>\n", f);
	below_table(f, rv, rv->npersistent, rv->nbelow);
	more(f, rv->nbelow - rv->npersistent, rv->nmissed_all, BELOW_ALL);
	fputs("</section>\n", f);
}

static void trend_table(FILE *f, const struct ws_report_review *rv, size_t from, int step, size_t n)
{
	static const char *const cols[] = {">trend", ">MK p", ">slope", ">OLS p", ">sen slope",
					   ">n", "division", "indicator", "history"};
	const struct ws_series_stats *s = &rv->st->series;
	char buf[512];

	if (!n) {
		fputs("<p>None.</p>\n", f);
		return;
	}
	thead(f, cols, sizeof(cols) / sizeof(cols[0]), 0);
	for (size_t j = 0; j < n; j++) {
		size_t i = rv->trend[step > 0 ? from + j : from - j];
		int good = (rv->rel[i] > 0) == (s->direction[i] != WS_DIR_LOWER);

		fputs("<tr>", f);
		td(f, good ? "n good" : "n bad", ws_report_fmt_rel(rv->rel[i], buf, sizeof(buf)));
		td(f, "n", dash(ws_report_fmt_p(s->mk_p[i], buf, sizeof(buf))));
		td(f, "n", with_unit(rv, i, s->slope[i], 1, buf, sizeof(buf)));
		td(f, "n", dash(ws_report_fmt_p(s->slope_p[i], buf, sizeof(buf))));
		td(f, "n", with_unit(rv, i, s->sen_slope[i], 1, buf, sizeof(buf)));
		fprintf(f, "<td class=\"n\">%d</td>", s->nobs[i]);
		td(f, "div", ws_report_div_label(rv, s->ward[i], s->division[i], buf, sizeof(buf)));
		fputs("<td class=\"name\">", f);
		esc(f, DSTR(rv, s->indicator[i]));
		if (s->direction[i] == WS_DIR_LOWER)
			fputs(" <span class=\"note\">(lower is better)</span>", f);
		fputs("</td><td class=\"spark\">", f);
		sparkline(f, rv, i);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static void trends(void *ctx, size_t top)
{
	const struct section_out *so = ctx;
	FILE *f = so->f;
	const struct ws_report_review *rv = so->rv;
	size_t nr = rv->nrising < top ? rv->nrising : top, nf = rv->nfalling < top ? rv->nfalling : top;

	fputs("<section id=\"trends\">\n<h2>Strongest trends</h2>\n<p class=\"note\">", f);
	esc(f, WS_TREND_RULE);
	fputs(". Slopes are per year. Green: the trend runs the way the target wants; red: "
	      "against it.</p>\n", f);
	spark_legend(f);
	fputs("<h3>Rising</h3>\n", f);
	trend_table(f, rv, 0, 1, nr);
	fputs("<h3>Falling</h3>\n", f);
	trend_table(f, rv, rv->ntrend ? rv->ntrend - 1 : 0, -1, nf);
	fputs("</section>\n", f);
}

/* Objective labels in natural order ("2" before "10"), then table order. */
struct by_objective {
	const char *objective;
	size_t row;
};

static int objective_cmp(const void *a, const void *b)
{
	const struct by_objective *x = a, *y = b;
	char *ex, *ey;
	long nx = strtol(x->objective, &ex, 10), ny = strtol(y->objective, &ey, 10);
	int c;

	if (*x->objective && *y->objective && !*ex && !*ey && nx != ny)
		c = nx < ny ? -1 : 1;
	else
		c = strcmp(x->objective, y->objective);
	return c ? c : x->row < y->row ? -1 : x->row > y->row;
}

/* One division's indicators, by objective, in a fixed-layout table. */
static int division_indicators(FILE *f, const struct ws_report_review *rv, size_t i)
{
	static const char *const cols[] = {"objective", "indicator", "history", ">years",
					   ">target", ">actual", ">achievement", "status"};
	const struct ws_division_stats *d = &rv->st->divisions;
	const struct ws_series_stats *s = &rv->st->series;
	struct by_objective *order;
	size_t first, n = ws_report_division_series(rv, d->ward[i], d->division[i], &first);
	char buf[512];

	if (!(order = malloc((n ? n : 1) * sizeof(*order))))
		return WS_ENOMEM;
	for (size_t k = 0; k < n; k++)
		order[k] = (struct by_objective){DSTR(rv, s->objective[first + k]), first + k};
	qsort(order, n, sizeof(*order), objective_cmp);
	fputs("<h3>", f);
	esc(f, ws_report_div_label(rv, d->ward[i], d->division[i], buf, sizeof(buf)));
	fprintf(f, " <span class=\"note\">%d of %d met</span></h3>\n", d->met[i], d->reviewed[i]);
	fputs("<table class=\"fixed\"><colgroup><col style=\"width:6em\"><col>"
	      "<col style=\"width:160px\"><col style=\"width:7em\"><col style=\"width:7em\">"
	      "<col style=\"width:7em\"><col style=\"width:8.5em\"><col style=\"width:6.5em\">"
	      "</colgroup>", f);
	thead(f, cols, sizeof(cols) / sizeof(cols[0]), 1);
	for (size_t j = 0; j < n; j++) {
		size_t k = order[j].row;

		fputs("<tr>", f);
		td(f, NULL, DSTR(rv, s->objective[k]));
		td(f, "name", DSTR(rv, s->indicator[k]));
		fputs("<td class=\"spark\">", f);
		sparkline(f, rv, k);
		fputs("</td>", f);
		if (s->first_year[k] >= 0 && s->first_year[k] != s->last_year[k])
			snprintf(buf, sizeof(buf), "%d–%d", s->first_year[k], s->last_year[k]);
		else if (s->first_year[k] >= 0)
			snprintf(buf, sizeof(buf), "%d", s->first_year[k]);
		else
			buf[0] = '\0';
		td(f, "n", buf);
		td(f, "n", with_unit(rv, k, s->target[k], 0, buf, sizeof(buf)));
		td(f, "n", with_unit(rv, k, s->actual[k], 0, buf, sizeof(buf)));
		td(f, "n", dash(ws_report_fmt_pct(s->achievement[k], buf, sizeof(buf))));
		fputs("<td>", f);
		badge(f, s->met[k]);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
	free(order);
	return WS_OK;
}

/* Every indicator, by division in ranking order, each with its sparkline. */
static int indicators(FILE *f, const struct ws_report_review *rv)
{
	fputs("<section id=\"indicators\">\n<h2>All indicators</h2>\n<p class=\"note\">Target, "
	      "actual and achievement at each indicator's review year; years: the first and last "
	      "year with an actual.</p>\n", f);
	spark_legend(f);
	for (size_t j = 0, shown = 0; j < rv->nrank; j++) {
		const struct ws_division_stats *d = &rv->st->divisions;
		size_t i = rv->rank[j];

		if (shown + (size_t)d->indicators[i] > WS_INDICATORS_HTML && shown) {
			more(f, shown, rv->nrows[WS_TAB_SERIES], SERIES_ALL);
			break;
		}
		if (division_indicators(f, rv, i) != WS_OK)
			return WS_ENOMEM;
		shown += (size_t)d->indicators[i];
	}
	fputs("</section>\n", f);
	return WS_OK;
}

static void footer(FILE *f, const struct ws_report_review *rv)
{
	fprintf(f, "<footer>\n<dl>\n"
		   "<dt>met</dt><dd>the actual reached the target at the review year (at or below "
		   "it when lower is better)</dd>\n"
		   "<dt>achievement</dt><dd>actual/target, or target/actual when lower is better; "
		   "only for targets and actuals &#8805; 0</dd>\n"
		   "<dt>persistent</dt><dd>missed %d or more years in a row, ending at the review "
		   "year</dd>\n<dt>trend</dt><dd>",
		rv->o->streak > 0 ? rv->o->streak : 3);
	esc(f, WS_TREND_RULE);
	fputs("</dd>\n</dl>\n<p>Made by wardstat from the sheets named above; every figure can be "
	      "traced to the tables of <code>wardstat report -f csv</code>.</p>\n</footer>\n", f);
}

/* The review's sections in this format, for ws_report_sections. */
static const struct ws_review_sections sections = {summary, ranking, disagreements, below, trends};

int ws_report_html(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err)
{
	struct ws_report_review rv;
	int rc;

	if ((rc = ws_report_review_init(&rv, t, st, o, err)) != WS_OK)
		goto out_free_review;
	ws_report_review_cap(&rv);
	header(f, &rv);
	ws_report_sections(&sections, &(struct section_out){f, &rv}, o->view);
	if (o->view == WS_VIEW_REVIEW && indicators(f, &rv) != WS_OK)
		rc = ws_err_set(err, WS_ENOMEM, "out of memory");
	footer(f, &rv);
	fputs("</main>\n</body>\n</html>\n", f);
	if (rc == WS_OK && ferror(f))
		rc = ws_err_set(err, WS_EIO, "writing the report failed");
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}
