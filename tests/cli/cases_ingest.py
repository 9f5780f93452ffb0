"""Every error path of reading input (FORMATS.md §1, §1d, §3): exit status and exact stderr.

Inputs are the small files of tests/fixtures/ingest/ (remade by make_fixtures.py there), named
by relative path so that messages are the same on every machine. Cases that print the `check`
summary also check the reconciliation: rows read = rows used + rows rejected.
"""
import csv, io, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
F = "tests/fixtures/ingest/"
TRY = "Try 'wardstat --help' for more information.\n"


def summary(files, read, used, rejected, obs, series, divisions, years, duplicates=0,
            revisions=0, extra=""):
    return (f"files          {files}\nrows read      {read}\nrows used      {used}\n"
            f"rows rejected  {rejected}\nobservations   {obs}\n"
            f"duplicates     {duplicates} (kept once)\nrevisions      {revisions} (restated figures)\n"
            f"series         {series}\ndivisions      {divisions}\nyears          {years}\n" + extra)


def reconciled(want):
    """stdout equals want, and its rows read = rows used + rows rejected."""
    def check(got):
        assert got == want, f"\n--- got\n{got}--- want\n{want}"
        n = {k: int(v) for k, v in re.findall(r"^rows (read|used|rejected) +(\d+)$", got, re.M)}
        assert n["read"] == n["used"] + n["rejected"], n
    return check


def with_tmp(want):
    """stderr equals want, where {tmp} stands for the case's temporary directory."""
    pattern = re.escape(want).replace(re.escape("{tmp}"), r"/[^\n]*wardstat-cli-[^/\n]+")

    def check(got):
        assert re.fullmatch(pattern, got), f"\n--- got\n{got}--- want\n{want}"
    return check


def rejects_file(path, rows):
    """The rejects file at tmp/path holds exactly rows (file, line, column, reason, record),
    each record verbatim: the bytes of the input from where its line starts."""
    def check(tmp):
        with open(os.path.join(tmp, path), "rb") as f:
            data = f.read()
        got = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert got[0] == ["file", "line", "column", "reason", "text"], got[0]
        assert got[1:] == rows, f"\n--- got\n{got[1:]}\n--- want\n{rows}"
        for r in got[1:]:
            with open(os.path.join(ROOT, r[0]), "rb") as f:
                lines = f.read().split(b"\n")
            start = b"\n".join(lines[int(r[1]) - 1:]).decode("utf-8")
            assert start.startswith(r[4]), f"record of line {r[1]} not verbatim: {r[4]!r}"
    return check


REJECT_LINE = (F + "reject.csv:4:5: not a number in column 'actual', '妊カフェ93.0%'\n")
REJECT_ROW = [F + "reject.csv", "4", "5", "not a number in column 'actual', '妊カフェ93.0%'",
              '総務課,満足度,2022,80％,"妊カフェ93.0%"']
MANY = "".join(f"{F}many-rejects.csv:{i + 2}:5: not a number in column 'actual', '{i}件 {i}件'\n"
               for i in range(20))

CASES = [
    # ---- exit 2: input unusable, nothing produced ---------------------------------------
    dict(name="ingest-unreadable", args=["check", F + "missing.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}missing.csv: cannot open: No such file or directory\n"),
    dict(name="ingest-unreadable-second-file", args=["check", F + "ok.csv", F + "missing.csv"],
         exit=2, stdout="", stderr=f"wardstat: {F}missing.csv: cannot open: No such file or directory\n"),
    dict(name="ingest-unreadable-report", args=["report", F + "missing.csv", "-f", "csv", "-o", "{tmp}/out"],
         exit=2, stdout="", stderr=f"wardstat: {F}missing.csv: cannot open: No such file or directory\n",
         check=lambda tmp: None if not os.path.exists(os.path.join(tmp, "out", "series.csv"))
         else (_ for _ in ()).throw(AssertionError("a report was written"))),
    dict(name="ingest-directory", args=["check", "tests/fixtures/ingest"], exit=2, stdout="",
         stderr="wardstat: tests/fixtures/ingest: cannot read: Is a directory\n"),
    dict(name="ingest-empty-file", args=["check", F + "empty.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}empty.csv: no header (the file is empty)\n"),
    dict(name="ingest-blank-lines-only", args=["check", F + "blank.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}blank.csv: no header (the file is empty)\n"),
    dict(name="ingest-malformed-header", args=["check", F + "bad-header.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}bad-header.csv:1:2: header: malformed CSV: quote never closed "
                "(the field runs to the end of the file), '\"indicator,year\\x0A'\n"),
    dict(name="ingest-missing-division", args=["check", F + "no-division.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}no-division.csv:1: missing required column 'division' "
                "(or 課, 組織名, 部署, 所属)\n"),
    dict(name="ingest-missing-indicator", args=["check", F + "no-indicator.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}no-indicator.csv:1: missing required column 'indicator' (or 指標, 項目)\n"),
    dict(name="ingest-missing-year", args=["check", F + "no-year.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}no-year.csv:1: missing required column 'year' (or 年度, or year "
                "columns such as 'R4実績', '2022_target')\n"),
    dict(name="ingest-column-twice", args=["check", F + "dup-column.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}dup-column.csv:1:4: column '課' repeats column 1 'division' (both division)\n"),
    dict(name="ingest-conflict-within-file", args=["check", F + "conflict.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}conflict.csv:4: series '総務課/研修回数' year 2021 given twice with "
                "different values (also line 2)\n"),
    dict(name="ingest-two-directions", args=["check", F + "two-directions.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}two-directions.csv:3: series '建設課/違反自転車数' is 'higher' here but "
                f"'lower' at {F}two-directions.csv:2\n"),
    dict(name="ingest-two-units", args=["check", F + "two-units.csv"], exit=2, stdout="",
         stderr=f"wardstat: {F}two-units.csv:3: series '保護課/受診勧奨' has unit '%' here but '枚' "
                f"at {F}two-units.csv:2\n"),
    dict(name="ingest-cp932-forced-on-other-bytes", args=["check", "--encoding", "cp932", F + "not-cp932.csv"],
         exit=2, stdout="",
         stderr=f"wardstat: {F}not-cp932.csv:2: not CP932 text, byte 0xFF at byte 12 of the line\n"),

    # ---- exit 3: rows rejected, listed as FILE:LINE:COLUMN: reason -----------------------
    dict(name="ingest-reject-after-quoted-newline", args=["check", F + "reject.csv"], exit=3,
         stdout=reconciled(summary(1, 3, 2, 1, 2, 2, 1, "2021-2022")), stderr=REJECT_LINE),
    dict(name="ingest-reject-rejects-file-verbatim",
         args=["check", F + "reject.csv", "--rejects", "{tmp}/rejects.csv"], exit=3,
         stdout=reconciled(summary(1, 3, 2, 1, 2, 2, 1, "2021-2022")),
         stderr=with_tmp(REJECT_LINE + "wardstat: rejected rows written to {tmp}/rejects.csv\n"),
         check=rejects_file("rejects.csv", [REJECT_ROW])),
    dict(name="ingest-reject-report-writes-rejects-beside-output",
         args=["report", F + "reject.csv", "-f", "csv", "-o", "{tmp}/out"], exit=3, stdout="",
         stderr=with_tmp(REJECT_LINE + "wardstat: rejected rows written to {tmp}/out/rejects.csv\n"),
         check=rejects_file("out/rejects.csv", [REJECT_ROW])),
    dict(name="ingest-more-than-20-rejects", args=["check", F + "many-rejects.csv"], exit=3,
         stdout=reconciled(summary(1, 24, 1, 23, 1, 1, 1, "2022-2022")),
         stderr=MANY + "wardstat: 3 more rejected rows not shown (23 in all); --rejects FILE keeps them\n"),
    dict(name="ingest-more-than-20-rejects-file",
         args=["check", F + "many-rejects.csv", "--rejects", "{tmp}/r.csv"], exit=3,
         stdout=reconciled(summary(1, 24, 1, 23, 1, 1, 1, "2022-2022")),
         stderr=with_tmp(MANY + "wardstat: 3 more rejected rows not shown (23 in all), written to {tmp}/r.csv\n"),
         check=rejects_file("r.csv", [[F + "many-rejects.csv", str(i + 2), "5",
                                       f"not a number in column 'actual', '{i}件 {i}件'",
                                       f"総務課,指標{i},2022,10,{i}件 {i}件"] for i in range(23)])),
    dict(name="ingest-cp932-detected", args=["check", F + "cp932.csv"], exit=3,
         stdout=reconciled(summary(1, 2, 1, 1, 2, 1, 1, "2021-2022")),
         stderr=F + "cp932.csv:3:4: not a number in column 'R3実績', '39回 48回'\n"),
    dict(name="ingest-cp932-forced", args=["check", "--encoding", "cp932", F + "cp932.csv"], exit=3,
         stdout=reconciled(summary(1, 2, 1, 1, 2, 1, 1, "2021-2022")),
         stderr=F + "cp932.csv:3:4: not a number in column 'R3実績', '39回 48回'\n"),
    dict(name="ingest-neither-utf8-nor-cp932", args=["check", F + "not-cp932.csv"], exit=3,
         stdout=reconciled(summary(1, 1, 0, 1, 0, 0, 0, "none")),
         stderr=F + "not-cp932.csv:2:5: invalid UTF-8 text (not CP932 either), '\\xFF'\n"),

    # ---- exit 0, with what stderr may say --------------------------------------------------
    dict(name="ingest-ok", args=["check", F + "ok.csv"], exit=0, stderr="",
         stdout=reconciled(summary(1, 2, 2, 0, 2, 1, 1, "2021-2022"))),
    dict(name="ingest-unknown-columns-warn-once", args=["check", F + "unknown-columns.csv"], exit=0,
         stdout=reconciled(summary(1, 1, 1, 0, 1, 1, 1, "2022-2022")),
         stderr=f"wardstat: warning: {F}unknown-columns.csv:1: ignoring 2 unknown columns: '担当', 'memo'\n"),
    dict(name="ingest-tab-detected", args=["check", F + "tab.tsv"], exit=0, stderr="",
         stdout=reconciled(summary(1, 1, 1, 0, 1, 1, 1, "2022-2022"))),
    dict(name="ingest-tab-forced", args=["check", "--delimiter", "tab", F + "tab.tsv"], exit=0, stderr="",
         stdout=reconciled(summary(1, 1, 1, 0, 1, 1, 1, "2022-2022"))),
    dict(name="ingest-restated-newest-file-wins",
         args=["check", F + "restated-new.csv", F + "restated-old.csv"], exit=0, stderr="",
         stdout=reconciled(summary(2, 4, 4, 0, 3, 1, 1, "2020-2022", revisions=1, extra=(
             f"revision       {F}restated-old.csv:3: restated: '総務課/研修回数' 2021 target 10 "
             f"actual 7, replaced by {F}restated-new.csv:2 target 10 actual 7.5\n")))),
    dict(name="ingest-same-file-twice-is-duplicates", args=["check", F + "ok.csv", F + "ok.csv"], exit=0,
         stderr="", stdout=reconciled(summary(2, 4, 4, 0, 2, 1, 1, "2021-2022", duplicates=2))),

    # ---- exit 1: wrong usage -----------------------------------------------------------------
    dict(name="usage-unknown-option", args=["check", "--bogus", F + "ok.csv"], exit=1, stdout="",
         stderr="wardstat: unrecognized option '--bogus'\n" + TRY),
    dict(name="usage-unknown-option-before-command", args=["--bogus"], exit=1, stdout="",
         stderr="wardstat: unrecognized option '--bogus'\n" + TRY),
    dict(name="usage-invalid-short-option", args=["check", "-z", F + "ok.csv"], exit=1, stdout="",
         stderr="wardstat: invalid option -- 'z'\n" + TRY),
    dict(name="usage-option-without-argument", args=["check", F + "ok.csv", "--encoding"], exit=1,
         stdout="", stderr="wardstat: option '--encoding' requires an argument\n" + TRY),
    dict(name="usage-unknown-command", args=["bogus", F + "ok.csv"], exit=1, stdout="",
         stderr="wardstat: unknown command 'bogus'\n" + TRY),
    dict(name="usage-missing-command", args=[], exit=1, stdout="",
         stderr="wardstat: missing command\n" + TRY),
    dict(name="usage-bad-encoding", args=["check", "--encoding", "latin1", F + "ok.csv"], exit=1,
         stdout="", stderr="wardstat: --encoding wants utf-8 or cp932, not 'latin1'\n" + TRY),
    dict(name="usage-bad-delimiter", args=["check", "--delimiter", ";;", F + "ok.csv"], exit=1,
         stdout="", stderr="wardstat: --delimiter wants one character or 'tab', not ';;'\n" + TRY),
    dict(name="usage-check-without-file", args=["check"], exit=1, stdout="",
         stderr="wardstat: check wants at least one FILE\n" + TRY),
    dict(name="usage-gen-without-series", args=["gen"], exit=1, stdout="",
         stderr="wardstat: gen wants --series N [--years Y] [--seed S]\n" + TRY),
]

# 2026-11-25, issue 2: rows of delimiters only (",,,,", what a spreadsheet exports for an empty
# row) are skipped like blank lines and counted; they are not rows, so they neither count as read
# nor as rejected, and the reject after them keeps its physical line number (5).
CASES.append(dict(
    name="2026-11-25-issue2-delimiter-only-rows-skipped", args=["check", F + "empty-rows.csv"],
    exit=3,
    stderr=f"{F}empty-rows.csv:5:4: not a number in column 'actual', 'x'\n",
    stdout="files          1\nrows read      2\nrows used      1\nrows rejected  1\n"
           "empty rows     2 (delimiters only; skipped like blank lines)\n"
           "observations   1\nduplicates     0 (kept once)\nrevisions      0 (restated figures)\n"
           "series         1\ndivisions      1\nyears          2020-2020\n"))

# 2026-11-25, issue 2: a last record whose quoted field spans lines and closes right at the end
# of the file (no final newline) is whole: used, not cut at its first line.
CASES.append(dict(
    name="2026-11-25-issue2-quoted-multiline-last-record", args=["check", F + "quoted-last-no-newline.csv"],
    exit=0, stderr="",
    stdout="files          1\nrows read      1\nrows used      1\nrows rejected  0\n"
           "observations   1\nduplicates     0 (kept once)\nrevisions      0 (restated figures)\n"
           "series         1\ndivisions      1\nyears          2020-2020\n"))
