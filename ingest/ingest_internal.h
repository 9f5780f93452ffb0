/*
 * ingest_internal.h: what the files of ingest/ share and nobody else sees.
 */
#ifndef WS_INGEST_INTERNAL_H
#define WS_INGEST_INTERNAL_H

#include "ws_ingest.h"

/* Appends an entry to the log; reason is printf-formatted, text copied verbatim. */
int ws_log_add(struct ws_ingest_log *log, int kind, uint32_t file, uint32_t line,
	       uint32_t column, const char *text, size_t text_len, const char *fmt, ...)
	WS_PRINTF(8, 9);

/*
 * Applies the merge rules of FORMATS.md §1d over the index: duplicates kept
 * once, restated figures resolved by the file whose newest year is later (on
 * a tie the one named later), conflicts inside one file and a series with two
 * directions or units are errors. File k (in command-line order) has the
 * dictionary code fcode[k] and newest year newest[k].
 */
int ws_ingest_merge(const struct ws_table *t, struct ws_index *ix, struct ws_ingest_log *log,
		    const uint32_t *fcode, const int32_t *newest, size_t nfiles,
		    struct ws_err *err);

#endif
