/*
 * gen.c: deterministic synthetic indicator histories (wardstat gen).
 *
 * A splitmix64 stream seeded by --seed drives every choice, so a seed gives
 * the same bytes on every machine (no rand(), no floating-point formatting
 * that depends on the locale). Series s belongs to ward s / 144, division
 * (s / 12) % 12, objective (s / 3) % 4 + 1, indicator s % 3 + 1. Each
 * series draws a kind (count, people, percent, score), a level, a trend and
 * noise; targets start after the first third of the years and sit near the
 * trend; the first indicator of each objective carries the objective's
 * recorded verdict on its newest year.
 */
#include "ws_bench.h"

#include <math.h>
#include <string.h>

/* splitmix64: a small, well-mixed 64-bit generator (Steele, Lea, Flood 2014). */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double unif(uint64_t *s)
{
	return (double)(next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static const char *const wards[] = {"中央区", "北区", "東区", "江南区", "秋葉区", "南区",
				    "西区", "西蒲区"};
static const char *const kinds[][2] = {{"件", "件数"}, {"人", "参加者数"}, {"%", "割合"},
				       {"点", "平均点"}, {"回", "開催回数"}};

int ws_bench_gen(FILE *f, size_t series, int years, unsigned long seed)
{
	uint64_t st = seed * 0x2545F4914F6CDD1Dull + 1;
	int first = 2023 - years, tstart = first + years / 3;
	static char buf[1 << 20];

	setvbuf(f, buf, _IOFBF, sizeof(buf));
	fputs("ward,division,objective,indicator,unit,direction,year,target,actual,evaluation\n", f);
	for (size_t s = 0; s < series; s++) {
		size_t w = s / 144, d = (s / 12) % 12, o = (s / 3) % 4 + 1, i = s % 3 + 1;
		int kind = (int)(next(&st) % 5), lower = unif(&st) < 0.15;
		double level, trend, noise, tgap;
		char ward[64];
		const char *verdict = "";

		if (w < sizeof(wards) / sizeof(wards[0]))
			snprintf(ward, sizeof(ward), "%s", wards[w]);
		else
			snprintf(ward, sizeof(ward), "市%zu第%zu区", w / 8, w % 8 + 1);
		switch (kind) {
		case 0: level = 5 + 45 * unif(&st); break;
		case 1: level = 50 + 9950 * unif(&st); break;
		case 2: level = 60 + 35 * unif(&st); break;
		case 3: level = 3.5 + 1.3 * unif(&st); break;
		default: level = 2 + 30 * unif(&st); break;
		}
		trend = level * (unif(&st) - 0.5) * 0.08;
		noise = level * 0.05;
		tgap = level * (unif(&st) - 0.3) * 0.1;
		if (i == 1) {
			double u = unif(&st);

			verdict = u < 0.6 ? "達成" : u < 0.85 ? "一部未達成" : "未達成";
		}
		for (int y = first; y <= 2022; y++) {
			double a = level + trend * (y - first) + noise * (unif(&st) * 2 - 1);
			double tg = level + trend * (y - first) + (lower ? -tgap : tgap);
			int miss = unif(&st) < 0.03;
			char av[32] = "", tv[32] = "";

			if (kind == 2) {
				a = a > 100 ? 100 : a;
				tg = tg > 100 ? 100 : tg;
			}
			if (a < 0)
				a = 0;
			if (tg < 0)
				tg = 0;
			if (kind == 2 || kind == 3) {
				if (!miss)
					snprintf(av, sizeof(av), "%.*f", kind == 3 ? 2 : 1, a);
				if (y >= tstart)
					snprintf(tv, sizeof(tv), "%.*f", kind == 3 ? 2 : 1, tg);
			} else {
				if (!miss)
					snprintf(av, sizeof(av), "%.0f", floor(a + 0.5));
				if (y >= tstart)
					snprintf(tv, sizeof(tv), "%.0f", floor(tg + 0.5));
			}
			fprintf(f, "%s,課%02zu,%zu,%s%zu-%zu,%s,%s,%d,%s,%s,%s\n", ward, d + 1, o,
				kinds[kind][1], o, i, kinds[kind][0], lower ? "lower" : "higher", y,
				tv, av, y == 2022 ? verdict : "");
		}
	}
	if (fflush(f) != 0 || ferror(f))
		return WS_EIO;
	return WS_OK;
}
