/*
 * ws_bench.h: the synthetic-history generator behind `wardstat gen` and the
 * benchmarks of bench/.
 *
 * Usage: ws_bench_gen(stdout, 100000, 10, 1);  (100,000 series of 10 years)
 */
#ifndef WS_BENCH_H
#define WS_BENCH_H

#include <stddef.h>
#include <stdio.h>

#include "../engine/ws_engine.h"

/*
 * Writes series*years rows in the long layout (FORMATS.md §1a) to f: wards of
 * twelve divisions, objectives of three indicators, about 15% lower-is-better,
 * about 3% missing actuals, no targets in the first third of the years,
 * magnitudes like the real sheets (counts, people, percentages, 5-point
 * scores). The same seed gives the same bytes. Returns WS_OK or WS_EIO.
 */
int ws_bench_gen(FILE *f, size_t series, int years, unsigned long seed);

#endif
