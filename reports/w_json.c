/*
 * w_json.c: the report as one JSON document, built with json-c.
 *
 * The review is {"title", "source", "ward": [...], "divisions": [...],
 * "objectives": [...], "series": [...]}; the other views carry "view" and
 * their one table: "ranking" (divisions in rank order), "trends" (series with
 * a trend, strongest rising first, plus mean_actual and relative_slope) or
 * "below" (series missed at the review year, persistent first). Each row is
 * an object whose keys are the columns of tables.c, in order. Missing values
 * and NaN are null, booleans are true/false, integers are integers, and reals
 * are written with the fewest digits that read back to the same double, so
 * the same input always gives the same bytes.
 */
#include <json-c/json.h>
#include <string.h>

#include "report_internal.h"

/* A cell as a JSON value; NULL stands for null. */
static json_object *value(const struct ws_cell *c, int *oom)
{
	char buf[64];
	json_object *v;

	if (c->missing)
		return NULL;
	switch (c->kind) {
	case WS_COL_STR: v = json_object_new_string(c->s); break;
	case WS_COL_BOOL: v = json_object_new_boolean(c->i != 0); break;
	case WS_COL_INT: v = json_object_new_int64(c->i); break;
	default: v = json_object_new_double_s(c->x, ws_report_num(c->x, buf, sizeof(buf))); break;
	}
	if (!v)
		*oom = 1;
	return v;
}

/* Adds v under key (json-c keeps keys in insertion order). */
static void add(json_object *obj, const char *key, json_object *v, int *oom)
{
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		*oom = 1;
	}
}

/* The rows of d as an array of objects. */
static json_object *table(const struct ws_report_review *rv, const struct ws_dtab *d, int *oom)
{
	json_object *arr = json_object_new_array_ext((int)(d->n < 1000000 ? d->n : 1000000));
	size_t ncols = ws_tab_ncols(d->tab);

	if (!arr) {
		*oom = 1;
		return NULL;
	}
	for (size_t r = 0; r < d->n && !*oom; r++) {
		json_object *row = json_object_new_object();
		struct ws_cell cell;

		if (!row || json_object_array_add(arr, row) != 0) {
			json_object_put(row);
			*oom = 1;
			break;
		}
		for (size_t c = 0; c < ncols && !*oom; c++) {
			ws_tab_cell(rv->t, rv->st, d->tab, d->rows[r], c, &cell);
			add(row, ws_tab_col(d->tab, c), value(&cell, oom), oom);
		}
		for (size_t c = 0; d->trend && c < WS_TREND_COLS && !*oom; c++) {
			ws_report_trend_cell(rv, d->rows[r], c, &cell);
			add(row, ws_report_trend_col(c), value(&cell, oom), oom);
		}
	}
	return arr;
}

static json_object *string_or_null(const char *s, int *oom)
{
	json_object *v;

	if (!s)
		return NULL;
	if (!(v = json_object_new_string(s)))
		*oom = 1;
	return v;
}

/* The document of the view; NULL with *oom set when memory ran out. */
static json_object *document(const struct ws_report_review *rv, int *oom)
{
	static const char *const views[] = {"review", "rank", "trends", "below"};
	const struct ws_report_opts *o = rv->o;
	struct ws_dtab d[WS_TAB_COUNT];
	size_t n = ws_report_review_dtabs(rv, d);
	json_object *doc = json_object_new_object();

	if (!doc) {
		*oom = 1;
		return NULL;
	}
	add(doc, "title", string_or_null(ws_report_title(rv), oom), oom);
	add(doc, "source", string_or_null(o->source, oom), oom);
	if (o->view != WS_VIEW_REVIEW) {
		add(doc, "view", string_or_null(views[o->view], oom), oom);
		add(doc, "division", string_or_null(o->division, oom), oom);
		if (o->view == WS_VIEW_TRENDS)
			add(doc, "rule", string_or_null(WS_TREND_RULE, oom), oom);
		if (o->view == WS_VIEW_BELOW && !(*oom)) {
			json_object *k = json_object_new_int(o->streak > 0 ? o->streak : 3);

			if (!k)
				*oom = 1;
			add(doc, "streak", k, oom);
		}
	}
	for (size_t i = 0; i < n && !*oom; i++)
		add(doc, d[i].name, table(rv, &d[i], oom), oom);
	if (*oom) {
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

int ws_report_json(const struct ws_table *t, const struct ws_stats *st,
		   const struct ws_report_opts *o, FILE *f, struct ws_err *err)
{
	struct ws_report_review rv;
	json_object *doc = NULL;
	const char *text;
	size_t len;
	int rc, oom = 0;

	if ((rc = ws_report_review_init(&rv, t, st, o, err)) != WS_OK)
		goto out_free_review;
	if (!(doc = document(&rv, &oom))) {
		rc = ws_err_set(err, WS_ENOMEM, "out of memory building the JSON document");
		goto out_free_review;
	}
	text = json_object_to_json_string_length(
		doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE,
		&len);
	if (!text) {
		rc = ws_err_set(err, WS_ENOMEM, "out of memory writing the JSON document");
		goto out_free_doc;
	}
	if (fwrite(text, 1, len, f) != len || fputc('\n', f) == EOF)
		rc = ws_err_set(err, WS_EIO, "writing the JSON document failed");
out_free_doc:
	json_object_put(doc);
out_free_review:
	ws_report_review_fini(&rv);
	return rc;
}
