/*
 * stats_internal.h: what the files of stats/ share and nobody else sees.
 */
#ifndef WS_STATS_INTERNAL_H
#define WS_STATS_INTERNAL_H

#include "ws_stats.h"

/* Builds the divisions, objectives and ward tables from st->series; the first
 * two at once when threads > 1. */
int ws_stats_rollup(const struct ws_table *t, struct ws_stats *st, int threads);
/* Frees the roll-up tables; no-op when zeroed. */
void ws_stats_rollup_free(struct ws_stats *st);

#endif
