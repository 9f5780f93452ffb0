/*
 * ws_engine.h: the columnar table of observations and its series index.
 *
 * This file contains the public interface of engine/: status codes and error
 * text shared by every module, a string dictionary (interning), the table of
 * observations held as plain column arrays, and the series index that groups
 * rows by (ward, division, indicator) with years in order.
 *
 * Missing numbers are NaN, everywhere: a target or actual that a sheet left
 * empty is NaN in the column and is tested with isnan(). Strings are never
 * stored per row: each row holds a uint32_t code into the table's dictionary.
 *
 * Usage:
 *   struct ws_table t; ws_table_init(&t);
 *   ... ws_table_append(&t, &row) for each observation ...
 *   struct ws_index ix; ws_index_build(&t, &ix, &err);
 *   for (size_t s = 0; s < ix.nseries; s++)  rows ix.row[ix.start[s] .. ix.start[s+1]-1]
 *   ws_index_fini(&ix); ws_table_fini(&t);
 */
#ifndef WS_ENGINE_H
#define WS_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define WS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WS_PRINTF(a, b)
#endif

/* Status codes returned by every fallible function of wardstat. */
enum ws_status {
	WS_OK = 0,   /* success */
	WS_ENOMEM,   /* an allocation failed */
	WS_EIO,      /* a file could not be read or written */
	WS_EPARSE,   /* malformed CSV or text encoding */
	WS_EVALUE,   /* a cell holds a value that is not allowed */
	WS_ESCHEMA,  /* a header lacks a column, or series facts conflict */
	WS_EUSAGE    /* the caller asked for something impossible */
};

/* Error text filled by library code; main.c prints it. */
struct ws_err {
	int code;       /* enum ws_status, WS_OK when nothing failed */
	char msg[512];  /* "file:line:column: what is wrong, 'the text'" */
};

/* Sets err->code and formats err->msg; a NULL err is ignored. Returns code. */
int ws_err_set(struct ws_err *err, int code, const char *fmt, ...) WS_PRINTF(3, 4);

/* A static description of a status code; do not free it. */
const char *ws_strerror(int code);

/*
 * Formats x as printf("%.*g", prec, x) would (prec 1..17), without the cost
 * of printf for ordinary values. buf needs at least 32 bytes. Returns the
 * length written (NUL-terminated).
 */
size_t ws_fmt_double(double x, int prec, char *buf, size_t cap);

/* Monotonic seconds (CLOCK_MONOTONIC), for the stage timings. */
double ws_engine_now(void);

/* Most threads any stage uses (parse, statistics, CSV formatting). */
#define WS_MAX_THREADS 8

/*
 * Threads a stage should use: `requested` when above 0 (the --threads option),
 * else one per online core; always 1..WS_MAX_THREADS. The one place that
 * decides it, so that --threads governs every stage.
 */
int ws_engine_threads(int requested);

/* ---- string dictionary -------------------------------------------------- */

/*
 * An open-addressing hash table over one byte arena. Each distinct string
 * gets a code 0, 1, 2 ... in order of first appearance. Code 0 is always the
 * empty string. Strings are stored NUL-terminated, so ws_dict_str() can be
 * used as a C string.
 */
struct ws_dict {
	char *arena;       /* all strings, each followed by a NUL */
	size_t arena_len;  /* bytes used in arena */
	size_t arena_cap;  /* bytes allocated for arena */
	uint64_t *off;     /* off[code]: offset of the string in arena */
	uint32_t *len;     /* len[code]: length without the NUL */
	uint32_t n;        /* number of strings */
	uint32_t cap;      /* entries allocated in off/len */
	uint32_t *slot;    /* hash slots: code + 1, 0 = empty */
	uint32_t nslot;    /* power of two */
	int frozen;        /* read-only: the strings live in a mapped snapshot */
};

/* Initialises an empty dictionary holding only "" (code 0). */
int ws_dict_init(struct ws_dict *d);
/* Frees what the dictionary owns; no-op on a zeroed struct. */
void ws_dict_fini(struct ws_dict *d);
/* Interns s[0..len) (need not be NUL-terminated); *code receives its code. */
int ws_dict_intern(struct ws_dict *d, const char *s, size_t len, uint32_t *code);
/* Borrowed pointer, valid until the next intern or ws_dict_fini. */
static inline const char *ws_dict_str(const struct ws_dict *d, uint32_t code)
{
	return d->arena + d->off[code];
}
/*
 * Fills rank[code] (caller allocates d->n entries) with the position of each
 * string in bytewise (strcmp) order, so codes compare as their strings do.
 */
int ws_dict_rank(const struct ws_dict *d, uint32_t *rank);

/* ---- the table ---------------------------------------------------------- */

enum ws_direction {
	WS_DIR_UNSET = 0,  /* not given: higher is better */
	WS_DIR_HIGHER,     /* higher is better */
	WS_DIR_LOWER       /* lower is better (waiting days, illegal bicycles) */
};

enum ws_eval {
	WS_EVAL_NONE = 0,  /* no verdict recorded */
	WS_EVAL_MET,       /* 達成 */
	WS_EVAL_PARTIAL,   /* 一部未達成 */
	WS_EVAL_MISSED     /* 未達成 */
};

/* The Japanese word of a verdict ("" for WS_EVAL_NONE); static string. */
const char *ws_eval_name(int eval);

/* One observation, as handed to ws_table_append(). Strings are dict codes. */
struct ws_row {
	uint32_t ward, division, objective, indicator, unit, note; /* codes */
	int32_t year;       /* fiscal year, e.g. 2022 */
	double target;      /* NaN when missing */
	double actual;      /* NaN when missing */
	uint8_t direction;  /* enum ws_direction */
	uint8_t evaluation; /* enum ws_eval */
	uint32_t file;      /* code of the file name in the dictionary */
	uint32_t line;      /* physical line where the record starts (1-based) */
};

/*
 * Columns of observations, all of length n. What every row of one series
 * repeats (ward, division, objective, indicator, unit, direction) is stored
 * once per combination, an attribute set; a row holds the 4-byte code of its
 * set. (A set whose rows are far apart may be held more than once: see
 * attr_intern in engine.c.) So a row costs 23 bytes for the analysis (attribute set 4,
 * year 2, target 8, actual 8, evaluation 1), plus its source line (4) and,
 * once any row has a note, the note code (4) until the merge is done. The
 * table owns every array and the dictionary; readers use the arrays directly:
 * the ward of row i is t->ward[t->attr[i]].
 */
struct ws_table {
	size_t n;             /* rows */
	size_t cap;           /* rows allocated */
	uint32_t *attr;       /* per row: its attribute set (index into the set columns) */
	int16_t *year;        /* per row: fiscal year */
	double *target;       /* per row: target, NaN = missing */
	double *actual;       /* per row: actual, NaN = missing */
	uint8_t *evaluation;  /* per row: enum ws_eval */
	uint32_t *line;       /* per row: source line of the record (NULL once released) */
	uint32_t *note;       /* per row: dict code of the note; NULL while every note
				 is empty, and once released */
	/* source files: rows arrive file by file, so the file of a row is kept as
	 * runs; run k holds rows run_start[k] .. run_start[k+1]-1 (or n), of the
	 * file whose name has dict code run_file[k] */
	size_t nruns, run_cap;
	size_t *run_start;
	uint32_t *run_file;
	/* attribute sets, na of them, indexed by attr[i] */
	size_t na, a_cap;
	uint32_t *ward;       /* dict code of the ward (区) */
	uint32_t *division;   /* dict code of the division (課) */
	uint32_t *objective;  /* dict code of the objective label */
	uint32_t *indicator;  /* dict code of the indicator name */
	uint32_t *unit;       /* dict code of the unit, 0 = none given */
	uint8_t *direction;   /* enum ws_direction */
	uint32_t *a_recent;   /* cache of recent sets by hash: code + 1, 0 = empty */
	int a_global;         /* sets are many against rows: every set is hashed */
	uint64_t *a_slot;     /* the full hash of the sets (a_global): hash bits and
				 code + 1, 0 = empty; freed with the provenance, as is
				 a_recent: no set comes after ingest */
	size_t a_nslot;       /* power of two */
	uint32_t a_last;      /* set of the previous row appended, tried first */
	struct ws_dict dict;  /* every string of the table */
	void *map;            /* a mapped snapshot holding the columns, or NULL */
	size_t maplen;
};

int ws_table_init(struct ws_table *t);
void ws_table_fini(struct ws_table *t);
/* Reserves room for at least n rows in total (optional, avoids regrowth). */
int ws_table_reserve(struct ws_table *t, size_t n);
/* Appends one row; amortised O(1), no allocation unless the columns grow.
 * WS_EVALUE for a year outside 16 bits; WS_EUSAGE on a mapped table or once
 * the provenance is released. */
int ws_table_append(struct ws_table *t, const struct ws_row *r);
/*
 * Appends u's attribute sets to t's, their string codes mapped through map
 * (u's dictionary code -> t's); *first receives the code of the first. The
 * sets are not looked up or hashed: one that t holds already is held twice,
 * which the series index groups as one (ws_index_build goes by the strings'
 * codes). For joining tables read in parallel, where that is rare.
 */
int ws_table_append_sets(struct ws_table *t, const struct ws_table *u, const uint32_t *map,
			 uint32_t *first);
/* Copies row i out of the columns (file, line and note are 0 once released). */
void ws_table_get(const struct ws_table *t, size_t i, struct ws_row *r);
/* Dict code of the file row i came from (0, the empty string, when unknown). */
uint32_t ws_table_file(const struct ws_table *t, size_t i);
/* Drops rows n.. (a file read again in another encoding); the attribute sets stay. */
void ws_table_truncate(struct ws_table *t, size_t n);
/*
 * Frees the line and note columns (they become NULL) once the caller is done
 * with provenance: merging and rejects need them, statistics and reports do
 * not. Saves 4 or 8 bytes per row for the rest of a run. The hash of the
 * attribute sets goes too: no row can be appended after. No-op on a mapped table.
 */
void ws_table_release_provenance(struct ws_table *t);
/* Bytes held by the table's arrays, attribute sets and dictionary (for the
 * resident-size report). */
size_t ws_table_bytes(const struct ws_table *t);

/* ---- the series index --------------------------------------------------- */

/*
 * Rows grouped by series (ward, division, indicator), series in bytewise
 * order of those strings, rows of a series in year order. Built by counting
 * sorts: the attribute sets by the ranks of their strings (a series is a run
 * of sets), then the rows by series: O(rows + sets + strings), no allocation
 * per row or series.
 */
struct ws_index {
	size_t nseries;   /* number of series */
	size_t nrows;     /* rows indexed (= table rows) */
	uint32_t *row;    /* row[k]: table row, grouped by series, years ascending */
	size_t *start;    /* series s owns row[start[s] .. start[s+1]) */
};

/* Builds the index; on failure ix is left zeroed. Frees with ws_index_fini. */
int ws_index_build(const struct ws_table *t, struct ws_index *ix, struct ws_err *err);
void ws_index_fini(struct ws_index *ix);
/*
 * Removes from the index every row i with drop[i] != 0 (drop has one byte per
 * table row). The table keeps the rows.
 */
int ws_index_remove(struct ws_index *ix, const uint8_t *drop);

/* ---- the columnar snapshot (.wsc) --------------------------------------- */

/*
 * Writes the rows of ix (in index order, so the series come grouped) and the
 * dictionary of t to f as a versioned, checksummed snapshot. f must be
 * seekable (the header is rewritten with the checksum at the end).
 */
int ws_snapshot_write(const struct ws_table *t, const struct ws_index *ix, FILE *f,
		      struct ws_err *err);
/* 1 when path is a regular file starting with the snapshot magic (pipes are never
 * peeked at: that would consume their first bytes). */
int ws_snapshot_is(const char *path);
/*
 * Maps a snapshot read-only: t's columns and dictionary point into the
 * mapping (ws_table_fini unmaps it; the dictionary is frozen, interning into
 * it fails) and ix is its series index. Checks version, sizes, checksum,
 * string codes and the order of series and years (as ws_index_build leaves
 * them), on up to `threads` threads (ws_engine_threads: 0 = one per core; 1
 * starts none); a damaged file is WS_EPARSE with err set.
 */
int ws_snapshot_map(const char *path, int threads, struct ws_table *t, struct ws_index *ix,
		    struct ws_err *err);

#endif /* WS_ENGINE_H */
