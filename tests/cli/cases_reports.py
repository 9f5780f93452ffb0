"""The report writers (issue 4): golden files for every format, determinism, escaping, width.

Golden files live in tests/golden/: chuo/ for data/chuo-r4.csv, hostile/ for
tests/fixtures/reports/hostile.csv (an indicator named <script>alert(1)</script>, a cell
=HYPERLINK("x"), Markdown marks, quotes, a BEL and an ESC in a name, a lower-is-better
series, a persistent series). They are compared byte for byte; for xlsx the XML parts of the
zip are compared, and the whole file is compared between two runs.
After a deliberate change of a writer, regenerate them and read the diff before committing:
    WARDSTAT_UPDATE_GOLDEN=1 python3 tests/cli/run.py ./wardstat reports-golden
"""
import csv, glob, io, json, os, re, shutil, subprocess, sys, unicodedata, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOLDEN = os.path.join(ROOT, "tests", "golden")
UPDATE = os.environ.get("WARDSTAT_UPDATE_GOLDEN") == "1"
CHUO = "data/chuo-r4.csv"
HOSTILE = "tests/fixtures/reports/hostile.csv"
XLSX_PARTS = ("xl/workbook.xml", "xl/sharedStrings.xml", "docProps/core.xml")
VIEWS = ("report", "rank", "trends", "below")


def binary():
    return os.environ.get("WARDSTAT_BIN") or os.path.abspath(sys.argv[1])


def run(args, cwd=ROOT, env=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env or {})
    return subprocess.run([binary()] + args, capture_output=True, cwd=cwd, env=e, timeout=120)


def fail(msg):
    raise AssertionError(msg)


def same_bytes(name, got):
    """Compares got (bytes) with the golden file name, or writes it when updating."""
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(got)
        return
    if not os.path.exists(path):
        fail(f"no golden file {name} (WARDSTAT_UPDATE_GOLDEN=1 writes it)")
    with open(path, "rb") as f:
        want = f.read()
    if got != want:
        gl, wl = got.decode("utf-8", "replace").split("\n"), want.decode("utf-8", "replace").split("\n")
        for i, (g, w) in enumerate(zip(gl, wl)):
            if g != w:
                fail(f"{name} differs at line {i + 1}:\n got: {g[:300]}\nwant: {w[:300]}")
        fail(f"{name} differs in length: {len(gl)} lines, want {len(wl)}")


def golden(name):
    """A stdout check against tests/golden/name."""
    return lambda out: same_bytes(name, out.encode("utf-8"))


def golden_file(rel, name):
    """A check of the file tmp/rel against tests/golden/name."""
    def check(tmp):
        with open(os.path.join(tmp, rel), "rb") as f:
            same_bytes(name, f.read())
    return check


def xlsx_parts(path):
    """The sheet and shared-string XML of a workbook, by part name."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet") or n in XLSX_PARTS]
        return {n: z.read(n) for n in sorted(names)}


def golden_xlsx(rel, prefix):
    def check(tmp):
        for part, data in xlsx_parts(os.path.join(tmp, rel)).items():
            same_bytes(f"{prefix}/{part.replace('/', '_')}", data)
    return check


def width(line):
    """Display columns of a line: East Asian Wide/Fullwidth 2, combining 0, else 1."""
    w = 0
    for ch in line:
        if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufeff":
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def fits(cols):
    """Every view of both inputs, as text at `cols` columns, fits in cols columns."""
    def check(tmp):
        for src in (CHUO, HOSTILE):
            for view in VIEWS:
                p = run([view, src, "--width", str(cols)])
                if p.returncode != 0:
                    fail(f"{view} {src}: exit {p.returncode}: {p.stderr[:300]!r}")
                for n, line in enumerate(p.stdout.decode("utf-8").split("\n"), 1):
                    if width(line) > cols:
                        fail(f"{view} {src} --width {cols}: line {n} is {width(line)} wide: {line}")
    return check


def deterministic(tmp):
    """Two runs of every format give the same bytes (xlsx: the whole zip)."""
    for fmt in ("text", "json", "md", "html", "xlsx", "csv"):
        outs = []
        for k in (1, 2):
            out = os.path.join(tmp, f"{fmt}-{k}")
            p = run(["report", CHUO, "-f", fmt, "-o", out])
            if p.returncode != 0:
                fail(f"{fmt}: exit {p.returncode}")
            if os.path.isdir(out):
                outs.append({n: open(os.path.join(out, n), "rb").read() for n in sorted(os.listdir(out))})
            else:
                outs.append(open(out, "rb").read())
        if outs[0] != outs[1]:
            fail(f"{fmt}: two runs differ")


def no_ansi(out):
    if "\x1b" in out or "\x07" in out:
        fail("escape or BEL in the output: " + repr(out[out.find("\x1b") - 20:][:80]))


def only_our_sgr(out):
    """--color always: colour codes are there, and only the SGR sequences wardstat writes."""
    if "\x1b[1m" not in out or "\x1b[0m" not in out:
        fail("no colour with --color always")
    stray = re.sub(r"\x1b\[(0|1|2|31|32)m", "", out)
    if "\x1b" in stray or "\x07" in stray:
        fail("an escape from the data reached the terminal")


def json_doc(check):
    def parse(out):
        check(json.loads(out))
    return parse


def hostile_json(doc):
    names = [r["indicator"] for r in doc["series"]]
    for want in ("<script>alert(1)</script>", '=HYPERLINK("x")', "bell\x07 esc\x1b[31mred"):
        if want not in names:
            fail(f"{want!r} not carried through: {names}")
    road = next(r for r in doc["series"] if r["indicator"] == "道路補修件数")
    if road["persistent"] is not True or road["streak"] != 4 or type(road["n"]) is not int:
        fail(f"types: {road}")
    hyper = next(r for r in doc["series"] if r["indicator"] == '=HYPERLINK("x")')
    if hyper["r2"] is not None or hyper["mk_p"] is not None:
        fail(f"n = 2 has no r2 and no MK p, want null: {hyper}")
    if list(doc) != ["title", "source", "ward", "divisions", "objectives", "series"]:
        fail(f"keys {list(doc)}")


def html_escaped(out):
    if "<script" in out.lower():
        fail("an unescaped <script")
    for want in ("&lt;script&gt;alert(1)&lt;/script&gt;", "=HYPERLINK(&quot;x&quot;)",
                 "&#39;single&#39;", "A | B &amp; C"):
        if want not in out:
            fail(f"{want} not in the page")
    no_ansi(out)


def page_has(*wants):
    """An HTML view: no markup from the data, and these escaped names."""
    def check(out):
        if "<script" in out.lower():
            fail("an unescaped <script")
        for want in wants:
            if want not in out:
                fail(f"{want} not in the page")
        no_ansi(out)
    return check


def md_escaped(out):
    if "<script" in out.lower():
        fail("an unescaped <script")
    for want in ("&lt;script&gt;alert(1)&lt;/script&gt;", r"A \| B &amp; C", r"\*star\*", r"\_u\_",
                 r"\`tick\`", r"\[link\]"):
        if want not in out:
            fail(f"{want} not in the Markdown")
    no_ansi(out)
    # every row of a table has as many cell separators as its header
    cells = None
    for line in out.split("\n"):
        if not line.startswith("|"):
            cells = None
            continue
        n = len(re.findall(r"(?<!\\)\|", line))
        if cells is None:
            cells = n
        elif n != cells:
            fail(f"{n} separators, want {cells}: {line}")


def xlsx_hostile(tmp):
    parts = xlsx_parts(os.path.join(tmp, "h.xlsx"))
    sheets = b"".join(v for k, v in parts.items() if "worksheets" in k)
    strings = parts["xl/sharedStrings.xml"]
    if b"<f>" in sheets:
        fail("a formula in a sheet")
    if b"&lt;script&gt;alert(1)&lt;/script&gt;" not in strings or b'=HYPERLINK("x")' not in strings:
        fail("names not stored as text")
    if b't="b"' not in sheets:
        fail("no boolean cell")


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def excel_csv(excel):
    def check(tmp):
        raw = open(os.path.join(tmp, "out", "series.csv"), "rb").read()
        if raw.startswith(b"\xef\xbb\xbf") != excel:
            fail(f"BOM {'missing' if excel else 'present'}")
        hyper = b'"\'=HYPERLINK(""x"")"' if excel else b'"=HYPERLINK(""x"")"'
        if hyper not in raw:
            fail(f"want {hyper!r} in series.csv")
        if not excel and b"'=" in raw:
            fail("neutralised without --excel")
        road = next(r for r in csv_rows(os.path.join(tmp, "out", "series.csv"))
                    if r["indicator"] == "道路補修件数")
        if road["gap"] != "-4":
            fail(f"a negative number was altered: {road['gap']!r}")
    return check


def below_view_excel(out):
    if not out.startswith("\ufeff"):
        fail("no BOM")
    if '"\'=HYPERLINK(""x"")"' not in out:
        fail("not neutralised")


def rows_of(out):
    return list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))


def below_streak2(doc):
    rows = doc["below"]
    if [r["indicator"] for r in rows[:2]] != ["道路補修件数", '=HYPERLINK("x")']:
        fail(f"persistent first, longest streak first: {[r['indicator'] for r in rows]}")
    if [r["persistent"] for r in rows] != [True, True, False]:
        fail(f"persistent with --streak 2: {[r['persistent'] for r in rows]}")
    if doc["streak"] != 2 or doc["view"] != "below":
        fail(f"header {doc['streak']} {doc['view']}")


def below_default(doc):
    if [r["persistent"] for r in doc["below"]] != [True, False, False]:
        fail(f"persistent with the default streak 3: {[r['persistent'] for r in doc['below']]}")


def below_division(doc):
    divs = {r["division"] for r in doc["below"]}
    if divs != {"地域課"} or len(doc["below"]) != 2 or doc["division"] != "地域課":
        fail(f"below --division 地域課: {[(r['division'], r['indicator']) for r in doc['below']]}")


def rank_division(out):
    rows = rows_of(out)
    if [(r["division"], r["rank"]) for r in rows] != [("建設課", "2")]:
        fail(f"rank --division 建設課: {rows}")


def trends_sorted(division=None, top=None):
    def check(out):
        rows = rows_of(out)
        rel = [float(r["relative_slope"]) for r in rows]
        if not rows or rel != sorted(rel, reverse=True):
            fail(f"not strongest rising first: {rel}")
        if any(int(r["n"]) < 3 for r in rows):
            fail("a trend from fewer than 3 years")
        if division and {r["division"] for r in rows} != {division}:
            fail(f"other divisions: {[r['division'] for r in rows]}")
        if top and rows[0]["indicator"] != top:
            fail(f"strongest rising {rows[0]['indicator']}, want {top}")
    return check


def rank_order(out):
    rows = rows_of(out)
    if [int(r["rank"]) for r in rows] != list(range(1, 11)) or rows[0]["division"] != "建設課":
        fail(f"ranking order: {[(r['rank'], r['division']) for r in rows]}")


def report_division_dir(tmp):
    series = csv_rows(os.path.join(tmp, "out", "series.csv"))
    ward = csv_rows(os.path.join(tmp, "out", "ward.csv"))
    if {r["division"] for r in series} != {"建設課"} or len(series) != 2:
        fail(f"series of --division 建設課: {[r['indicator'] for r in series]}")
    if ward[0]["indicators"] != "6":
        fail("the ward table must stay whole")


def no_temp_left(tmp):
    parent, base = os.path.split(tmp)
    left = glob.glob(os.path.join(parent, "." + base + ".*")) + glob.glob(os.path.join(tmp, ".*"))
    if left:
        fail(f"temporary files left: {left}")


def installed_layout(tmp):
    """The layout of `make install`: bin/wardstat finds ../share/wardstat/chuo-r4.csv."""
    os.makedirs(os.path.join(tmp, "bin"))
    os.makedirs(os.path.join(tmp, "share", "wardstat"))
    shutil.copy(binary(), os.path.join(tmp, "bin", "wardstat"))
    shutil.copy(os.path.join(ROOT, CHUO), os.path.join(tmp, "share", "wardstat", "chuo-r4.csv"))
    p = subprocess.run([os.path.join(tmp, "bin", "wardstat"), "rank", "-f", "csv"], cwd="/",
                       capture_output=True, timeout=60)
    if p.returncode != 0 or len(rows_of(p.stdout.decode())) != 10:
        fail(f"installed binary: exit {p.returncode}: {p.stderr[:300]!r}")


def man_page(tmp):
    """wardstat.1 formats without warnings (when groff is there)."""
    if not shutil.which("groff"):
        return
    p = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-ww", "-z", os.path.join(ROOT, "wardstat.1")],
                       capture_output=True, timeout=60)
    if p.returncode != 0 or p.stderr:
        fail(f"groff: {p.stderr.decode()[:500]}")
    text = open(os.path.join(ROOT, "wardstat.1"), encoding="utf-8").read().replace("\\-", "-")
    for word in ("report", "rank", "trends", "below", "check", "--excel", "--division", "EXIT STATUS",
                 "EXAMPLES", "FILES"):
        if word not in text:
            fail(f"man page lacks {word}")


G = "reports-golden-"
CASES = [
    # golden files, data/chuo-r4.csv, every format
    dict(name=G + "text-80", args=["report", CHUO], exit=0, stderr="", stdout=golden("chuo/report.txt")),
    dict(name=G + "text-60", args=["report", CHUO, "--width", "60"], exit=0, stderr="",
         stdout=golden("chuo/report-w60.txt")),
    dict(name=G + "text-120", args=["report", CHUO, "--width", "120"], exit=0, stderr="",
         stdout=golden("chuo/report-w120.txt")),
    dict(name=G + "json", args=["report", CHUO, "-f", "json"], exit=0, stderr="",
         stdout=golden("chuo/report.json")),
    dict(name=G + "md", args=["report", CHUO, "-f", "md"], exit=0, stderr="", stdout=golden("chuo/report.md")),
    dict(name=G + "html", args=["report", CHUO, "-f", "html", "-o", "{tmp}/r.html"], exit=0, stderr="",
         stdout="", check=golden_file("r.html", "chuo/report.html")),
    dict(name=G + "xlsx", args=["report", CHUO, "-f", "xlsx", "-o", "{tmp}/r.xlsx"], exit=0, stderr="",
         stdout="", check=golden_xlsx("r.xlsx", "chuo/report.xlsx")),
] + [
    dict(name=G + f"csv-{t}", args=["report", CHUO, "-f", "csv", "-o", "{tmp}/out"], exit=0, stderr="",
         check=golden_file(f"out/{t}.csv", f"chuo/csv/{t}.csv"))
    for t in ("series", "divisions", "objectives", "ward")
] + [
    dict(name=G + f"{view}-{fmt}", args=[view, CHUO, "-f", fmt], exit=0, stderr="",
         stdout=golden(f"chuo/{view}.{'txt' if fmt == 'text' else fmt}"))
    for view in ("rank", "trends", "below") for fmt in ("text", "csv", "json", "md", "html")
] + [
    dict(name=G + "hostile-text", args=["report", HOSTILE], exit=0, stderr="",
         stdout=golden("hostile/report.txt")),
    dict(name=G + "hostile-below-streak2-division", args=["below", HOSTILE, "--streak", "2", "--division",
                                                          "地域課"], exit=0, stderr="",
         stdout=golden("hostile/below-streak2-division.txt")),
    dict(name="reports-deterministic", args=["--version"], exit=0, check=deterministic),
    dict(name="reports-stdout-csv-is-series", args=["report", CHUO, "-f", "csv"], exit=0, stderr="",
         stdout=lambda out: None if out.startswith("ward,division,objective,indicator,unit,direction,n,")
         and len(rows_of(out)) == 64 else fail(out[:200])),

    # escaping and encoding
    dict(name="reports-html-escapes", args=["report", HOSTILE, "-f", "html"], exit=0, stderr="",
         stdout=html_escaped),
    dict(name="reports-html-below-escapes", args=["below", HOSTILE, "-f", "html", "--streak", "2"], exit=0,
         stderr="", stdout=page_has("=HYPERLINK(&quot;x&quot;)", "A | B &amp; C &quot;quoted&quot; &#39;single&#39;")),
    dict(name="reports-html-trends-escapes", args=["trends", HOSTILE, "-f", "html"], exit=0, stderr="",
         stdout=page_has("&lt;script&gt;alert(1)&lt;/script&gt;")),
    dict(name="reports-md-escapes", args=["report", HOSTILE, "-f", "md"], exit=0, stderr="", stdout=md_escaped),
    dict(name="reports-json-encodes", args=["report", HOSTILE, "-f", "json"], exit=0, stderr="",
         stdout=json_doc(hostile_json)),
    dict(name="reports-xlsx-text-not-formulas", args=["report", HOSTILE, "-f", "xlsx", "-o", "{tmp}/h.xlsx"],
         exit=0, stderr="", check=xlsx_hostile),
    dict(name="reports-csv-excel-neutralises", args=["report", HOSTILE, "-f", "csv", "--excel", "-o",
                                                     "{tmp}/out"], exit=0, stderr="", check=excel_csv(True)),
    dict(name="reports-csv-plain-leaves-cells", args=["report", HOSTILE, "-f", "csv", "-o", "{tmp}/out"],
         exit=0, stderr="", check=excel_csv(False)),
    dict(name="reports-csv-excel-view", args=["below", HOSTILE, "-f", "csv", "--excel"], exit=0, stderr="",
         stdout=below_view_excel),

    # colour
    dict(name="reports-no-color-env", args=["report", HOSTILE, "--color", "always"], env={"NO_COLOR": "1"},
         exit=0, stderr="", stdout=no_ansi),
    dict(name="reports-color-never", args=["report", HOSTILE, "--color", "never"], exit=0, stderr="",
         stdout=no_ansi),
    dict(name="reports-color-auto-not-a-tty", args=["report", HOSTILE], exit=0, stderr="", stdout=no_ansi),
    dict(name="reports-color-always", args=["report", HOSTILE, "--color", "always"], exit=0, stderr="",
         stdout=only_our_sgr),

    # widths: every view of both inputs
    dict(name="reports-width-40", args=["--version"], exit=0, check=fits(40)),
    dict(name="reports-width-60", args=["--version"], exit=0, check=fits(60)),
    dict(name="reports-width-80", args=["--version"], exit=0, check=fits(80)),
    dict(name="reports-width-120", args=["--version"], exit=0, check=fits(120)),

    # views with --division and --streak
    dict(name="reports-below-streak-2", args=["below", HOSTILE, "--streak", "2", "-f", "json"], exit=0,
         stderr="", stdout=json_doc(below_streak2)),
    dict(name="reports-below-streak-default", args=["below", HOSTILE, "-f", "json"], exit=0, stderr="",
         stdout=json_doc(below_default)),
    dict(name="reports-below-division", args=["below", HOSTILE, "--division", "地域課", "-f", "json"], exit=0,
         stderr="", stdout=json_doc(below_division)),
    dict(name="reports-rank-division", args=["rank", HOSTILE, "--division", "建設課", "-f", "csv"], exit=0,
         stderr="", stdout=rank_division),
    dict(name="reports-rank-order", args=["rank", CHUO, "-f", "csv"], exit=0, stderr="", stdout=rank_order),
    dict(name="reports-trends-sorted", args=["trends", CHUO, "-f", "csv"], exit=0, stderr="",
         stdout=trends_sorted(top="フィールドワークイベントの参加者数（人）")),
    dict(name="reports-trends-division", args=["trends", HOSTILE, "--division", "建設課", "-f", "csv"],
         exit=0, stderr="", stdout=trends_sorted(division="建設課")),
    dict(name="reports-report-division-csv", args=["report", HOSTILE, "--division", "建設課", "-f", "csv",
                                                   "-o", "{tmp}/out"], exit=0, stderr="",
         check=report_division_dir),
    dict(name="reports-division-unknown", args=["below", HOSTILE, "--division", "土木課"], exit=1, stdout="",
         stderr="wardstat: no division '土木課' in the data\nTry 'wardstat --help' for more information.\n"),

    # files: atomic, failures leave nothing behind
    dict(name="reports-html-no-such-dir", args=["report", CHUO, "-f", "html", "-o", "{tmp}/no/r.html"], exit=2,
         stdout="", stderr=lambda e: None if e.startswith("wardstat: ") and "cannot write" in e else fail(e)),
    dict(name="reports-xlsx-no-such-dir", args=["report", CHUO, "-f", "xlsx", "-o", "{tmp}/no/r.xlsx"],
         exit=2, stdout="", stderr=lambda e: None if "cannot write" in e else fail(e)),
    dict(name="reports-xlsx-onto-directory", args=["report", CHUO, "-f", "xlsx", "-o", "{tmp}"], exit=2,
         stdout="", stderr=lambda e: None if "writing failed" in e else fail(e), check=no_temp_left),
    dict(name="reports-html-onto-directory", args=["report", CHUO, "-f", "html", "-o", "{tmp}"], exit=2,
         stdout="", check=no_temp_left),
    dict(name="reports-xlsx-needs-file", args=["report", CHUO, "-f", "xlsx"], exit=1, stdout=""),

    # install layout and man page
    dict(name="reports-installed-finds-bundled-data", args=["--version"], exit=0, check=installed_layout),
    dict(name="reports-man-page", args=["--version"], exit=0, check=man_page),
]


# 2026-11-25, issue 4: on many series the lists a person reads stop after 50 rows (200 in a
# focused command) with a line saying how many more there are and where they all are; the
# machine formats keep every row.
def _capped(tmp):
    import json, subprocess
    bin_ = os.environ["WARDSTAT_BIN"]
    src = os.path.join(tmp, "g.csv")
    subprocess.run([bin_, "gen", "--series", "3000", "--years", "6", "--seed", "3", "-o", src],
                   check=True)
    text = subprocess.run([bin_, "report", src, "--color", "never"], capture_output=True,
                          text=True).stdout
    assert "... and " in text and "more: every row is in `wardstat below -f csv`." in text, text[-500:]
    assert "more: every row is in `wardstat rank -f csv`." in text
    # 21 wards: the first 20 summaries, then where every ward is
    assert text.count("Ward summary: ") == 20, text.count("Ward summary: ")
    assert "... and 1 more: every row is in ward.csv of `wardstat report -f csv -o DIR`." in text
    assert text.count("\n") < 2000, text.count("\n")
    below = subprocess.run([bin_, "below", src, "--color", "never"], capture_output=True,
                           text=True).stdout
    assert "more: every row is in `wardstat below -f csv`." in below
    html = os.path.join(tmp, "r.html")
    subprocess.run([bin_, "report", src, "-f", "html", "-o", html], check=True)
    page = open(html, encoding="utf-8").read()
    assert "more: every row is in series.csv of `wardstat report -f csv -o DIR`." in page
    assert page.count("<h2>Ward summary: ") == 20 and "more: every row is in ward.csv" in page
    js = json.loads(subprocess.run([bin_, "report", src, "-f", "json"], capture_output=True,
                                   text=True).stdout)
    assert len(js["series"]) == 3000 and len(js["divisions"]) == 250, (len(js["series"]), len(js["divisions"]))


CASES.append(dict(name="2026-11-25-issue4-prose-lists-capped", args=["--version"], exit=0,
                  check=_capped))


# 2026-11-25, issue 6: -o through a symbolic link replaces the file it names, atomically, and
# keeps the link. `rank -f FMT -o link.FMT`, link.FMT -> real.FMT; then real.FMT is checked.
def through_link(fmt, written):
    def check(tmp):
        import subprocess
        real, link = os.path.join(tmp, "real." + fmt), os.path.join(tmp, "link." + fmt)
        open(real, "w").write("old\n")
        os.symlink("real." + fmt, link)
        subprocess.run([os.environ["WARDSTAT_BIN"], "rank", "-f", fmt, "-o", link], check=True)
        assert os.path.islink(link), "the link was replaced"
        written(real)
        assert sorted(os.listdir(tmp)) == ["link." + fmt, "real." + fmt], os.listdir(tmp)
    return check


def _md_written(real):
    assert open(real, encoding="utf-8").read().startswith("# wardstat: division ranking")


CASES.append(dict(name="2026-11-25-issue6-output-through-symlink", args=["--version"], exit=0,
                  check=through_link("md", _md_written)))


# 2026-11-25, issue 5: --columns=core. series.csv holds exactly the 21 columns of FORMATS.md §2,
# each row the first 21 cells of the full series.csv (the golden file); the other tables are the
# full run's, byte for byte. Anything but `report -f csv` is refused (its trend tests, bands
# and reasons would be missing).
CONTRACT_SERIES = ("ward,division,objective,indicator,unit,direction,n,first_year,last_year,slope,"
                   "intercept,r2,review_year,target,actual,gap,achievement,met,years_below,streak,"
                   "persistent").split(",")


def core_csv(src, golden_dir, division=None):
    def check(tmp):
        args = ["report", src, "-f", "csv", "--columns=core", "-o", os.path.join(tmp, "core")]
        full = ["report", src, "-f", "csv", "-o", os.path.join(tmp, "full")]
        if division:
            args += ["--division", division]
            full += ["--division", division]
        for a in (args, full):
            p = run(a)
            if p.returncode != 0 or p.stderr:
                fail(f"{a}: exit {p.returncode}: {p.stderr[:300]!r}")
        with open(os.path.join(tmp, "core", "series.csv"), encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        want_path = (os.path.join(GOLDEN, golden_dir, "series.csv") if golden_dir
                     else os.path.join(tmp, "full", "series.csv"))
        with open(want_path, encoding="utf-8", newline="") as f:
            want = [r[:21] for r in csv.reader(f)]
        if got[0] != CONTRACT_SERIES:
            fail(f"series.csv header: {got[0]}")
        if len(got) < 3 or got != want:
            bad = next((i for i, (g, w) in enumerate(zip(got, want)) if g != w), len(got))
            fail(f"series.csv row {bad}: {got[bad] if bad < len(got) else None} != "
                 f"{want[bad] if bad < len(want) else None}")
        for t in ("divisions", "objectives", "ward"):
            a = open(os.path.join(tmp, "core", t + ".csv"), "rb").read()
            b = open(os.path.join(tmp, "full", t + ".csv"), "rb").read()
            if a != b or not a:
                fail(f"{t}.csv differs from the full run's")
    return check


_CORE_ONLY = "wardstat: --columns=core is for `report -f csv` only\nTry 'wardstat --help' for more information.\n"
CASES += [
    dict(name="2026-11-25-issue5-columns-core-bundled", args=["--version"], exit=0,
         check=core_csv(CHUO, "chuo/csv")),
    dict(name="2026-11-25-issue5-columns-core-hostile", args=["--version"], exit=0,
         check=core_csv(HOSTILE, None)),
    dict(name="2026-11-25-issue5-columns-core-division", args=["--version"], exit=0,
         check=core_csv(HOSTILE, None, division="建設課")),
    dict(name="2026-11-25-issue5-columns-core-stdout", args=["report", CHUO, "-f", "csv", "--columns", "core"],
         exit=0, stderr="", stdout=lambda out: None if out.split("\n", 1)[0].split(",") == CONTRACT_SERIES
         and len(rows_of(out)) == 64 else fail(out[:300])),
    dict(name="2026-11-25-issue5-columns-all-is-default", args=["report", CHUO, "-f", "csv", "--columns=all",
                                                                "-o", "{tmp}/out"], exit=0, stderr="",
         check=golden_file("out/series.csv", "chuo/csv/series.csv")),
    dict(name="2026-11-25-issue5-columns-unknown", args=["report", CHUO, "-f", "csv", "--columns=some"], exit=1,
         stdout="", stderr="wardstat: --columns wants all or core, not 'some'\n"
                           "Try 'wardstat --help' for more information.\n"),
    dict(name="2026-11-25-issue5-columns-core-text", args=["report", CHUO, "--columns=core"], exit=1,
         stdout="", stderr=_CORE_ONLY),
    dict(name="2026-11-25-issue5-columns-core-json", args=["report", CHUO, "-f", "json", "--columns=core"],
         exit=1, stdout="", stderr=_CORE_ONLY),
    dict(name="2026-11-25-issue5-columns-core-trends", args=["trends", CHUO, "-f", "csv", "--columns=core"],
         exit=1, stdout="", stderr=_CORE_ONLY),
]


# 2026-11-25: the workbook through a symbolic link too (libxlsxwriter writes by name, through
# its own temporary file).
def _xlsx_written(real):
    with zipfile.ZipFile(real) as z:
        assert "xl/workbook.xml" in z.namelist()


CASES.append(dict(name="2026-11-25-xlsx-through-symlink", args=["--version"], exit=0,
                  check=through_link("xlsx", _xlsx_written)))
