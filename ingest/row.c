/*
 * row.c: a record's fields turned into observations, or into a reject.
 *
 * The reader (reader.c) cuts the text into records and splits each into
 * fields; here each cell gets its rule of FORMATS.md §1c (numbers, years,
 * directions, verdicts), strings are interned (the previous row's string of
 * the same column tried first, and the whole run of leading attribute
 * columns when its bytes repeat the previous row's), and the row goes to the
 * table, one observation per year in the sheet layout. A row that breaks a
 * rule is rejected whole, with its column and the text of the cell.
 */
#include "ingest_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What r->bad_what points to: a field over a limit, or damaged. */
const char ws_bad_columns[] = "more columns than the limit";
const char ws_bad_long[] = "field longer than the limit";
const char ws_bad_nul[] = "NUL byte in field";

/* ---- helpers -------------------------------------------------------------- */

/* Field c of the current record, trimmed of spaces and U+3000 at both ends. */
const char *ws_reader_field(const struct reader *r, size_t c, size_t *len)
{
	const char *s = r->fbase + r->foff[c];
	size_t n = r->flen[c];

	/* most fields: no space or tab at either end, nor the first or last byte
	 * of a U+3000 (E3 80 80) */
	if (n && s[0] != ' ' && s[0] != '\t' && s[0] != '\xE3' && s[n - 1] != ' ' &&
	    s[n - 1] != '\t' && s[n - 1] != '\x80') {
		*len = n;
		return s;
	}
	for (;;) {
		if (n && (s[0] == ' ' || s[0] == '\t')) {
			s++, n--;
		} else if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0) {
			s += 3, n -= 3;
		} else if (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
			n--;
		} else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0) {
			n -= 3;
		} else {
			break;
		}
	}
	*len = n;
	return s;
}

static const char *col_name(const struct reader *r, size_t c)
{
	return r->hdr + r->hdr_off[c];
}

/* Rejects the current record: reason, then `, 'text'` quoting the cell (NULL: no text). */
static size_t utf8_bad(const char *s, size_t n)
{
	return ws_utf8_invalid_at((const unsigned char *)s, n) != n;
}

int ws_reader_reject(struct reader *r, size_t column, const char *what, const char *cell, size_t n)
{
	char q[340];

	if (r->check_utf8 < 0 && utf8_bad(r->rec, r->rec_len)) { /* not UTF-8 after all */
		r->restart = 1;
		return WS_EPARSE;
	}
	r->log->rows_rejected++;
	if (!cell)
		return ws_log_add(r->log, WS_LOG_REJECT, r->fcode, r->line, (uint32_t)column, r->rec,
				  r->rec_len, "%s", what);
	return ws_log_add(r->log, WS_LOG_REJECT, r->fcode, r->line, (uint32_t)column, r->rec,
			  r->rec_len, "%s, '%s'", what, ws_ingest_quote(cell, n, q, sizeof(q)));
}

/*
 * Describes the field over a limit, or damaged, that on_field found
 * (r->bad_col, r->bad_what) into what, and points *cell at the text to
 * quote (NULL for none).
 */
void ws_reader_bad_field(const struct reader *r, char *what, size_t cap, const char **cell,
			 size_t *n)
{
	*cell = NULL;
	*n = 0;
	if (r->bad_what == ws_bad_columns) {
		snprintf(what, cap, "more than %zu columns", r->max_cols);
	} else if (r->bad_what == ws_bad_long) {
		snprintf(what, cap, "field longer than %zu bytes (see --max-field)", r->max_field);
		*cell = ws_ingest_raw_field(r->rec, r->rec_len, r->delim, r->bad_col, n);
	} else {
		snprintf(what, cap, "%s", r->bad_what);
		*cell = ws_reader_field(r, r->bad_col - 1, n);
	}
}

/* ---- rows ------------------------------------------------------------------- */

/* The dictionary code of s[0..n) when it is the string of code c. */
static int is_code(const struct ws_dict *d, uint32_t c, const char *s, size_t n)
{
	return d->len[c] == n && memcmp(d->arena + d->off[c], s, n) == 0;
}

/*
 * Interns field c (or "" when the column is absent) into *code. Rows of one
 * series come together, so the previous row's string of the same column is
 * tried first: one comparison instead of a hash lookup.
 */
static int intern_col(struct reader *r, int c, uint32_t *code)
{
	size_t n = 0;
	const char *s = c >= 0 ? ws_reader_field(r, (size_t)c, &n) : "";
	uint32_t *last = &r->last[c >= 0 ? r->role[c] : R_NONE];
	int rc;

	if (is_code(&r->t->dict, *last, s, n)) {
		*code = *last;
		return WS_OK;
	}
	if (r->check_utf8 < 0 && utf8_bad(s, n)) { /* not UTF-8 after all */
		r->restart = 1;
		return WS_EPARSE;
	}
	rc = ws_dict_intern(&r->t->dict, s, n, code);
	*last = *code;
	return rc;
}

/* Interns the unit, width-folded so that ％ and % are one unit. */
static int intern_unit(struct reader *r, uint32_t *code)
{
	char f[256];
	size_t n = 0;
	const char *s;

	if (r->col[R_UNIT] < 0) {
		*code = 0;
		return WS_OK;
	}
	s = ws_reader_field(r, (size_t)r->col[R_UNIT], &n);
	if (is_code(&r->t->dict, r->last[R_UNIT], s, n)) { /* folded already */
		*code = r->last[R_UNIT];
		return WS_OK;
	}
	if (r->check_utf8 < 0 && utf8_bad(s, n)) { /* not UTF-8 after all */
		r->restart = 1;
		return WS_EPARSE;
	}
	n = ws_ingest_fold(s, n < 255 ? n : 255, f, sizeof(f));
	if (ws_dict_intern(&r->t->dict, f, n, code) != WS_OK)
		return WS_ENOMEM;
	r->last[R_UNIT] = *code;
	return WS_OK;
}


/* The roles whose cells take_row checks (the cases of its switch); the
 * other columns are only interned (ward, objective, unit, note) or ignored. */
static const unsigned char has_rule[R_COUNT] = {
	[R_DIVISION] = 1, [R_INDICATOR] = 1, [R_YEAR] = 1, [R_DIRECTION] = 1,
	[R_EVALUATION] = 1, [R_TARGET] = 1, [R_ACTUAL] = 1, [R_SHEET] = 1,
};

/* Turns the current record into observations, or rejects it. */
int ws_reader_row(struct reader *r)
{
	struct ws_row row;
	double tv[MAX_YEARS], av[MAX_YEARS];
	size_t n, plen = SIZE_MAX;
	const char *s;
	int rc, v, same = 0;

	r->log->rows_read++;
	if (r->bad_col) {
		char what[120];

		ws_reader_bad_field(r, what, sizeof(what), &s, &n);
		return ws_reader_reject(r, r->bad_col, what, s, n);
	}
	if (r->nf != r->ncols) {
		char what[80];

		snprintf(what, sizeof(what), "expected %zu fields as in the header, found %zu",
			 r->ncols, r->nf);
		return ws_reader_reject(r, r->nf < r->ncols ? r->nf + 1 : r->ncols + 1, what, NULL, 0);
	}
	memset(&row, 0, sizeof(row));
	row.file = r->fcode;
	row.line = r->line;
	row.target = row.actual = NAN;
	for (int k = 0; k < r->nyears; k++)
		tv[k] = av[k] = NAN;
	/* the attribute columns as in the previous accepted row: its codes, already
	 * checked (the record was split in place, so its bytes are r->rec's) */
	if (r->attr_cols && r->fbase == r->rec && r->check_utf8 <= 0) {
		size_t k = r->attr_cols - 1;

		plen = r->foff[k] + r->flen[k];
		same = r->prev_ok && plen == r->prev_len && memcmp(r->rec, r->prev, plen) == 0;
	}
	if (same) {
		row.ward = r->prev_ward;
		row.division = r->prev_division;
		row.objective = r->prev_objective;
		row.indicator = r->prev_indicator;
		row.unit = r->prev_unit;
		row.direction = r->prev_direction;
	} else if ((rc = intern_unit(r, &row.unit)) != WS_OK) {
		return rc;
	}
	for (size_t c = same ? r->attr_cols : 0; c < r->ncols; c++) {
		const char *name = col_name(r, c);
		char what[300];
		double x;

		if (!has_rule[r->role[c]] && r->check_utf8 <= 0)
			continue; /* nothing to check in this cell */
		s = ws_reader_field(r, c, &n);
		if (r->check_utf8 > 0 && utf8_bad(s, n))
			return ws_reader_reject(r, c + 1, r->check_utf8 == 2 ? "invalid UTF-8 text"
						: "invalid UTF-8 text (not CP932 either)", s, n);
		switch (r->role[c]) {
		case R_DIVISION:
		case R_INDICATOR:
			if (n == 0) {
				snprintf(what, sizeof(what), "missing %s in column '%s'",
					 ws_role_name(r->role[c]), name);
				return ws_reader_reject(r, c + 1, what, NULL, 0);
			}
			break;
		case R_YEAR:
			if (ws_ingest_year(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what), "not a fiscal year (1900..2200) in column '%s'", name);
				return ws_reader_reject(r, c + 1, what, s, n);
			}
			row.year = v;
			break;
		case R_DIRECTION:
			if (ws_ingest_direction(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what),
					 "not a direction (higher, lower, up, down, 増加, 減少) in column '%s'", name);
				return ws_reader_reject(r, c + 1, what, s, n);
			}
			row.direction = (uint8_t)v;
			break;
		case R_EVALUATION:
			if (ws_ingest_evaluation(s, n, &v) != WS_OK) {
				snprintf(what, sizeof(what),
					 "not a verdict (達成, 一部未達成, 未達成) in column '%s'", name);
				return ws_reader_reject(r, c + 1, what, s, n);
			}
			row.evaluation = (uint8_t)v;
			break;
		case R_TARGET:
		case R_ACTUAL:
		case R_SHEET:
			if (ws_ingest_number(s, n, ws_dict_str(&r->t->dict, row.unit), &x) != WS_OK) {
				snprintf(what, sizeof(what), "not a number in column '%s'", name);
				return ws_reader_reject(r, c + 1, what, s, n);
			}
			if (r->role[c] == R_TARGET)
				row.target = x;
			else if (r->role[c] == R_ACTUAL)
				row.actual = x;
			else if (r->kind[c] == 't')
				tv[r->slot[c]] = x;
			else
				av[r->slot[c]] = x;
			break;
		default:
			break;
		}
	}
	if ((rc = intern_col(r, r->col[R_NOTE], &row.note)))
		return rc;
	if (!same) {
		if ((rc = intern_col(r, r->col[R_DIVISION], &row.division)) ||
		    (rc = intern_col(r, r->col[R_INDICATOR], &row.indicator)) ||
		    (rc = intern_col(r, r->col[R_OBJECTIVE], &row.objective)))
			return rc;
		if (r->col[R_WARD] >= 0) {
			if ((rc = intern_col(r, r->col[R_WARD], &row.ward)))
				return rc;
		} else {
			row.ward = r->ward_default;
		}
		/* kept for the rows that follow, when the record is split in place */
		r->prev_ok = 0;
		if (plen <= sizeof(r->prev)) {
			memcpy(r->prev, r->rec, plen);
			r->prev_len = plen;
			r->prev_ward = row.ward;
			r->prev_division = row.division;
			r->prev_objective = row.objective;
			r->prev_indicator = row.indicator;
			r->prev_unit = row.unit;
			r->prev_direction = row.direction;
			r->prev_ok = 1;
		}
	}
	r->log->rows_used++;
	if (!r->sheet) {
		if (row.year > r->newest)
			r->newest = row.year;
		return ws_table_append(r->t, &row);
	}
	/* sheet layout: one observation per year with a value; the verdict goes
	 * with the newest; a row with no value at all still lists the indicator */
	int last = -1;
	uint8_t eval = row.evaluation;

	for (int k = 0; k < r->nyears; k++)
		if (!isnan(tv[k]) || !isnan(av[k]))
			last = k;
	for (int k = 0; k < r->nyears; k++) {
		if (isnan(tv[k]) && isnan(av[k]) && !(last < 0 && k == r->nyears - 1))
			continue;
		row.year = r->years[k];
		row.target = tv[k];
		row.actual = av[k];
		row.evaluation = (k == last || last < 0) ? eval : WS_EVAL_NONE;
		if (row.year > r->newest)
			r->newest = row.year;
		if ((rc = ws_table_append(r->t, &row)) != WS_OK)
			return rc;
	}
	return WS_OK;
}

/*
 * How many leading columns hold every attribute column of the header (ward,
 * division, objective, indicator, unit, direction) and nothing else: ws_reader_row
 * reuses the previous row's codes when those bytes repeat. 0 when some
 * attribute column comes after another kind (the shortcut is then off).
 */
void ws_reader_attr_prefix(struct reader *r)
{
	size_t k = 0, total = 0;

	for (size_t c = 0; c < r->ncols; c++) {
		int a = r->role[c];

		if (a == R_WARD || a == R_DIVISION || a == R_OBJECTIVE || a == R_INDICATOR ||
		    a == R_UNIT || a == R_DIRECTION)
			total++;
	}
	while (k < r->ncols && k < total) {
		int a = r->role[k];

		if (a != R_WARD && a != R_DIVISION && a != R_OBJECTIVE && a != R_INDICATOR &&
		    a != R_UNIT && a != R_DIRECTION)
			break;
		k++;
	}
	r->attr_cols = k == total && !r->sheet ? k : 0;
	r->prev_ok = 0;
}

