"""The contract's worked examples (copied into tests/fixtures/contract) and the bundled data."""
import os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COMPARE = os.path.join(HERE, "compare_tables.py")
EXAMPLES = os.path.join(ROOT, "tests", "fixtures", "contract")  # copied from the contract's examples


def matches(example):
    def check(tmp):
        p = subprocess.run([sys.executable, COMPARE, os.path.join(tmp, "out"),
                            os.path.join(EXAMPLES, example)], capture_output=True, text=True)
        assert p.returncode == 0, p.stdout[-2000:]
    return check


CASES = [
    dict(name=f"example-{ex}", args=["report", "{fx}/contract/" + ex + "/input.csv", "--format", "csv",
                                      "-o", "{tmp}/out"], exit=0, stderr="", check=matches(ex))
    for ex in ("edge", "sheet")
] + [
    dict(name="example-sheet-clean-long", args=["report", "{fx}/contract/sheet/clean-long.csv", "--format",
                                                 "csv", "-o", "{tmp}/out"], exit=0, stderr="",
         check=matches("sheet")),
    dict(name="bundled-check-no-rejects", args=["check", "data/chuo-r4.csv"], exit=0, stderr="",
         stdout=lambda s: None if "rows rejected  0\n" in s else (_ for _ in ()).throw(AssertionError(s))),
]

# 2026-11-25, issue 5: --columns=core writes the contract's tables and nothing more; the worked
# examples must come out the same (compare_tables.py ignores columns after the contract's).
CASES += [
    dict(name=f"example-{ex}-columns-core", args=["report", "{fx}/contract/" + ex + "/input.csv",
                                                  "--format", "csv", "--columns=core", "-o", "{tmp}/out"],
         exit=0, stderr="", check=matches(ex))
    for ex in ("edge", "sheet")
]
