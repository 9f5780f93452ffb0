#!/usr/bin/env python3
"""compare.py: checks that wardstat and DuckDB wrote the same review tables.

Usage: python3 bench/compare.py WARDSTAT_DIR DUCKDB_DIR

Reads series.csv, divisions.csv and objectives.csv (FORMATS.md section 2) from
both directories, matches rows by key ((ward, division, indicator) for series,
(ward, division) for divisions, (ward, division, objective) for objectives)
and compares the contract's columns; columns past them are ignored. Prints the
first mismatches, a count per table and column, the largest relative
difference seen in each numeric column, and exits 1 on any mismatch (2 when
a file is missing or malformed).

Tolerances:
- Counts, years, ranks, booleans and text must be equal.
- Real numbers (slope, intercept, r2, target, actual, gap, achievement,
  met_share, mean_achievement) must agree to a relative 1e-9, with an
  absolute floor of 1e-9. Both programs compute in IEEE doubles, but not in
  the same way: wardstat fits with GSL's centred sums and keeps a running
  mean, DuckDB's regr_* aggregates update co-moments row by row (Welford
  style) and avg() sums then divides. On series of about ten years these
  rounding differences are near 1e-14 relative (up to about 1e-10 where a
  small slope or r2 is what is left after cancellation; their absolute error
  stays below 1e-12), and wardstat prints 15 significant digits where DuckDB
  prints 17. The contract promises at least
  10 significant digits, so 1e-9 is what it guarantees, five orders of
  magnitude above that rounding noise, and far below any real disagreement
  (a wrong year, row or rule changes a value by far more). The absolute floor
  covers values that are zero in exact arithmetic (a flat slope, r2 of a
  trendless series), where one side may print 0 and the other 1e-17.
- intercept = mean(actual) - slope * mean(year) is the difference of two
  numbers of size |slope| * 2000 or so, so its rounding error scales with
  |slope| * |year| rather than with the intercept itself; its absolute floor
  is 1e-9 * (1 + |slope| * |last_year|).
"""
import csv
import math
import os
import sys

TABLES = (
    ("series.csv", ("ward", "division", "indicator"),
     "ward,division,objective,indicator,unit,direction,n,first_year,last_year,slope,"
     "intercept,r2,review_year,target,actual,gap,achievement,met,years_below,streak,"
     "persistent"),
    ("divisions.csv", ("ward", "division"),
     "ward,division,indicators,reviewed,met,met_share,mean_achievement,persistent,rank"),
    ("objectives.csv", ("ward", "division", "objective"),
     "ward,division,objective,indicators,reviewed,met,status,recorded,agrees"),
)
REAL = {"slope", "intercept", "r2", "target", "actual", "gap", "achievement",
        "met_share", "mean_achievement"}
INTEGER = {"n", "first_year", "last_year", "review_year", "years_below", "streak",
           "indicators", "reviewed", "persistent", "rank"}
REL = 1e-9
ABS = 1e-9
SHOW = 20


class Bad(Exception):
    """A file that cannot be compared at all."""


def load(path, cols, key):
    """Rows of path as {key: tuple of the contract's columns}; raises Bad."""
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        raise Bad(f"{path}: {e.strerror}")
    with fh:
        rd = csv.reader(fh)
        hdr = next(rd, None)
        if hdr is None or hdr[:len(cols)] != cols:
            raise Bad(f"{path}: header {hdr and hdr[:len(cols)]} is not {cols}")
        ki = [cols.index(k) for k in key]
        rows, dups = {}, 0
        for rec in rd:
            rec = tuple(rec[:len(cols)]) + ("",) * (len(cols) - len(rec))
            k = tuple(rec[i] for i in ki)
            dups += k in rows
            rows[k] = rec
    if dups:
        raise Bad(f"{path}: {dups} duplicate keys")
    return rows


def as_int(s):
    """An integer cell ("3", or DuckDB's "3.0" should it print one)."""
    v = float(s)
    if not v.is_integer():
        raise ValueError(s)
    return int(v)


def same(col, a, b, row, cols):
    """Whether cells a (wardstat) and b (DuckDB) of column col agree; and
    their relative difference when both are real numbers clear of the
    absolute floor (0 otherwise: near zero only the floor says anything)."""
    if a == "" or b == "":
        return a == b, 0.0
    if col in REAL:
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False, 0.0
        floor = ABS
        if col == "intercept":
            try:
                slope = abs(float(row[cols.index("slope")]))
                year = abs(float(row[cols.index("last_year")]))
                floor = ABS * (1 + slope * year)
            except ValueError:
                pass
        big = max(abs(x), abs(y))
        rel = abs(x - y) / big if x != y and big > 1e3 * floor else 0.0
        return math.isclose(x, y, rel_tol=REL, abs_tol=floor), rel
    if a in ("true", "false") or b in ("true", "false"):
        return a == b, 0.0
    if col in INTEGER or col == "met":
        try:
            return as_int(a) == as_int(b), 0.0
        except ValueError:
            return False, 0.0
    if col == "objective" and a != b:
        try:
            return float(a) == float(b), 0.0
        except ValueError:
            return False, 0.0
    return a == b, 0.0


def compare(ws_dir, dd_dir):
    """Compares the three tables; returns the number of mismatches."""
    bad = 0
    shown = 0
    for name, key, cols in TABLES:
        cols = cols.split(",")
        ws = load(os.path.join(ws_dir, name), cols, key)
        dd = load(os.path.join(dd_dir, name), cols, key)
        per_col = dict.fromkeys(cols, 0)
        worst = dict.fromkeys((c for c in cols if c in REAL), 0.0)
        only_ws = [k for k in ws if k not in dd]
        only_dd = [k for k in dd if k not in ws]
        cells = 0
        for k, a in ws.items():
            b = dd.get(k)
            if b is None:
                continue
            for i, c in enumerate(cols):
                cells += 1
                ok, rel = same(c, a[i], b[i], b, cols)
                if c in worst and rel > worst[c] and ok:
                    worst[c] = rel
                if not ok:
                    per_col[c] += 1
                    if shown < SHOW:
                        shown += 1
                        print(f"{name} {k} {c}: wardstat {a[i]!r} duckdb {b[i]!r}")
        n = sum(per_col.values()) + len(only_ws) + len(only_dd)
        bad += n
        for side, ks in (("wardstat", only_ws), ("duckdb", only_dd)):
            if ks:
                print(f"{name}: {len(ks)} rows only in {side}'s table, e.g. {ks[0]}")
        cols_bad = ", ".join(f"{c} {m}" for c, m in per_col.items() if m)
        print(f"{name}: {len(ws)} rows, {cells} cells compared, {n} mismatched"
              + (f" ({cols_bad})" if cols_bad else ""))
        if worst:
            print(f"{name}: largest relative difference (values clear of zero): "
                  + ", ".join(f"{c} {w:.1e}" for c, w in worst.items()))
    return bad


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare.py WARDSTAT_DIR DUCKDB_DIR")
    try:
        bad = compare(sys.argv[1], sys.argv[2])
    except Bad as e:
        print(f"compare.py: {e}", file=sys.stderr)
        sys.exit(2)
    print("tables match" if bad == 0 else f"tables differ: {bad} mismatches")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
