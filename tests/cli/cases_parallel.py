"""Parallel parsing gives what sequential parsing gives: rows, rejects, line numbers (issue 5).

A 12 MB file with quoted commas, quoted newlines, CRLF rows and bad rows spread through it is
read with --threads 1 and --threads 3 (three 4 MB chunks); the summaries, the stderr lines and
the rejects files must be byte-identical, and the report tables too.
"""
import csv, filecmp, os, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def make_input(path):
    rows = ["ward,division,objective,indicator,unit,direction,year,target,actual,evaluation,note"]
    i = 0
    size = 0
    while size < 12 << 20:
        s = i // 10
        y = 2013 + i % 10
        note = ""
        if i % 997 == 0:
            note = '"a note, with a comma\nand a second line"'
        elif i % 501 == 0:
            note = '"He said ""yes"""'
        actual = str(100 + (i * 37) % 50)
        if i % 1999 == 0:
            actual = "12x"           # not a number: a reject
        if i % 3001 == 0:
            actual = '"1,436"'       # quoted thousands: fine
        row = f"W{s // 144},D{(s // 12) % 12},{(s // 3) % 4 + 1},ind{s},件,higher,{y},{120},{actual},,{note}"
        if i % 4999 == 0:
            row = row.rsplit(",", 2)[0]   # too few fields: a reject
        rows.append(row + ("\r" if i % 7 == 0 else ""))
        size += len(rows[-1]) + 1
        i += 1
    # near the end, a quote opened and never closed: that row alone is rejected and the
    # rows after it are read (2026-11-25, issue 6: no longer the rest of the file as one)
    rows.append('W9,D9,1,unclosed,件,higher,2020,120,"5,,')
    rows += [f"W9,D9,1,after,件,higher,{2013 + k},120,{100 + k},," for k in range(5)]
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(rows) + "\n")


def run(args):
    p = subprocess.run(args, capture_output=True, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


def check(tmp):
    src = os.path.join(tmp, "in.csv")
    make_input(src)
    binary = os.environ["WARDSTAT_BIN"]
    outs = []
    for th in ("1", "3"):
        rej = os.path.join(tmp, f"rejects-{th}.csv")
        code, out, err = run([binary, "check", src, "--threads", th, "--rejects", rej])
        outs.append((code, out, err.replace(rej.encode(), b"REJECTS")))
        d = os.path.join(tmp, f"out-{th}")
        code, _, _ = run([binary, "report", src, "--threads", th, "-f", "csv", "-o", d,
                          "--rejects", os.path.join(tmp, f"r2-{th}.csv")])
        assert code == 3, f"report --threads {th}: exit {code}"
    assert outs[0] == outs[1], f"check differs:\n{outs[0][2][:800]!r}\n{outs[1][2][:800]!r}"
    assert outs[0][0] == 3 and b"rows rejected" in outs[0][1]
    with open(os.path.join(tmp, "rejects-1.csv"), encoding="utf-8") as f:
        assert "quote never closed (none follows before the end of the file" in f.read()
    with open(os.path.join(tmp, "out-1", "series.csv"), encoding="utf-8") as f:
        assert any(",after," in l and ",5,2013,2017," in l for l in f), "rows after the stray quote"

    assert filecmp.cmp(os.path.join(tmp, "rejects-1.csv"), os.path.join(tmp, "rejects-3.csv"),
                       shallow=False), "rejects differ"
    for name in ("series.csv", "divisions.csv", "objectives.csv", "ward.csv"):
        assert filecmp.cmp(os.path.join(tmp, "out-1", name), os.path.join(tmp, "out-3", name),
                           shallow=False), f"{name} differs"
    # the line numbers are physical lines: check one reject against the file
    with open(os.path.join(tmp, "rejects-1.csv"), encoding="utf-8", newline="") as f:
        rejects = [r for r in csv.DictReader(f) if "12x" in r["reason"]]
    with open(src, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    assert len(rejects) > 100
    for r in rejects:
        assert "12x" in lines[int(r["line"]) - 1], (r, lines[int(r["line"]) - 1])
        assert lines[int(r["line"]) - 1].rstrip("\r") == r["text"].rstrip("\r"), r


CASES = [
    dict(name="2026-11-25-issue5-parallel-equals-sequential", args=["--version"], exit=0,
         check=check),
]


def late_cp932(tmp):
    """CP932 text first appears 12 MB into a file read in parallel: the file is read again
    as CP932, and the result equals the UTF-8 file's (2026-11-25, issue 5: no validation pass
    before parsing)."""
    binary = os.environ["WARDSTAT_BIN"]
    rows = ["ward,division,objective,indicator,unit,direction,year,target,actual,evaluation"]
    size, i = 0, 0
    while size < 12 << 20:
        rows.append(f"W{i // 1440},D{(i // 120) % 12},1,ind{i // 10},件,higher,{2013 + i % 10},120,{100 + i % 37},")
        size += len(rows[-1]) + 1
        i += 1
    rows.append("中央区,建設課,1,違反自転車数（警告台数）,台,lower,2022,1340,1116,達成")
    text = "\n".join(rows) + "\n"
    u, c = os.path.join(tmp, "u.csv"), os.path.join(tmp, "c.csv")
    open(u, "w", encoding="utf-8").write(text)
    open(c, "wb").write(text.encode("cp932"))
    for th in ("1", "3"):
        a, b = os.path.join(tmp, "u" + th), os.path.join(tmp, "c" + th)
        p = run([binary, "report", u, "--threads", th, "-f", "csv", "-o", a])
        q = run([binary, "report", c, "--threads", th, "-f", "csv", "-o", b])
        assert p[0] == 0 and q[0] == 0, (p[2], q[2])
        for name in ("series.csv", "divisions.csv", "objectives.csv"):
            assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name
    # bytes that are neither UTF-8 nor CP932, late in the file: that row alone is rejected
    bad = text.encode("utf-8") + b"W9,D\xff\xfe,1,x,,higher,2022,1,1,\n"
    d = os.path.join(tmp, "d.csv")
    open(d, "wb").write(bad)
    code, out, err = run([binary, "check", d])
    assert code == 3, (code, err)
    assert b"rows rejected  1\n" in out, out
    assert b"invalid UTF-8 text (not CP932 either)" in err, err


CASES.append(dict(name="2026-11-25-issue5-late-cp932-read-again", args=["--version"], exit=0,
                  check=late_cp932))


def random_lines(tmp):
    """Random rows from a pool of good and damaged lines (quoted newlines, stray and unclosed
    quotes, CR, NUL, short rows), 9 MB, fixed seed: --threads 1 and --threads 2 give the same
    summary, stderr and rejects (2026-11-25, issue 5: the parallel cuts against hostile input)."""
    import random
    rnd = random.Random(20261125)
    pool = [
        "W1,D{d},1,i{i},件,higher,{y},10,{a},,",
        "W1,D{d},1,i{i},件,higher,{y},10,\"{a}\",,\"a note, with comma\"",
        "W1,D{d},1,i{i},件,higher,{y},10,{a},,\"two\nlines\"",
        "W1,D{d},1,i{i},件,higher,{y},10,1\"2,,",
        "W1,D{d},1,i{i},件,higher,{y},10,{a},,\"unclosed",
        "W1,D{d},1,i{i},件,higher,{y},10,{a},,closed later\"",
        "W1,D{d},1,i{i},件,higher,{y},10\r",
        "W1,D{d},1,i{i},件,higher,{y},10,{a},,nul\0here",
        ",,,,,,,,,,",
    ]
    weights = [80, 5, 3, 2, 1, 1, 3, 1, 4]
    rows = ["ward,division,objective,indicator,unit,direction,year,target,actual,evaluation,note"]
    size = 0
    while size < 9 << 20:
        t = rnd.choices(pool, weights)[0]
        n = len(rows)  # one indicator per ten rows, years in turn: no two rows conflict
        row = t.format(d=n % 12, i=n // 10, y=2013 + n % 10, a=rnd.randint(0, 30))
        rows.append(row)
        size += len(row) + 1
    src = os.path.join(tmp, "r.csv")
    with open(src, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(rows) + "\n")
    binary = os.environ["WARDSTAT_BIN"]
    outs = []
    for th in ("1", "2"):
        rej = os.path.join(tmp, f"rej-{th}.csv")
        code, out, err = run([binary, "check", src, "--threads", th, "--rejects", rej])
        outs.append((code, out, err.replace(rej.encode(), b"R"), open(rej, "rb").read()))
    assert outs[0] == outs[1], (outs[0][1], outs[1][1], outs[0][2][:400], outs[1][2][:400])
    assert outs[0][0] == 3, outs[0][:3]


CASES.append(dict(name="2026-11-25-issue5-parallel-random-hostile-lines", args=["--version"],
                  exit=0, check=random_lines))


def timings_line(err):
    """--timings: one line on stderr naming every stage, with seconds that add up."""
    import re
    lines = [l for l in err.splitlines() if l.startswith("wardstat: timings:")]
    assert len(lines) == 1, err
    m = re.fullmatch(r"wardstat: timings: read (\S+) s, parse (\S+) s, normalize (\S+) s "
                     r"\(\d+ MB/s(; the two split by timing 1 record in 64)?\), group (\S+) s, "
                     r"stats (\S+) s, write (\S+) s( \(series\.csv is written during stats\))?, "
                     r"total (\S+) s", lines[0])
    assert m, lines[0]
    parts = [float(m.group(k)) for k in (1, 2, 3, 5, 6, 7)]
    assert all(p >= 0 for p in parts), lines[0]
    assert m.group(4), "the bundled data has 64 records: one of them is timed"
    assert m.group(8), "the CSV review is written in one pass"
    assert sum(parts) <= float(m.group(9)) + 0.002, lines[0]


CASES.append(dict(name="2026-11-25-issue5-timings-every-stage",
                  args=["report", "--timings", "-f", "csv", "-o", "{tmp}/out"], exit=0,
                  stderr=timings_line))


def file_too_large(tmp):
    """series.csv written direct to the disk in pieces (20,000 series): a write refused half
    way (RLIMIT_FSIZE, as a full disk would) is exit 2 naming the file, and the old tables
    stay as they were, with no temporary file left."""
    binary = os.environ["WARDSTAT_BIN"]
    src, out = os.path.join(tmp, "g.csv"), os.path.join(tmp, "out")
    subprocess.run([binary, "gen", "--series", "20000", "--years", "4", "--seed", "5", "-o", src],
                   check=True)
    os.mkdir(out)
    with open(os.path.join(out, "series.csv"), "w") as f:
        f.write("old\n")
    p = subprocess.run(["bash", "-c", 'trap "" XFSZ; ulimit -f 2048; exec "$@"', "sh", binary,
                        "report", src, "-f", "csv", "-o", out], capture_output=True)
    err = p.stderr.decode()
    assert p.returncode == 2, (p.returncode, err)
    assert err == f"wardstat: {out}/series.csv: writing failed: File too large\n", err
    assert sorted(os.listdir(out)) == ["series.csv"], os.listdir(out)
    assert open(os.path.join(out, "series.csv")).read() == "old\n"


CASES.append(dict(name="2026-11-25-issue5-streamed-series-write-refused", args=["--version"],
                  exit=0, check=file_too_large))
