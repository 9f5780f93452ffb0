#!/usr/bin/env python3
"""Reconciliation at scale (issue 6): nothing is lost, every rejected row is kept verbatim.

Generates 1,000,000 rows with the project's own generator (`wardstat gen --series 100000
--years 10 --seed 7`), damages exactly 1% of them deterministically (bad numbers, bad years,
too few fields, stray quotes), reads the result with `wardstat check --rejects FILE`, and
checks that:
  - rows read = rows used + rows rejected, rows read = 1,000,000, rows rejected = 10,000;
  - the rejects file holds exactly the damaged lines, each at its line number, verbatim,
    with the column of the damage and a reason naming it;
  - exit status is 3 and stderr shows the first 20 rejects, then the count.

Usage: python3 tests/reconcile.py ./wardstat [WORKDIR]
(also run by tests/cli/cases_hostile.py, so by `make test`)
"""
import csv, os, random, re, subprocess, sys, tempfile

SERIES, YEARS, SEED = 100000, 10, 7
ROWS = SERIES * YEARS
COLS = ["ward", "division", "objective", "indicator", "unit", "direction", "year", "target",
        "actual", "evaluation"]
BAD_NUMBERS = ["12x", "1e400", "nan", "0x10", "39回 48回", "妊カフェ93.0%"]
BAD_YEARS = ["1899", "2201", "20x2", "FY", "R0"]


def damage(line, kind, rng):
    """Returns (damaged line, 1-based column where the reader must find the damage)."""
    f = line.split(",")  # the generator writes no quotes, so no commas inside fields
    assert len(f) == len(COLS), line
    if kind == 0:
        c = COLS.index("actual")
        f[c] = rng.choice(BAD_NUMBERS)
    elif kind == 1:
        c = COLS.index("year")
        f[c] = rng.choice(BAD_YEARS)
    elif kind == 2:
        del f[-2:]
        c = len(f) + 1
    else:
        c = COLS.index("indicator")
        s = f[c]
        at = rng.randrange(1, len(s))  # inside the field: a quote that opens none
        f[c] = s[:at] + '"' + s[at:]
    return ",".join(f), c + (kind != 2)


def inject(src, dst, seed=SEED):
    """Copies src to dst with 1% of the data rows damaged; returns {line: (text, column)}."""
    rng = random.Random(seed)
    with open(src, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    assert lines[-1] == "" and len(lines) == ROWS + 2, len(lines)
    bad = {}
    for n, i in enumerate(sorted(rng.sample(range(1, ROWS + 1), ROWS // 100))):
        lines[i], col = damage(lines[i], n % 4, rng)
        bad[i + 1] = (lines[i], col)  # physical line numbers count the header as 1
    with open(dst, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines))
    return bad


def run(binary, work):
    clean, damaged, rejects = (os.path.join(work, n) for n in ("clean.csv", "in.csv", "rej.csv"))
    subprocess.run([binary, "gen", "--series", str(SERIES), "--years", str(YEARS), "--seed",
                    str(SEED), "-o", clean], check=True)
    bad = inject(clean, damaged)
    os.unlink(clean)
    p = subprocess.run([binary, "check", damaged, "--rejects", rejects], capture_output=True)
    err = p.stderr.decode("utf-8")
    assert p.returncode == 3, (p.returncode, err[-2000:])
    n = {k: int(v) for k, v in re.findall(r"^rows (read|used|rejected) +(\d+)$", p.stdout.decode(), re.M)}
    assert n["read"] == n["used"] + n["rejected"], n
    assert n == {"read": ROWS, "used": ROWS - len(bad), "rejected": len(bad)}, n
    lines = err.splitlines()
    assert len(lines) == 21 and lines[-1].startswith(f"wardstat: {len(bad) - 20} more rejected"), lines[-3:]
    with open(rejects, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["file", "line", "column", "reason", "text"], rows[0]
    got = {}
    for r in rows[1:]:
        assert r[0] == damaged, r
        line = int(r[1])
        assert line in bad, f"line {line} rejected but not damaged: {r}"
        assert line not in got, f"line {line} rejected twice"
        text, col = bad[line]
        assert r[4] == text, f"line {line} not verbatim:\n{r[4]!r}\n{text!r}"
        assert int(r[2]) == col, f"line {line}: column {r[2]}, want {col}: {r[3]}"
        got[line] = r
    missing = sorted(set(bad) - set(got))
    assert not missing, f"{len(missing)} damaged lines not in the rejects, first {missing[:5]}"
    os.unlink(damaged)
    os.unlink(rejects)
    return n


def main():
    binary = os.path.abspath(sys.argv[1])
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="wardstat-reconcile-")
    try:
        n = run(binary, work)
    except AssertionError as e:
        print(f"reconcile: FAIL {e}")
        print("reconcile: 0 passed, 1 failed")
        sys.exit(1)
    print(f"reconcile: {n['read']} rows read = {n['used']} used + {n['rejected']} rejected, "
          "every rejected row verbatim in the rejects file")
    print("reconcile: 1 passed, 0 failed")


if __name__ == "__main__":
    main()
