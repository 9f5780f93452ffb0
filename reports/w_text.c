/*
 * w_text.c: the annual review for a terminal.
 *
 * This file contains the text writer: the ward summary, the division
 * ranking, the verdicts that disagree with the numbers, the indicators below
 * target and the strongest trends, laid out to o->width columns (default 80).
 * Japanese text is aligned by display width: a small wcwidth for UTF-8 gives
 * East Asian Wide and Fullwidth characters two columns and combining marks
 * none (no setlocale, so the result does not depend on the environment).
 * Cells too wide are cut with an ellipsis; columns too many for the width are
 * dropped, least needed first. Control characters in the data become spaces,
 * so a name cannot move the cursor or colour the terminal; ANSI colour is
 * written only when o->color is set.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

/*
 * A copy of s for the terminal: control characters (C0, DEL, C1) become
 * spaces, bytes that are not UTF-8 become U+FFFD. Caller frees; NULL = no memory.
 */
static char *clean(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(3 * n + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t len; *s; s += len) {
		uint32_t c = ws_report_utf8_next((const unsigned char *)s, &len);

		if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
			*p++ = ' ';
		else if (c == 0xFFFD && len == 1)
			memcpy(p, "\xEF\xBF\xBD", 3), p += 3;
		else
			memcpy(p, s, len), p += len;
	}
	*p = '\0';
	return out;
}

/* ---- output ------------------------------------------------------------- */

enum tone { T_NONE = 0, T_GOOD, T_BAD, T_DIM, T_BOLD };

struct ctx {
	FILE *f;
	int width;                       /* columns to fit */
	int color;                       /* ANSI colour allowed */
	const struct ws_report_review *rv;
	int oom;                         /* an allocation failed */
};

static void tone_on(struct ctx *x, int tone)
{
	static const char *const sgr[] = {"", "\033[32m", "\033[31m", "\033[2m", "\033[1m"};

	if (x->color && tone)
		fputs(sgr[tone], x->f);
}

static void tone_off(struct ctx *x, int tone)
{
	if (x->color && tone)
		fputs("\033[0m", x->f);
}

static void spaces(FILE *f, int n)
{
	for (; n > 0; n--)
		fputc(' ', f);
}

/*
 * Writes s (already clean) in w columns: cut with an ellipsis when wider,
 * padded to w when pad is set (on the left when right-aligned).
 */
static void put_cell(struct ctx *x, const char *s, int w, int right, int pad, int tone)
{
	int sw = ws_report_dwidth(s), used;
	size_t n;

	if (sw > w) {
		n = ws_report_fit(s, w - 1, &used);
		tone_on(x, tone);
		fwrite(s, 1, n, x->f);
		fputs("\xE2\x80\xA6", x->f); /* U+2026 HORIZONTAL ELLIPSIS, one column */
		tone_off(x, tone);
		if (pad)
			spaces(x->f, w - used - 1);
		return;
	}
	if (right && pad)
		spaces(x->f, w - sw);
	tone_on(x, tone);
	fputs(s, x->f);
	tone_off(x, tone);
	if (!right && pad)
		spaces(x->f, w - sw);
}

/* Writes raw text cleaned and cut to what is left of the line. */
static void put_line(struct ctx *x, const char *s, int indent, int tone)
{
	char *c = clean(s);

	if (!c) {
		x->oom = 1;
		return;
	}
	spaces(x->f, indent);
	put_cell(x, c, x->width - indent, 0, 0, tone);
	fputc('\n', x->f);
	free(c);
}

static void wrap_to(struct ctx *x, const char *s, int first, int indent, int tone, int width);

/*
 * Writes s word-wrapped to the width: the first line after `first` columns
 * already used, the next ones indented by `indent`. Text without spaces
 * (Japanese) is broken where the line is full.
 */
static void wrap(struct ctx *x, const char *s, int first, int indent, int tone)
{
	wrap_to(x, s, first, indent, tone, x->width);
}

/* wrap() for notes: lines of prose read best under 100 columns. */
static void note(struct ctx *x, const char *s)
{
	wrap_to(x, s, 0, 0, T_DIM, x->width < 100 ? x->width : 100);
}

static void wrap_to(struct ctx *x, const char *s, int first, int indent, int tone, int width)
{
	char *c = clean(s), *p, *save = NULL;
	int col = first, fresh = 1; /* fresh: no word on this line yet */

	if (!c) {
		x->oom = 1;
		return;
	}
	/* the colour is switched on once per line, so that each line stands alone */
	for (p = strtok_r(c, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		int ww = ws_report_dwidth(p), used;

		if (!fresh && col + 1 + ww > width) {
			tone_off(x, tone);
			fputc('\n', x->f);
			spaces(x->f, indent);
			col = indent;
			fresh = 1;
		}
		if (fresh)
			tone_on(x, tone);
		else
			fputc(' ', x->f), col++;
		while (col + ww > width) {
			size_t n = ws_report_fit(p, width - col, &used);

			if (n == 0 && col == indent)
				break; /* not even one character fits: let the line run over */
			fwrite(p, 1, n, x->f);
			tone_off(x, tone);
			fputc('\n', x->f);
			spaces(x->f, indent);
			tone_on(x, tone);
			col = indent;
			p += n;
			ww -= used;
		}
		fputs(p, x->f);
		col += ww;
		fresh = 0;
	}
	if (!fresh)
		tone_off(x, tone);
	fputc('\n', x->f);
	free(c);
}

/* A section heading, underlined. */
static void heading(struct ctx *x, const char *title)
{
	int w = ws_report_dwidth(title);

	fputc('\n', x->f);
	put_line(x, title, 0, T_BOLD);
	for (int i = 0; i < w && i < x->width; i++)
		fputc('-', x->f);
	fputc('\n', x->f);
}

/* ---- tables ------------------------------------------------------------- */

#define MAXCOLS 8

struct tcol {
	const char *head; /* column heading */
	int right;        /* 1: right-aligned (numbers) */
	int min;          /* narrowest it may be cut to; 0 = never cut */
	int drop;         /* 0 = always shown; larger = dropped first when too narrow */
	int w;            /* chosen width, -1 = dropped */
};

/* A table being filled: cells are clean copies, detail lines go under a row. */
struct ttab {
	struct tcol col[MAXCOLS];
	size_t ncols, nrows, cap;
	char **cell;      /* nrows x ncols, owned */
	uint8_t *tone;    /* colour of each cell */
	char **detail;    /* per row: lines "prefix\037name\037suffix\n"..., owned, or NULL */
	int oom;
};

static void tt_init(struct ttab *tt, const struct tcol *cols, size_t n)
{
	memset(tt, 0, sizeof(*tt));
	memcpy(tt->col, cols, n * sizeof(*cols));
	tt->ncols = n;
}

static void tt_fini(struct ttab *tt)
{
	for (size_t i = 0; i < tt->nrows * tt->ncols; i++)
		free(tt->cell[i]);
	for (size_t i = 0; i < tt->nrows; i++)
		free(tt->detail[i]);
	free(tt->cell);
	free(tt->tone);
	free(tt->detail);
}

/* Starts a row; its cells are empty until tt_put. */
static void tt_add(struct ttab *tt)
{
	if (tt->oom)
		return;
	if (tt->nrows == tt->cap) {
		size_t cap = tt->cap ? 2 * tt->cap : 16;
		char **cell = realloc(tt->cell, cap * tt->ncols * sizeof(*cell));
		uint8_t *tone;
		char **detail;

		if (cell)
			tt->cell = cell;
		tone = cell ? realloc(tt->tone, cap * tt->ncols) : NULL;
		if (tone)
			tt->tone = tone;
		detail = tone ? realloc(tt->detail, cap * sizeof(*detail)) : NULL;
		if (!detail) {
			tt->oom = 1;
			return;
		}
		tt->detail = detail;
		tt->cap = cap;
	}
	for (size_t c = 0; c < tt->ncols; c++) {
		tt->cell[tt->nrows * tt->ncols + c] = NULL;
		tt->tone[tt->nrows * tt->ncols + c] = T_NONE;
	}
	tt->detail[tt->nrows++] = NULL;
}

/* Sets cell c of the last row. */
static void tt_put(struct ttab *tt, size_t c, const char *s, int tone)
{
	size_t i = (tt->nrows - 1) * tt->ncols + c;

	if (tt->oom || !tt->nrows)
		return;
	free(tt->cell[i]);
	if (!(tt->cell[i] = clean(s)))
		tt->oom = 1;
	tt->tone[i] = (uint8_t)tone;
}

/* Adds a detail line under the last row: prefix, name (cut to fit), suffix. */
static void tt_detail(struct ttab *tt, const char *prefix, const char *name, const char *suffix)
{
	char **d = &tt->detail[tt->nrows - 1];
	size_t old = *d ? strlen(*d) : 0, n = strlen(prefix) + strlen(name) + strlen(suffix) + 3;
	char *p;

	if (tt->oom || !tt->nrows)
		return;
	if (!(p = realloc(*d, old + n + 1))) {
		tt->oom = 1;
		return;
	}
	snprintf(p + old, n + 1, "%s\037%s\037%s\n", prefix, name, suffix);
	*d = p;
}

/* Chooses column widths: natural widths, then the widest cuttable column is
 * cut one column at a time, then columns are dropped by their `drop`, and at
 * last every column may be cut, so that no line is wider than `width`. */
static int tt_layout(struct ttab *tt, int width)
{
	int nat[MAXCOLS], total, phase = 0;

	for (size_t c = 0; c < tt->ncols; c++) {
		nat[c] = ws_report_dwidth(tt->col[c].head);
		for (size_t r = 0; r < tt->nrows; r++) {
			const char *s = tt->cell[r * tt->ncols + c];
			int w = s ? ws_report_dwidth(s) : 0;

			nat[c] = w > nat[c] ? w : nat[c];
		}
		tt->col[c].w = nat[c];
	}
	for (;;) {
		size_t shown = 0, pick = MAXCOLS;

		total = 0;
		for (size_t c = 0; c < tt->ncols; c++)
			if (tt->col[c].w >= 0) {
				total += tt->col[c].w;
				shown++;
			}
		total += shown ? 2 * (int)(shown - 1) : 0;
		if (total <= width)
			break;
		for (size_t c = 0; c < tt->ncols; c++) {
			const struct tcol *k = &tt->col[c];
			int floor = phase == 2 ? 1 : k->min;

			if (k->w < 0 || (phase < 2 && !k->min) || k->w <= floor)
				continue;
			if (pick == MAXCOLS || k->w > tt->col[pick].w)
				pick = c;
		}
		if (pick != MAXCOLS) {
			tt->col[pick].w--;
			continue;
		}
		if (phase == 0) {
			/* drop the column with the largest `drop`, then start over */
			for (size_t c = 0; c < tt->ncols; c++)
				if (tt->col[c].w >= 0 && tt->col[c].drop &&
				    (pick == MAXCOLS || tt->col[c].drop > tt->col[pick].drop))
					pick = c;
			if (pick == MAXCOLS) {
				phase = 2;
				continue;
			}
			tt->col[pick].w = -1;
			for (size_t c = 0; c < tt->ncols; c++)
				if (tt->col[c].w >= 0)
					tt->col[c].w = nat[c];
			continue;
		}
		break; /* every column is one wide: nothing more to do */
	}
	return total;
}

/* Writes one line of cells (the heading when cells is NULL). */
static void tt_line(struct ctx *x, const struct ttab *tt, size_t r)
{
	size_t last = 0;

	for (size_t c = 0; c < tt->ncols; c++)
		if (tt->col[c].w >= 0)
			last = c;
	for (size_t c = 0, first = 1; c < tt->ncols; c++) {
		const struct tcol *k = &tt->col[c];
		const char *s = r == (size_t)-1 ? k->head : tt->cell[r * tt->ncols + c];
		int tone = r == (size_t)-1 ? T_BOLD : tt->tone[r * tt->ncols + c];

		if (k->w < 0)
			continue;
		if (!first)
			spaces(x->f, 2);
		first = 0;
		put_cell(x, s ? s : "", k->w, k->right, c != last || k->right, tone);
	}
	fputc('\n', x->f);
}

/* Writes a detail line "prefix name suffix", cutting the name first. */
static void tt_detail_line(struct ctx *x, char *line)
{
	char *name = strchr(line, '\037'), *suffix;
	int indent = 4, room;

	if (!name)
		return;
	*name++ = '\0';
	suffix = strchr(name, '\037');
	if (!suffix)
		return;
	*suffix++ = '\0';
	room = x->width - indent - ws_report_dwidth(line) - (*line ? 1 : 0) - ws_report_dwidth(suffix) -
	       (*suffix ? 2 : 0);
	spaces(x->f, indent);
	if (!*line && !*suffix) { /* free text: wrapped, nothing lost */
		wrap(x, name, indent, indent + 2, T_DIM);
		return;
	}
	if (room < 8) { /* too narrow to keep the suffix: the line is cut instead */
		char buf[1024];

		snprintf(buf, sizeof(buf), "%s%s%s%s%s", line, *line ? " " : "", name,
			 *suffix ? "  " : "", suffix);
		put_cell(x, buf, x->width - indent, 0, 0, T_DIM);
		fputc('\n', x->f);
		return;
	}
	if (*line) {
		put_cell(x, line, ws_report_dwidth(line), 0, 0, T_DIM);
		fputc(' ', x->f);
	}
	put_cell(x, name, room, 0, 0, T_DIM);
	if (*suffix) {
		fputs("  ", x->f);
		put_cell(x, suffix, ws_report_dwidth(suffix), 0, 0, T_DIM);
	}
	fputc('\n', x->f);
}

static void tt_print(struct ctx *x, struct ttab *tt)
{
	int total;

	if (tt->oom) {
		x->oom = 1;
		return;
	}
	total = tt_layout(tt, x->width);
	tt_line(x, tt, (size_t)-1);
	for (int i = 0; i < total; i++)
		fputc('-', x->f);
	fputc('\n', x->f);
	for (size_t r = 0; r < tt->nrows; r++) {
		tt_line(x, tt, r);
		for (char *d = tt->detail[r], *nl; d && *d; d = nl + 1) {
			nl = strchr(d, '\n');
			*nl = '\0';
			tt_detail_line(x, d);
		}
	}
}

/* ---- the parts of the review -------------------------------------------- */

/* Short names for dictionary strings. */
#define DSTR(code) ws_dict_str(&x->rv->t->dict, (code))

/* A number with the series' unit: "8000人", "87.8%"; "" when missing. */
static const char *with_unit(struct ctx *x, size_t s, double v, int sign, char *buf, size_t cap)
{
	char num[64];

	if (sign)
		ws_report_fmt_signed(v, num, sizeof(num));
	else
		ws_report_fmt_num(v, num, sizeof(num));
	snprintf(buf, cap, "%s%s", num, *num ? DSTR(x->rv->st->series.unit[s]) : "");
	return ws_report_utf8_trim(buf);
}

static void header(struct ctx *x)
{
	const struct ws_report_opts *o = x->rv->o;
	char buf[128];

	put_line(x, ws_report_title(x->rv), 0, T_BOLD);
	if (o->source) {
		fputs("Source: ", x->f);
		wrap(x, o->source, 8, 8, T_NONE);
	}
	if (x->rv->review_year >= 0)
		snprintf(buf, sizeof(buf), "Review year %d: the latest year with a target and an actual.",
			 x->rv->review_year);
	else
		snprintf(buf, sizeof(buf), "No indicator has a year with both a target and an actual.");
	wrap(x, buf, 0, 0, T_NONE);
	if (o->division) {
		fputs("Division: ", x->f);
		wrap(x, o->division, 10, 10, T_NONE);
	}
}

/* One "label  text" line of the ward summary, wrapped under the text. */
static void kv(struct ctx *x, const char *label, const char *text)
{
	fprintf(x->f, "  %-12s", label);
	wrap(x, text, 14, 14, T_NONE);
}

static void summary(void *p)
{
	struct ctx *x = p;
	const struct ws_ward_stats *w = &x->rv->st->wards;
	char buf[512], share[32];

	for (size_t i = 0; i < x->rv->nsummary; i++) {
		snprintf(buf, sizeof(buf), "Ward summary: %s", DSTR(w->ward[i]));
		heading(x, buf);
		snprintf(buf, sizeof(buf), "%d (%d reviewed, %d not reviewed)", w->indicators[i],
			 w->reviewed[i], w->indicators[i] - w->reviewed[i]);
		kv(x, "indicators", buf);
		ws_report_fmt_pct(w->met_share[i], share, sizeof(share));
		snprintf(buf, sizeof(buf), "%d of %d reviewed%s%s%s", w->met[i], w->reviewed[i],
			 *share ? " (" : "", share, *share ? ")" : "");
		kv(x, "met", buf);
		snprintf(buf, sizeof(buf), "%d: %s %d, %s %d, %s %d", w->objectives[i],
			 ws_eval_name(WS_EVAL_MET), w->obj_met[i], ws_eval_name(WS_EVAL_PARTIAL),
			 w->obj_partial[i], ws_eval_name(WS_EVAL_MISSED), w->obj_missed[i]);
		if (w->obj_unreviewed[i])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ", not reviewed %d",
				 w->obj_unreviewed[i]);
		kv(x, "objectives", buf);
		if (w->recorded[i])
			snprintf(buf, sizeof(buf), "%d of %d recorded verdicts agree with the numbers",
				 w->agree[i], w->recorded[i]);
		else
			snprintf(buf, sizeof(buf), "no verdicts recorded");
		kv(x, "verdicts", buf);
		snprintf(buf, sizeof(buf), "%d indicator%s missed %d or more years in a row",
			 w->persistent[i], w->persistent[i] == 1 ? "" : "s",
			 x->rv->o->streak > 0 ? x->rv->o->streak : 3);
		kv(x, "persistent", buf);
	}
	if (*ws_report_more(x->rv->nsummary, x->rv->nsummary_all, WARDS_ALL, buf, sizeof(buf))) {
		fputc('\n', x->f);
		note(x, buf);
	}
}

static void ranking(void *p)
{
	struct ctx *x = p;
	static const struct tcol cols[] = {
		{"rank", 1, 0, 0, 0},     {"division", 0, 8, 0, 0},  {"met", 1, 0, 2, 0},
		{"share", 1, 0, 0, 0},    {"mean ach.", 1, 0, 1, 0}, {"persistent", 1, 0, 3, 0}};
	const struct ws_division_stats *d = &x->rv->st->divisions;
	struct ttab tt;
	char buf[512];

	heading(x, "Division ranking");
	note(x, "Ranked by met share (indicators that met their target at the review year), "
		"then by mean achievement (actual/target; target/actual when lower is better).");
	tt_init(&tt, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < x->rv->nrank; j++) {
		size_t i = x->rv->rank[j];

		tt_add(&tt);
		if (d->rank[i] >= 0) {
			snprintf(buf, sizeof(buf), "%d", d->rank[i]);
			tt_put(&tt, 0, buf, T_NONE);
		}
		tt_put(&tt, 1, ws_report_div_label(x->rv, d->ward[i], d->division[i], buf, sizeof(buf)),
		       T_NONE);
		snprintf(buf, sizeof(buf), "%d/%d", d->met[i], d->reviewed[i]);
		tt_put(&tt, 2, buf, T_NONE);
		tt_put(&tt, 3, ws_report_fmt_pct(d->met_share[i], buf, sizeof(buf)), T_NONE);
		tt_put(&tt, 4, ws_report_fmt_pct(d->mean_achievement[i], buf, sizeof(buf)), T_NONE);
		snprintf(buf, sizeof(buf), "%d", d->persistent[i]);
		tt_put(&tt, 5, buf, d->persistent[i] > 0 ? T_BAD : T_NONE);
	}
	if (tt.nrows)
		tt_print(x, &tt);
	else
		wrap(x, "No division.", 0, 0, T_NONE);
	tt_fini(&tt);
	if (*ws_report_more(x->rv->nrank, x->rv->nrank_all, RANK_ALL, buf, sizeof(buf)))
		note(x, buf);
}

/* The indicators of objective i, each a detail line: status, name, gap. */
static void objective_details(struct ctx *x, struct ttab *tt, size_t i)
{
	const struct ws_objective_stats *ob = &x->rv->st->objectives;
	const struct ws_series_stats *s = &x->rv->st->series;
	size_t first, n = ws_report_division_series(x->rv, ob->ward[i], ob->division[i], &first);
	char gap[96], ach[32], suffix[160];

	for (size_t k = first; k < first + n; k++) {
		if (s->objective[k] != ob->objective[i])
			continue;
		with_unit(x, k, s->gap[k], 1, gap, sizeof(gap));
		ws_report_fmt_pct(s->achievement[k], ach, sizeof(ach));
		if (s->met[k] < 0)
			snprintf(suffix, sizeof(suffix), "no year with target and actual");
		else
			snprintf(suffix, sizeof(suffix), "gap %s%s%s%s", gap, *ach ? " (" : "", ach,
				 *ach ? ")" : "");
		tt_detail(tt, s->met[k] == 1 ? "met    " : s->met[k] == 0 ? "missed " : "no data",
			  DSTR(s->indicator[k]), suffix);
	}
}

static void disagreements(void *p)
{
	struct ctx *x = p;
	static const struct tcol cols[] = {{"division", 0, 8, 0, 0}, {"objective", 0, 6, 0, 0},
					   {"recorded", 0, 0, 0, 0}, {"computed", 0, 0, 0, 0},
					   {"met", 1, 0, 1, 0}};
	const struct ws_objective_stats *ob = &x->rv->st->objectives;
	struct ttab tt;
	char buf[512];

	heading(x, "Recorded verdicts that disagree with the numbers");
	note(x, "computed: 達成 when every reviewed indicator met its target, 未達成 when none "
		"did, else 一部未達成. The objective's indicators are listed under it.");
	if (!x->rv->ndisagree) {
		wrap(x, "Every recorded verdict agrees with the numbers.", 0, 0, T_NONE);
		return;
	}
	tt_init(&tt, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < x->rv->ndisagree; j++) {
		size_t i = x->rv->disagree[j];

		tt_add(&tt);
		tt_put(&tt, 0, ws_report_div_label(x->rv, ob->ward[i], ob->division[i], buf, sizeof(buf)),
		       T_NONE);
		tt_put(&tt, 1, DSTR(ob->objective[i]), T_NONE);
		tt_put(&tt, 2, ws_eval_name(ob->recorded[i]), T_NONE);
		tt_put(&tt, 3, ws_eval_name(ob->status[i]), T_BAD);
		snprintf(buf, sizeof(buf), "%d/%d", ob->met[i], ob->reviewed[i]);
		tt_put(&tt, 4, buf, T_NONE);
		if (!tt.oom)
			objective_details(x, &tt, i);
	}
	tt_print(x, &tt);
	tt_fini(&tt);
	if (*ws_report_more(x->rv->ndisagree, x->rv->ndisagree_all, DISAGREE_ALL, buf, sizeof(buf)))
		note(x, buf);
}

/* Rows below[from..to) as a table; target, actual and the series' reason under each. */
static void below_table(struct ctx *x, size_t from, size_t to)
{
	static const struct tcol cols[] = {{"gap", 1, 0, 0, 0},      {"ach.", 1, 0, 2, 0},
					   {"streak", 1, 0, 3, 0},   {"division", 0, 10, 1, 0},
					   {"indicator", 0, 24, 0, 0}};
	const struct ws_series_stats *s = &x->rv->st->series;
	struct ttab tt;
	char buf[512], target[96], actual[96];

	tt_init(&tt, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = from; j < to; j++) {
		size_t i = x->rv->below[j];

		tt_add(&tt);
		tt_put(&tt, 0, with_unit(x, i, s->gap[i], 1, buf, sizeof(buf)), T_BAD);
		tt_put(&tt, 1, ws_report_fmt_pct(s->achievement[i], buf, sizeof(buf)), T_NONE);
		snprintf(buf, sizeof(buf), "%d", s->streak[i]);
		tt_put(&tt, 2, buf, s->persistent[i] == 1 ? T_BAD : T_NONE);
		tt_put(&tt, 3, ws_report_div_label(x->rv, s->ward[i], s->division[i], buf, sizeof(buf)),
		       T_NONE);
		tt_put(&tt, 4, DSTR(s->indicator[i]), T_NONE);
		snprintf(buf, sizeof(buf), "%d: target %s, actual %s; %s", s->review_year[i],
			 with_unit(x, i, s->target[i], 0, target, sizeof(target)),
			 with_unit(x, i, s->actual[i], 0, actual, sizeof(actual)),
			 s->text + s->reason[i]);
		if (!tt.oom)
			tt_detail(&tt, "", buf, "");
	}
	tt_print(x, &tt);
	tt_fini(&tt);
}

static void below(void *p)
{
	struct ctx *x = p;
	const struct ws_report_review *rv = x->rv;
	int k = rv->o->streak > 0 ? rv->o->streak : 3;
	char buf[256];

	snprintf(buf, sizeof(buf), "Persistently below target (missed %d or more years in a row)", k);
	heading(x, buf);
	if (rv->npersistent)
		below_table(x, 0, rv->npersistent);
	else
		wrap(x, "None.", 0, 0, T_NONE);
	if (*ws_report_more(rv->npersistent, rv->npersistent_all, BELOW_ALL, buf, sizeof(buf)))
		note(x, buf);
	heading(x, "Missed at the review year");
	note(x, "gap = actual - target, negated when lower is better; ach. = achievement; "
		"streak = years missed in a row. Worst achievement first; under each row the "
		"target, the actual and the reason.");
	if (rv->nbelow > rv->npersistent)
		below_table(x, rv->npersistent, rv->nbelow);
	else
		wrap(x, "None.", 0, 0, T_NONE);
	if (*ws_report_more(rv->nbelow - rv->npersistent, rv->nmissed_all, BELOW_ALL, buf,
			    sizeof(buf)))
		note(x, buf);
}

/* The trends trend[from], trend[from+step], ... n of them. */
static void trend_table(struct ctx *x, size_t from, int step, size_t n)
{
	static const struct tcol cols[] = {{"trend", 1, 0, 0, 0},     {"MK p", 1, 0, 0, 0},
					   {"n", 1, 0, 2, 0},         {"division", 0, 10, 1, 0},
					   {"indicator", 0, 24, 0, 0}};
	const struct ws_series_stats *s = &x->rv->st->series;
	struct ttab tt;
	char buf[512], slope[64], sen[64], p[32];

	tt_init(&tt, cols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < n; j++) {
		size_t i = x->rv->trend[step > 0 ? from + j : from - j];
		int good = (x->rv->rel[i] > 0) == (s->direction[i] != WS_DIR_LOWER);

		tt_add(&tt);
		tt_put(&tt, 0, ws_report_fmt_rel(x->rv->rel[i], buf, sizeof(buf)), good ? T_GOOD : T_BAD);
		tt_put(&tt, 1, ws_report_fmt_p(s->mk_p[i], buf, sizeof(buf)), T_NONE);
		snprintf(buf, sizeof(buf), "%d", s->nobs[i]);
		tt_put(&tt, 2, buf, T_NONE);
		tt_put(&tt, 3, ws_report_div_label(x->rv, s->ward[i], s->division[i], buf, sizeof(buf)),
		       T_NONE);
		tt_put(&tt, 4, DSTR(s->indicator[i]), T_NONE);
		ws_report_fmt_p(s->slope_p[i], p, sizeof(p));
		snprintf(buf, sizeof(buf), "slope %s/yr (OLS p %s), sen %s/yr, %d-%d%s",
			 with_unit(x, i, s->slope[i], 1, slope, sizeof(slope)), *p ? p : "n/a",
			 with_unit(x, i, s->sen_slope[i], 1, sen, sizeof(sen)), s->first_year[i],
			 s->last_year[i], s->direction[i] == WS_DIR_LOWER ? ", lower is better" : "");
		if (!tt.oom)
			tt_detail(&tt, "", buf, "");
	}
	tt_print(x, &tt);
	tt_fini(&tt);
}

static void trends(void *p, size_t top)
{
	struct ctx *x = p;
	const struct ws_report_review *rv = x->rv;
	size_t nr = rv->nrising < top ? rv->nrising : top, nf = rv->nfalling < top ? rv->nfalling : top;

	heading(x, "Strongest trends");
	note(x, WS_TREND_RULE ". Coloured green when the trend runs the way the target wants, "
		"red when against it.");
	fputc('\n', x->f);
	put_line(x, "Rising", 0, T_BOLD);
	if (nr)
		trend_table(x, 0, 1, nr);
	else
		wrap(x, "None.", 0, 0, T_NONE);
	fputc('\n', x->f);
	put_line(x, "Falling", 0, T_BOLD);
	if (nf)
		trend_table(x, rv->ntrend - 1, -1, nf);
	else
		wrap(x, "None.", 0, 0, T_NONE);
}

/* The review's sections in this format, for ws_report_sections. */
static const struct ws_review_sections sections = {summary, ranking, disagreements, below, trends};

int ws_report_text(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err)
{
	struct ws_report_review rv;
	struct ctx x = {f, o->width > 0 ? o->width : 80, o->color, &rv, 0};
	int rc;

	if ((rc = ws_report_review_init(&rv, t, st, o, err)) != WS_OK)
		goto out_free_review;
	ws_report_review_cap(&rv);
	header(&x);
	ws_report_sections(&sections, &x, o->view);
	if (x.oom)
		rc = ws_err_set(err, WS_ENOMEM, "out of memory");
	else if (ferror(f))
		rc = ws_err_set(err, WS_EIO, "writing the report failed");
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}
