/*
 * test_engine.c: Criterion tests of engine/: the string dictionary (intern,
 * rank), the column table (append, growth, NaN kept) and the series index
 * (grouping, bytewise series order, years ascending, removal).
 *
 * Usage: make unit   (or build/tests/test_engine --verbose)
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../engine/ws_engine.h"

/* ---- dictionary ------------------------------------------------------------ */

Test(engine, dict_empty_string_is_code_zero)
{
	struct ws_dict d;
	uint32_t c = 99;

	cr_assert(eq(int, ws_dict_init(&d), WS_OK));
	cr_assert(eq(u32, d.n, 1));
	cr_assert(eq(str, (char *)ws_dict_str(&d, 0), ""));
	cr_assert(eq(int, ws_dict_intern(&d, "", 0, &c), WS_OK));
	cr_assert(eq(u32, c, 0));
	cr_assert(eq(u32, d.n, 1));
	ws_dict_fini(&d);
	ws_dict_fini(&d); /* fini of a zeroed dict is a no-op */
}

Test(engine, dict_intern_gives_codes_in_order_of_first_appearance)
{
	struct ws_dict d;
	uint32_t a, b, a2, c;

	ws_dict_init(&d);
	cr_assert(eq(int, ws_dict_intern(&d, "総務課", strlen("総務課"), &a), WS_OK));
	cr_assert(eq(int, ws_dict_intern(&d, "建設課", strlen("建設課"), &b), WS_OK));
	cr_assert(eq(int, ws_dict_intern(&d, "総務課", strlen("総務課"), &a2), WS_OK));
	/* (pointer, length): only the first 3 bytes of "abcdef" */
	cr_assert(eq(int, ws_dict_intern(&d, "abcdef", 3, &c), WS_OK));
	cr_assert(eq(u32, a, 1));
	cr_assert(eq(u32, b, 2));
	cr_assert(eq(u32, a2, a));
	cr_assert(eq(u32, c, 3));
	cr_assert(eq(str, (char *)ws_dict_str(&d, a), "総務課"));
	cr_assert(eq(str, (char *)ws_dict_str(&d, c), "abc"));
	cr_assert(eq(u32, d.len[c], 3));
	ws_dict_fini(&d);
}

/* Enough strings to regrow the slots, the code arrays and the arena many times. */
Test(engine, dict_survives_growth)
{
	struct ws_dict d;
	char buf[64];
	uint32_t c;

	ws_dict_init(&d);
	for (int i = 0; i < 20000; i++) {
		int n = snprintf(buf, sizeof(buf), "indicator-%d-%s", i, i % 3 ? "件数" : "割合");

		cr_assert(eq(int, ws_dict_intern(&d, buf, (size_t)n, &c), WS_OK));
		cr_assert(eq(u32, c, (uint32_t)i + 1));
	}
	cr_assert(eq(u32, d.n, 20001));
	for (int i = 0; i < 20000; i += 997) {
		int n = snprintf(buf, sizeof(buf), "indicator-%d-%s", i, i % 3 ? "件数" : "割合");

		cr_assert(eq(int, ws_dict_intern(&d, buf, (size_t)n, &c), WS_OK));
		cr_assert(eq(u32, c, (uint32_t)i + 1), "re-interning %s", buf);
		cr_assert(eq(str, (char *)ws_dict_str(&d, c), buf));
	}
	cr_assert(eq(u32, d.n, 20001), "re-interning added strings");
	ws_dict_fini(&d);
}

Test(engine, dict_rank_is_bytewise)
{
	/* bytewise (strcmp) order: "" < "A" < "AB" < "B" < "a" < "総" (0xE7...) */
	static const char *const words[] = {"a", "総務課", "B", "AB", "A"};
	static const uint32_t want[] = {4, 5, 3, 2, 1}; /* rank of each word; "" is 0 */
	struct ws_dict d;
	uint32_t code[5], rank[6];

	ws_dict_init(&d);
	for (int i = 0; i < 5; i++)
		ws_dict_intern(&d, words[i], strlen(words[i]), &code[i]);
	cr_assert(eq(int, ws_dict_rank(&d, rank), WS_OK));
	cr_assert(eq(u32, rank[0], 0));
	for (int i = 0; i < 5; i++)
		cr_assert(eq(u32, rank[code[i]], want[i]), "rank of '%s'", words[i]);
	ws_dict_fini(&d);
}

/* ---- table ----------------------------------------------------------------- */

/* Interns s into t's dictionary and returns its code. */
static uint32_t code_of(struct ws_table *t, const char *s)
{
	uint32_t c;

	cr_assert(eq(int, ws_dict_intern(&t->dict, s, strlen(s), &c), WS_OK));
	return c;
}

static struct ws_row make_row(uint32_t ward, uint32_t division, uint32_t indicator, int year,
			      double target, double actual, uint32_t line)
{
	struct ws_row r;

	memset(&r, 0, sizeof(r));
	r.ward = ward;
	r.division = division;
	r.indicator = indicator;
	r.year = year;
	r.target = target;
	r.actual = actual;
	r.line = line;
	return r;
}

Test(engine, table_append_grows_and_keeps_every_column)
{
	struct ws_table t;
	struct ws_row r, g;

	cr_assert(eq(int, ws_table_init(&t), WS_OK));
	for (uint32_t i = 0; i < 5000; i++) { /* past the first capacity (1024) twice */
		r = make_row(i % 7, i % 11, i, 2000 + (int)(i % 30), i % 5 ? (double)i / 4 : NAN,
			     -(double)i, i + 2);
		r.objective = i % 3;
		r.unit = i % 4;
		r.note = i % 2;
		r.direction = (uint8_t)(i % 3);
		r.evaluation = (uint8_t)(i % 4);
		r.file = 1;
		cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
	}
	cr_assert(eq(sz, t.n, 5000));
	cr_assert(ge(sz, t.cap, 5000));
	for (uint32_t i = 0; i < 5000; i++) {
		ws_table_get(&t, i, &g);
		cr_assert(eq(u32, g.ward, i % 7));
		cr_assert(eq(u32, g.division, i % 11));
		cr_assert(eq(u32, g.indicator, i));
		cr_assert(eq(u32, g.objective, i % 3));
		cr_assert(eq(u32, g.unit, i % 4));
		cr_assert(eq(u32, g.note, i % 2));
		cr_assert(eq(i32, g.year, 2000 + (int)(i % 30)));
		cr_assert(eq(u8, g.direction, (uint8_t)(i % 3)));
		cr_assert(eq(u8, g.evaluation, (uint8_t)(i % 4)));
		cr_assert(eq(u32, g.file, 1));
		cr_assert(eq(u32, g.line, i + 2));
		if (i % 5)
			cr_assert(ieee_ulp_eq(dbl, g.target, (double)i / 4, 0));
		else
			cr_assert(isnan(g.target), "row %u: a missing target stays NaN", i);
		cr_assert(ieee_ulp_eq(dbl, g.actual, -(double)i, 0));
	}
	cr_assert(gt(sz, ws_table_bytes(&t), 5000 * 40));
	ws_table_fini(&t);
	ws_table_fini(&t); /* no-op on a zeroed table */
}

/*
 * What rows repeat is kept once: rows of two series interleaved make two
 * attribute sets, not one per row; files are runs of rows; the note column
 * starts with the first note; a year outside 16 bits is refused.
 */
Test(engine, table_keeps_sets_once_and_files_as_runs)
{
	struct ws_table t;
	struct ws_row r = make_row(1, 2, 3, 2020, 1, 2, 0), g;

	cr_assert(eq(int, ws_table_init(&t), WS_OK));
	for (uint32_t i = 0; i < 12; i++) {
		r.indicator = 3 + i % 2; /* two series, alternating */
		r.file = i < 5 ? 7 : i < 9 ? 8 : 7; /* files 7, 8, then 7 again */
		r.line = i + 2;
		r.note = i == 6 ? 9 : 0;
		cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
		if (i < 6)
			cr_assert(eq(ptr, t.note, NULL), "no note column before the first note");
	}
	cr_assert(eq(sz, t.na, 2), "one set per series, not per row");
	cr_assert(eq(sz, t.nruns, 3));
	for (uint32_t i = 0; i < 12; i++) {
		ws_table_get(&t, i, &g);
		cr_assert(eq(u32, g.indicator, 3 + i % 2));
		cr_assert(eq(u32, g.file, i < 5 ? 7 : i < 9 ? 8 : 7), "row %u", i);
		cr_assert(eq(u32, g.note, i == 6 ? 9 : 0), "row %u", i);
		cr_assert(eq(u32, g.line, i + 2));
	}
	ws_table_truncate(&t, 7);
	cr_assert(eq(sz, t.n, 7));
	cr_assert(eq(sz, t.nruns, 2), "the run that started after row 7 goes");
	cr_assert(eq(u32, ws_table_file(&t, 6), 8));
	r.year = 40000;
	cr_assert(eq(int, ws_table_append(&t, &r), WS_EVALUE), "a year beyond 16 bits");
	cr_assert(eq(sz, t.n, 7));
	ws_table_release_provenance(&t);
	cr_assert(eq(ptr, t.line, NULL));
	ws_table_get(&t, 3, &g);
	cr_assert(eq(u32, g.line, 0));
	r.year = 2021;
	cr_assert(eq(int, ws_table_append(&t, &r), WS_EUSAGE), "no row after the release");
	ws_table_fini(&t);
}

/*
 * Sets appended from another table without a lookup (ws_table_append_sets,
 * as the parallel reader joins its chunks) may repeat a set; the index still
 * makes one series of them.
 */
Test(engine, index_groups_repeated_sets)
{
	struct ws_table t, u;
	struct ws_index ix;
	struct ws_err err = {0};
	uint32_t map[8], first;

	ws_table_init(&t);
	ws_table_init(&u);
	for (int y = 0; y < 3; y++) {
		struct ws_row r = make_row(0, code_of(&t, "A"), code_of(&t, "x"), 2020 + y, NAN, y, 0);

		ws_table_append(&t, &r);
	}
	for (int y = 3; y < 5; y++) {
		struct ws_row r = make_row(0, code_of(&u, "A"), code_of(&u, "x"), 2020 + y, NAN, y, 0);

		ws_table_append(&u, &r);
	}
	for (uint32_t c = 0; c < u.dict.n; c++)
		map[c] = code_of(&t, ws_dict_str(&u.dict, c));
	cr_assert(eq(int, ws_table_append_sets(&t, &u, map, &first), WS_OK));
	cr_assert(eq(u32, first, 1));
	cr_assert(eq(sz, t.na, 2), "the set is held twice");
	for (size_t i = 0; i < u.n; i++) {
		struct ws_row r;

		ws_table_get(&u, i, &r);
		r.division = map[r.division];
		r.indicator = map[r.indicator];
		cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
	}
	/* rows appended through ws_table_append find the first set; point the
	 * last two at the repeated set as the parallel reader does */
	t.attr[3] = t.attr[4] = first;
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 1), "one series from two equal sets");
	cr_assert(eq(sz, ix.start[1], 5));
	for (size_t j = 0; j < 5; j++)
		cr_assert(eq(i32, t.year[ix.row[j]], 2020 + (int)j));
	ws_index_fini(&ix);
	ws_table_fini(&u);
	ws_table_fini(&t);
}

Test(engine, table_reserve_avoids_regrowth)
{
	struct ws_table t;
	struct ws_row r = make_row(0, 0, 0, 2022, 1, 2, 2);
	double *actual;

	ws_table_init(&t);
	cr_assert(eq(int, ws_table_reserve(&t, 3000), WS_OK));
	cr_assert(eq(sz, t.cap, 3000));
	actual = t.actual;
	for (int i = 0; i < 3000; i++)
		ws_table_append(&t, &r);
	cr_assert(eq(ptr, t.actual, actual), "appending within the reserve reallocated");
	cr_assert(eq(sz, t.cap, 3000));
	ws_table_fini(&t);
}

/* ---- series index ------------------------------------------------------------ */

/*
 * A table whose rows arrive out of order: series interleaved, years shuffled.
 * Series (ward, division, indicator), bytewise: ("", B, x) < (中央区, A, y) <
 * (中央区, A, z) < (中央区, B, x). Row i has line 100 + i.
 */
static void shuffled_table(struct ws_table *t)
{
	static const struct {
		const char *w, *d, *c;
		int year;
	} rows[] = {
		{"中央区", "B", "x", 2021}, {"中央区", "A", "z", 2022}, {"", "B", "x", 2020},
		{"中央区", "A", "y", 2019}, {"中央区", "B", "x", 2019}, {"中央区", "A", "z", 2019},
		{"中央区", "A", "y", 2022}, {"", "B", "x", 2018},       {"中央区", "A", "z", 2020},
		{"中央区", "A", "y", 2020}, {"中央区", "B", "x", 2022}, {"中央区", "A", "y", 2021},
	};

	ws_table_init(t);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ws_row r = make_row(code_of(t, rows[i].w), code_of(t, rows[i].d),
					   code_of(t, rows[i].c), rows[i].year, NAN, (double)i,
					   100 + (uint32_t)i);

		cr_assert(eq(int, ws_table_append(t, &r), WS_OK));
	}
}

Test(engine, index_groups_series_bytewise_with_years_ascending)
{
	static const char *const want_series[4][3] = {
		{"", "B", "x"}, {"中央区", "A", "y"}, {"中央区", "A", "z"}, {"中央区", "B", "x"}};
	static const int want_years[4][4] = {
		{2018, 2020}, {2019, 2020, 2021, 2022}, {2019, 2020, 2022}, {2019, 2021, 2022}};
	static const size_t want_n[4] = {2, 4, 3, 3};
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};

	shuffled_table(&t);
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 4));
	cr_assert(eq(sz, ix.nrows, 12));
	cr_assert(eq(sz, ix.start[0], 0));
	cr_assert(eq(sz, ix.start[4], 12));
	for (size_t s = 0; s < 4; s++) {
		size_t b = ix.start[s], n = ix.start[s + 1] - b;

		cr_assert(eq(sz, n, want_n[s]), "series %zu", s);
		for (size_t j = 0; j < n; j++) {
			uint32_t r = ix.row[b + j];

			uint32_t a = t.attr[r];

			cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.ward[a]), (char *)want_series[s][0]));
			cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.division[a]), (char *)want_series[s][1]));
			cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.indicator[a]), (char *)want_series[s][2]));
			cr_assert(eq(i32, t.year[r], want_years[s][j]), "series %zu, row %zu", s, j);
		}
	}
	ws_index_fini(&ix);
	ws_index_fini(&ix); /* no-op on a zeroed index */
	ws_table_fini(&t);
}

Test(engine, index_keeps_input_order_for_equal_years)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};
	int years[] = {2022, 2020, 2020, 2019, 2020};

	ws_table_init(&t);
	for (int i = 0; i < 5; i++) {
		struct ws_row r = make_row(0, code_of(&t, "A"), code_of(&t, "x"), years[i], NAN, i,
					   (uint32_t)i + 2);

		ws_table_append(&t, &r);
	}
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 1));
	/* 2019 (row 3), then the 2020s in input order (rows 1, 2, 4), then 2022 (row 0) */
	cr_assert(eq(u32, ix.row[0], 3));
	cr_assert(eq(u32, ix.row[1], 1));
	cr_assert(eq(u32, ix.row[2], 2));
	cr_assert(eq(u32, ix.row[3], 4));
	cr_assert(eq(u32, ix.row[4], 0));
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

Test(engine, index_of_an_empty_table)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};

	ws_table_init(&t);
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 0));
	cr_assert(eq(sz, ix.nrows, 0));
	cr_assert(eq(sz, ix.start[0], 0));
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

/* Many series, in reverse of their bytewise order: the sort must reorder all of them. */
Test(engine, index_orders_many_series)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};
	char name[32];

	ws_table_init(&t);
	for (int i = 2999; i >= 0; i--)
		for (int y = 2; y >= 0; y--) {
			snprintf(name, sizeof(name), "ind-%05d", i);
			struct ws_row r = make_row(0, code_of(&t, "A"), code_of(&t, name), 2020 + y,
						   NAN, i, 0);

			ws_table_append(&t, &r);
		}
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 3000));
	for (size_t s = 0; s < 3000; s++) {
		snprintf(name, sizeof(name), "ind-%05zu", s);
		cr_assert(eq(sz, ix.start[s + 1] - ix.start[s], 3));
		for (size_t j = 0; j < 3; j++) {
			uint32_t r = ix.row[ix.start[s] + j];

			cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.indicator[t.attr[r]]), name));
			cr_assert(eq(i32, t.year[r], 2020 + (int)j));
		}
	}
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

Test(engine, index_remove_drops_rows_and_keeps_series)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};
	uint8_t drop[12] = {0};

	shuffled_table(&t);
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	/* drop both rows of ("", B, x), and (中央区, A, y) 2020 */
	drop[2] = drop[7] = drop[9] = 1;
	cr_assert(eq(int, ws_index_remove(&ix, drop), WS_OK));
	cr_assert(eq(sz, ix.nseries, 4), "a series with no rows left is kept, empty");
	cr_assert(eq(sz, ix.nrows, 9));
	cr_assert(eq(sz, ix.start[0], 0));
	cr_assert(eq(sz, ix.start[1], 0));
	cr_assert(eq(sz, ix.start[2], 3));
	cr_assert(eq(sz, ix.start[3], 6));
	cr_assert(eq(sz, ix.start[4], 9));
	cr_assert(eq(i32, t.year[ix.row[0]], 2019));
	cr_assert(eq(i32, t.year[ix.row[1]], 2021));
	cr_assert(eq(i32, t.year[ix.row[2]], 2022));
	for (size_t k = 0; k < ix.nrows; k++)
		cr_assert(not(eq(u8, drop[ix.row[k]], 1)), "dropped row %u still indexed", ix.row[k]);
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

Test(engine, err_set_and_strerror)
{
	struct ws_err err = {0};

	cr_assert(eq(int, ws_err_set(&err, WS_EVALUE, "%s:%d: bad '%s'", "a.csv", 3, "x"), WS_EVALUE));
	cr_assert(eq(int, err.code, WS_EVALUE));
	cr_assert(eq(str, err.msg, "a.csv:3: bad 'x'"));
	cr_assert(eq(int, ws_err_set(NULL, WS_EIO, "ignored"), WS_EIO));
	cr_assert(eq(str, (char *)ws_strerror(WS_ENOMEM), "out of memory"));
	cr_assert(eq(str, (char *)ws_eval_name(WS_EVAL_PARTIAL), "一部未達成"));
	cr_assert(eq(str, (char *)ws_eval_name(WS_EVAL_NONE), ""));
}

/* ---- ws_fmt_double: the same text as printf("%.*g") ---------------------- */

/*
 * Provenance: glibc's printf is the reference (it rounds the exact binary value
 * correctly, ties to even). Fixed cases cover the %g switch to exponent form,
 * integers at the precision edge, negative zero and values whose 16th digit is
 * a tie; then 200,000 values from a fixed xorshift stream, each at precisions
 * 4 and 15 (the two wardstat uses).
 */
Test(engine, fmt_double_matches_printf)
{
	static const double fixed[] = {0.0,     -0.0,     1.0,    -2.19,  4.6,     85.0,
				       0.1,     1e-4,     1e-5,   123456789012345.0,
				       1e15,    999999999999999.4,  0.5,    2.5,     1.25,
				       -855.93, 4520.42,  1e300,  1e-300, 6e-12,   439298631675244.5};
	char a[64], b[64];
	uint64_t x = 88172645463325252ull;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (int p = 1; p <= 17; p++) {
			ws_fmt_double(fixed[i], p, a, sizeof(a));
			snprintf(b, sizeof(b), "%.*g", p, fixed[i]);
			cr_assert(eq(str, a, b), "%.17g at precision %d", fixed[i], p);
		}
	for (int i = 0; i < 200000; i++) {
		double v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * pow(10, (int)(x % 30) - 15);
		for (int p = 4; p <= 15; p += 11) {
			ws_fmt_double(v, p, a, sizeof(a));
			snprintf(b, sizeof(b), "%.*g", p, v);
			cr_assert(eq(str, a, b), "%.17g at precision %d", v, p);
		}
	}
}

/*
 * The exponent form (d.ddde-05), written without snprintf: the exponent has a
 * sign and at least two digits, three from e+100 on. Provenance: glibc's
 * snprintf("%.*g") on the same value. The values are the p-values of the
 * series table (3.86116392733123e-05), the %g switch at e-05 and e+prec,
 * 9.999999999999999e-05 whose rounding carries into 1e-04 (fixed form again
 * from precision 15 down), and values the fast path leaves to snprintf:
 * beyond 10^22 of scaling (-2.5e-300, 1e+300), subnormals, the extremes.
 */
Test(engine, fmt_double_exponent_form_matches_printf)
{
	static const double fixed[] = {
		1e-5,   3.86116392733123e-05, 1.5e+20, -2.5e-300, 9.999999999999999e-05,
		9.5e-05, 0.000099999999999999991, 1.2345678901234567e-07, -4.4e-15, 5.51146384479718e-06,
		1e15,   1.5e16,  123456789012345678.0, 1e21, 1e22, 1e23, -6.02214076e+23, 1e100,
		1e+300, 4.9406564584124654e-324, 2.5e-310, 2.2250738585072014e-308,
		1.7976931348623157e+308, -9.87654321e-10, 0.00001, 0.000010000000000000001};
	char a[64], b[64];

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (int p = 1; p <= 15; p++) {
			size_t n = ws_fmt_double(fixed[i], p, a, sizeof(a));

			snprintf(b, sizeof(b), "%.*g", p, fixed[i]);
			cr_assert(eq(str, a, b), "%.17g at precision %d", fixed[i], p);
			cr_assert(eq(sz, n, strlen(b)), "%.17g at precision %d", fixed[i], p);
		}
	ws_fmt_double(3.86116392733123e-05, 15, a, sizeof(a));
	cr_assert(eq(str, a, "3.86116392733123e-05"));
	ws_fmt_double(1.5e+20, 15, a, sizeof(a));
	cr_assert(eq(str, a, "1.5e+20"));
	ws_fmt_double(9.999999999999999e-05, 15, a, sizeof(a));
	cr_assert(eq(str, a, "0.0001"));
}

/*
 * A fixed-seed xorshift stream of doubles against snprintf at every precision
 * 1..15: raw 64-bit patterns (every exponent, subnormals, NaN, inf), values
 * m * 10^k with k in [-30, 30] (the exponent form inside the fast path) and
 * short decimals n / 10^k (trailing zeros, ties). Deterministic: the same
 * 300,000 values each run.
 */
Test(engine, fmt_double_random_matches_printf)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	char a[64], b[64];
	size_t exp_form = 0;

	for (int i = 0; i < 300000; i++) {
		double v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		switch (i % 3) {
		case 0: memcpy(&v, &x, sizeof(v)); break;
		case 1:
			v = ((double)(x >> 11) / 9007199254740992.0 + 0.1) * pow(10, (int)(x % 61) - 30);
			break;
		default: v = (double)(int64_t)(x >> 40) / pow(10, (int)(x % 12)); break;
		}
		if (x & 1)
			v = -v;
		for (int p = 1; p <= 15; p++) {
			size_t n = ws_fmt_double(v, p, a, sizeof(a));

			snprintf(b, sizeof(b), "%.*g", p, v);
			cr_assert(eq(str, a, b), "%.17g (bits %016llx) at precision %d", v,
				  (unsigned long long)x, p);
			cr_assert(eq(sz, n, strlen(b)));
			exp_form += strchr(b, 'e') != NULL;
		}
	}
	cr_assert(gt(sz, exp_form, 1000000), "the stream reaches the exponent form");
}

/* Few series among many strings: the series are sorted by comparison, not by
 * counting (sort_series' other path); the order is the same bytewise order. */
Test(engine, index_orders_series_among_many_strings)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};
	char name[32];

	ws_table_init(&t);
	for (int i = 0; i < 20000; i++) { /* strings no series uses */
		snprintf(name, sizeof(name), "unused-%05d", i);
		code_of(&t, name);
	}
	for (int i = 99; i >= 0; i--) {
		snprintf(name, sizeof(name), "ind-%03d", i);
		struct ws_row r = make_row(0, code_of(&t, i % 2 ? "B" : "A"), code_of(&t, name), 2020,
					   NAN, i, 0);

		ws_table_append(&t, &r);
	}
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 100));
	for (size_t s = 0; s < 100; s++) {
		uint32_t a = t.attr[ix.row[ix.start[s]]];
		/* division A holds the even indicators, B the odd, each in order */
		int want = s < 50 ? 2 * (int)s : 2 * ((int)s - 50) + 1;

		snprintf(name, sizeof(name), "ind-%03d", want);
		cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.division[a]), s < 50 ? "A" : "B"));
		cr_assert(eq(str, (char *)ws_dict_str(&t.dict, t.indicator[a]), name));
	}
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

/*
 * Sets against rows: with a series' rows together, sets are looked up in the
 * small cache of recent sets only (no full hash) and each is held once; with
 * rows sorted by year and more series than the cache holds, the full hash
 * takes over once the sets pass a quarter of the rows, and the later years
 * find their sets: one set per series either way.
 */
Test(engine, sets_found_again_in_both_orders)
{
	struct ws_table t;
	struct ws_index ix;
	struct ws_err err = {0};
	char name[32];
	uint32_t *code = malloc(70000 * sizeof(*code));

	cr_assert(code != NULL);
	ws_table_init(&t);
	for (int i = 0; i < 70000; i++) {
		snprintf(name, sizeof(name), "ind-%05d", i);
		code[i] = code_of(&t, name);
	}
	for (int i = 0; i < 10000; i++) /* series by series */
		for (int y = 0; y < 10; y++) {
			struct ws_row r = make_row(0, 0, code[i], 2010 + y, NAN, y, 0);

			cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
		}
	cr_assert(eq(sz, t.na, 10000));
	cr_assert(eq(int, t.a_global, 0), "no full hash for rows that come together");
	ws_table_fini(&t);

	ws_table_init(&t);
	for (int i = 0; i < 70000; i++) {
		snprintf(name, sizeof(name), "ind-%05d", i);
		code[i] = code_of(&t, name);
	}
	for (int y = 0; y < 2; y++) /* year by year: a series' rows 70,000 apart */
		for (int i = 0; i < 70000; i++) {
			struct ws_row r = make_row(0, 0, code[i], 2020 + y, NAN, y, 0);

			cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
		}
	cr_assert(eq(int, t.a_global, 1), "the full hash took over");
	cr_assert(eq(sz, t.na, 70000), "the second year found every set");
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK));
	cr_assert(eq(sz, ix.nseries, 70000));
	cr_assert(eq(sz, ix.start[1], 2));
	ws_index_fini(&ix);
	ws_table_fini(&t);
	free(code);
}
