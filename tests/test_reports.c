/*
 * test_reports.c: Criterion tests of reports/ through its public header: the
 * series table of `report -f csv -o DIR` byte for byte.
 *
 * The expected text is built here from the statistics columns with the rules
 * of FORMATS.md §2 and RFC 4180, independently of the writer: numbers as
 * printf("%.15g") ("" for NaN, "0" for -0), integers empty when negative,
 * text quoted when it holds a comma, quote, CR or LF (the quote doubled), and
 * with --excel also when it starts with = + - @ tab or CR, then with an
 * apostrophe after the opening quote.
 *
 * Usage: make unit   (or build/tests/test_reports --verbose)
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/ws_engine.h"
#include "../reports/ws_report.h"
#include "../stats/ws_stats.h"

/* Text that needs every quoting rule, and text that needs none. */
static const char *const texts[] = {"plain", "a,b", "say \"hi\"", "=1+2", "+81", "-5", "@home",
				    "\ttab", "\rcr", "line\nfeed", "\"", "中央区", "x=1", "課,\"=\""};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

/* An append-only string for the expected file. */
struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		cr_assert(not(eq(ptr, t->s, NULL)));
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void add_str(struct text *t, const char *s, int excel)
{
	int lead = excel && s[0] && strchr("=+-@\t\r", s[0]);

	if (!lead && !strpbrk(s, ",\"\r\n")) {
		add(t, s, strlen(s));
		return;
	}
	add(t, lead ? "\"'" : "\"", lead ? 2 : 1);
	for (; *s; s++)
		add(t, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	add(t, "\"", 1);
}

static void add_num(struct text *t, double x)
{
	char buf[64];

	if (isnan(x))
		return;
	snprintf(buf, sizeof(buf), "%.15g", x == 0 ? 0.0 : x);
	add(t, buf, strlen(buf));
}

static void add_int(struct text *t, long v)
{
	char buf[32];

	if (v >= 0)
		add(t, buf, (size_t)snprintf(buf, sizeof(buf), "%ld", v));
}

static void add_bool(struct text *t, int v)
{
	if (v >= 0)
		add(t, v ? "true" : "false", v ? 4 : 5);
}

/* The columns of FORMATS.md §2 (and wardstat's own after them). */
static const char header[] =
	"ward,division,objective,indicator,unit,direction,n,first_year,last_year,slope,"
	"intercept,r2,review_year,target,actual,gap,achievement,met,years_below,streak,"
	"persistent,slope_se,slope_p,sen_slope,mk_s,mk_p,forecast_year,forecast,forecast_lo,"
	"forecast_hi,years_to_target,progress,band,lag,reason\n";

/* The expected series.csv of st; with core only the 21 columns of FORMATS.md §2. */
static void expected_series(const struct ws_table *tab, const struct ws_stats *st, int excel,
			    int core, struct text *t)
{
	const struct ws_series_stats *s = &st->series;
	const struct ws_dict *d = &tab->dict;

	if (excel)
		add(t, "\xEF\xBB\xBF", 3);
	if (core) {
		add(t, header, (size_t)(strstr(header, ",slope_se") - header));
		add(t, "\n", 1);
	} else {
		add(t, header, strlen(header));
	}
	for (size_t i = 0; i < s->n; i++) {
		const uint32_t codes[5] = {s->ward[i], s->division[i], s->objective[i],
					   s->indicator[i], s->unit[i]};
		const double nums1[] = {s->slope[i], s->intercept[i], s->r2[i]};
		const double nums2[] = {s->target[i], s->actual[i], s->gap[i], s->achievement[i]};
		const double nums3[] = {s->slope_se[i], s->slope_p[i], s->sen_slope[i], s->mk_s[i],
					s->mk_p[i]};
		const double nums4[] = {s->forecast[i], s->forecast_lo[i], s->forecast_hi[i],
					s->years_to_target[i], s->progress[i]};

		for (int c = 0; c < 5; c++) {
			add_str(t, ws_dict_str(d, codes[c]), excel);
			add(t, ",", 1);
		}
		add_str(t, s->direction[i] == WS_DIR_LOWER ? "lower" : "higher", excel);
		add(t, ",", 1);
		add_int(t, s->nobs[i]), add(t, ",", 1);
		add_int(t, s->first_year[i]), add(t, ",", 1);
		add_int(t, s->last_year[i]), add(t, ",", 1);
		for (int c = 0; c < 3; c++)
			add_num(t, nums1[c]), add(t, ",", 1);
		add_int(t, s->review_year[i]), add(t, ",", 1);
		for (int c = 0; c < 4; c++)
			add_num(t, nums2[c]), add(t, ",", 1);
		add_bool(t, s->met[i]), add(t, ",", 1);
		add_int(t, s->years_below[i]), add(t, ",", 1);
		add_int(t, s->streak[i]), add(t, ",", 1);
		add_bool(t, s->persistent[i]);
		if (core) {
			add(t, "\n", 1);
			continue;
		}
		add(t, ",", 1);
		for (int c = 0; c < 5; c++)
			add_num(t, nums3[c]), add(t, ",", 1);
		add_int(t, s->forecast_year[i]), add(t, ",", 1);
		for (int c = 0; c < 5; c++)
			add_num(t, nums4[c]), add(t, ",", 1);
		add_str(t, ws_stats_band_name(s->band[i]), excel), add(t, ",", 1);
		add_int(t, s->lag[i]), add(t, ",", 1);
		add_str(t, s->text + s->reason[i], excel);
		add(t, "\n", 1);
	}
}

/* Reads path into a malloc'd buffer; *len gets its size. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert(not(eq(ptr, f, NULL)), "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert(eq(sz, fread(buf, 1, (size_t)n, f), (size_t)n));
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char dv_header[] = "ward,division,indicators,reviewed,met,met_share,mean_achievement,"
				"persistent,rank,completeness\n";
static const char ob_header[] = "ward,division,objective,indicators,reviewed,met,status,recorded,"
				"agrees\n";

/* The expected divisions.csv and objectives.csv of st, from its columns. */
static void expected_rollups(const struct ws_table *tab, const struct ws_stats *st, int excel,
			     struct text *dv, struct text *ob)
{
	const struct ws_division_stats *d = &st->divisions;
	const struct ws_objective_stats *o = &st->objectives;
	const struct ws_dict *dict = &tab->dict;

	if (excel)
		add(dv, "\xEF\xBB\xBF", 3), add(ob, "\xEF\xBB\xBF", 3);
	add(dv, dv_header, strlen(dv_header));
	for (size_t i = 0; i < d->n; i++) {
		add_str(dv, ws_dict_str(dict, d->ward[i]), excel), add(dv, ",", 1);
		add_str(dv, ws_dict_str(dict, d->division[i]), excel), add(dv, ",", 1);
		add_int(dv, d->indicators[i]), add(dv, ",", 1);
		add_int(dv, d->reviewed[i]), add(dv, ",", 1);
		add_int(dv, d->met[i]), add(dv, ",", 1);
		add_num(dv, d->met_share[i]), add(dv, ",", 1);
		add_num(dv, d->mean_achievement[i]), add(dv, ",", 1);
		add_int(dv, d->persistent[i]), add(dv, ",", 1);
		add_int(dv, d->rank[i]), add(dv, ",", 1);
		add_num(dv, d->completeness[i]), add(dv, "\n", 1);
	}
	add(ob, ob_header, strlen(ob_header));
	for (size_t i = 0; i < o->n; i++) {
		add_str(ob, ws_dict_str(dict, o->ward[i]), excel), add(ob, ",", 1);
		add_str(ob, ws_dict_str(dict, o->division[i]), excel), add(ob, ",", 1);
		add_str(ob, ws_dict_str(dict, o->objective[i]), excel), add(ob, ",", 1);
		add_int(ob, o->indicators[i]), add(ob, ",", 1);
		add_int(ob, o->reviewed[i]), add(ob, ",", 1);
		add_int(ob, o->met[i]), add(ob, ",", 1);
		add_str(ob, ws_eval_name(o->status[i]), excel), add(ob, ",", 1);
		add_str(ob, ws_eval_name(o->recorded[i]), excel), add(ob, ",", 1);
		add_bool(ob, o->agrees[i]), add(ob, "\n", 1);
	}
}

/* Compares the file path with want; names the first differing byte. */
static void same_file(const char *path, const struct text *want, const char *what)
{
	size_t n, at = 0;
	char *got = slurp(path, &n);

	while (at < n && at < want->len && got[at] == want->s[at])
		at++;
	cr_assert(eq(sz, at, want->len), "%s: first difference at byte %zu of %zu (got %zu bytes)",
		  what, at, want->len, n);
	cr_assert(eq(sz, n, want->len), "%s", what);
	free(got);
}

static uint32_t intern(struct ws_table *t, const char *s)
{
	uint32_t code;

	cr_assert(eq(int, ws_dict_intern(&t->dict, s, strlen(s), &code), WS_OK));
	return code;
}

/*
 * The review computed and written in one pass (ws_report_csv_review) gives
 * the four files that ws_report_write just wrote into dir, byte for byte.
 */
static void one_pass_gives_the_same(const struct ws_table *t, const struct ws_index *ix,
				    const struct ws_report_opts *o, const char *dir)
{
	static const char *const names[] = {"series", "divisions", "objectives", "ward"};
	struct ws_stats_opts so = {.near = 0.9, .streak = 3, .threads = o->threads,
				   .core = o->core};
	struct ws_stats st;
	struct ws_err err = {0};
	char *before[4], path[256];
	size_t len[4];
	double secs = -1;

	for (int k = 0; k < 4; k++) {
		snprintf(path, sizeof(path), "%s/%s.csv", dir, names[k]);
		before[k] = slurp(path, &len[k]);
	}
	cr_assert(eq(int, ws_report_csv_review(t, ix, &so, o, dir, &st, &secs, &err), WS_OK), "%s",
		  err.msg);
	cr_assert(secs >= 0, "the time of the statistics is given");
	cr_assert(eq(ptr, st.series.slope, NULL), "only the roll-up columns are kept");
	for (int k = 0; k < 4; k++) {
		size_t n;
		char *got;

		snprintf(path, sizeof(path), "%s/%s.csv", dir, names[k]);
		got = slurp(path, &n);
		cr_assert(eq(sz, n, len[k]), "%s.csv, threads %d, excel %d, core %d", names[k],
			  o->threads, o->excel, o->core);
		cr_assert(memcmp(got, before[k], n) == 0, "%s.csv, threads %d, excel %d, core %d",
			  names[k], o->threads, o->excel, o->core);
		free(got);
		free(before[k]);
	}
	ws_stats_fini(&st);
}

/*
 * 20,000 series (five blocks of 4096 rows, so several threads format them)
 * whose texts come from `texts` and whose numbers run from 1e-7 to 1e7, with
 * gaps: series.csv must be the expected text with --threads 1 and 3, with and
 * without --excel, and with --columns=core (statistics computed with core,
 * the expected text from the full pass's columns).
 */
Test(reports, series_csv_is_the_cells_byte_for_byte)
{
	struct ws_stats_opts so = {.near = 0.9, .streak = 3, .threads = 2};
	struct ws_table t;
	struct ws_index ix;
	struct ws_stats st, core;
	struct ws_err err = {0};
	char dir[] = "/tmp/wardstat-test-XXXXXX", path[256];
	uint64_t x = 88172645463325252ull;

	cr_assert(eq(int, ws_table_init(&t), WS_OK));
	for (int i = 0; i < 20000; i++) {
		struct ws_row r = {0};
		char name[64];
		int years = 1 + i % 5;

		snprintf(name, sizeof(name), "%s#%d", texts[(size_t)i % NTEXTS], i);
		r.ward = intern(&t, texts[(size_t)i / 7000 % NTEXTS]);
		r.division = intern(&t, texts[(size_t)(i / 100) % NTEXTS]);
		r.objective = intern(&t, texts[(size_t)(i / 3) % NTEXTS]);
		r.indicator = intern(&t, name);
		r.unit = i % 4 ? intern(&t, texts[(size_t)(i / 11) % NTEXTS]) : 0;
		r.direction = i % 3 ? WS_DIR_HIGHER : WS_DIR_LOWER;
		for (int y = 0; y < years; y++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			r.year = (i % 50 != 4 ? 2015 : 9997) + y; /* some cross 10000 */
			r.target = x % 9 ? (double)(x % 1000) * pow(10, (int)(x % 15) - 7) : NAN;
			r.actual = x % 7 ? (double)(x % 997 + 1) * pow(10, (int)(x % 15) - 7) : NAN;
			cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
		}
	}
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK), "%s", err.msg);
	cr_assert(eq(int, ws_stats_compute(&t, &ix, &so, &st, &err), WS_OK), "%s", err.msg);
	cr_assert(eq(sz, st.series.n, 20000));
	cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
	snprintf(path, sizeof(path), "%s/series.csv", dir);
	so.core = 1;
	cr_assert(eq(int, ws_stats_compute(&t, &ix, &so, &core, &err), WS_OK), "%s", err.msg);
	for (int k = 0; k < 4; k++) {
		int excel = k & 1, c = k >> 1;
		struct text want = {0}, dv = {0}, ob = {0};

		expected_series(&t, &st, excel, c, &want);
		expected_rollups(&t, &st, excel, &dv, &ob);
		for (int threads = 1; threads <= 3; threads += 2) {
			struct ws_report_opts o = {.format = WS_FMT_CSV, .excel = excel, .core = c,
						   .threads = threads, .index = &ix};
			size_t n, at = 0;
			char *got;

			cr_assert(eq(int, ws_report_write(&t, c ? &core : &st, &o, dir, &err), WS_OK),
				  "%s", err.msg);
			got = slurp(path, &n);
			while (at < n && at < want.len && got[at] == want.s[at])
				at++;
			cr_assert(eq(sz, at, want.len), "excel %d, core %d, threads %d: first "
				  "difference at byte %zu of %zu (got %zu bytes)", excel, c, threads,
				  at, want.len, n);
			cr_assert(eq(sz, n, want.len));
			free(got);
			snprintf(path, sizeof(path), "%s/divisions.csv", dir);
			same_file(path, &dv, "divisions.csv");
			snprintf(path, sizeof(path), "%s/objectives.csv", dir);
			same_file(path, &ob, "objectives.csv");
			snprintf(path, sizeof(path), "%s/series.csv", dir);
			one_pass_gives_the_same(&t, &ix, &o, dir);
		}
		free(want.s);
		free(dv.s);
		free(ob.s);
	}
	ws_stats_fini(&core);
	for (int k = 0; k < 4; k++) {
		static const char *const names[] = {"series", "divisions", "objectives", "ward"};

		snprintf(path, sizeof(path), "%s/%s.csv", dir, names[k]);
		unlink(path);
	}
	rmdir(dir);
	ws_stats_fini(&st);
	ws_index_fini(&ix);
	ws_table_fini(&t);
}

/*
 * A write that fails while the series table is streamed (stdout is /dev/full,
 * the writer thread is busy: 20,000 series) is WS_EIO with the writer's
 * message, not a statistics error, and the pass stops cleanly.
 */
Test(reports, one_pass_review_reports_a_failed_write)
{
	struct ws_stats_opts so = {.near = 0.9, .streak = 3, .threads = 2};
	struct ws_report_opts o = {.format = WS_FMT_CSV, .threads = 2};
	struct ws_table t;
	struct ws_index ix;
	struct ws_stats st;
	struct ws_err err = {0};

	cr_assert(eq(int, ws_table_init(&t), WS_OK));
	for (int i = 0; i < 20000; i++) {
		struct ws_row r = {0};
		char name[32];

		snprintf(name, sizeof(name), "ind-%05d", i);
		r.indicator = intern(&t, name);
		r.division = intern(&t, "D");
		for (int y = 0; y < 3; y++) {
			r.year = 2020 + y;
			r.target = 10;
			r.actual = 9 + y;
			cr_assert(eq(int, ws_table_append(&t, &r), WS_OK));
		}
	}
	cr_assert(eq(int, ws_index_build(&t, &ix, &err), WS_OK), "%s", err.msg);
	cr_assert(not(eq(ptr, freopen("/dev/full", "w", stdout), NULL)));
	cr_assert(eq(int, ws_report_csv_review(&t, &ix, &so, &o, "-", &st, NULL, &err), WS_EIO));
	cr_assert(eq(str, err.msg, "stdout: writing failed: No space left on device"));
	ws_stats_fini(&st);
	ws_index_fini(&ix);
	ws_table_fini(&t);
}
