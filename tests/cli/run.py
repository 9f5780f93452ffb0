#!/usr/bin/env python3
"""Table-driven CLI tests: runs every case of tests/cli/cases_*.py against a wardstat binary.

Usage: python3 tests/cli/run.py ./wardstat [NAME-SUBSTRING]

Each cases_*.py module defines CASES, a list of dicts:
  name    unique case name (regressions: date and issue, e.g. "2026-11-25-issue2-bom")
  args    argument list after the binary; "{tmp}" is replaced by a fresh temporary directory,
          "{ex}" by the contract's examples folder when present (cases using it are skipped
          when it is absent), "{fx}" by tests/fixtures
  stdin   optional bytes for standard input
  env     optional dict of extra environment variables
  exit    the expected exit status
  stdout  optional exact expected stdout (str), or a callable(stdout_str) -> None raising on failure
  stderr  optional exact expected stderr (str), or a callable
  check   optional callable(tmpdir) -> None that inspects files written by the command
Cases run with the repository root as the working directory.
"""
import glob, importlib.util, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.normpath(os.path.join(ROOT, "..", "shared", "spec", "examples"))


def load_cases():
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "cli", "cases_*.py"))):
        spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for c in mod.CASES:
            c.setdefault("module", os.path.basename(path))
            cases.append(c)
    names = [c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"duplicate case names: {sorted(dup)}")
    return cases


def run_case(binary, c):
    tmp = tempfile.mkdtemp(prefix="wardstat-cli-")
    try:
        uses_ex = any("{ex}" in a for a in c["args"])
        if uses_ex and not os.path.isdir(EXAMPLES):
            return "skip", "examples folder absent"
        args = [a.replace("{tmp}", tmp).replace("{ex}", EXAMPLES)
                 .replace("{fx}", os.path.join(ROOT, "tests", "fixtures")) for a in c["args"]]
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        os.environ["WARDSTAT_BIN"] = binary  # for check callables that run the binary
        env.update(c.get("env", {}))
        p = subprocess.run([binary] + args, input=c.get("stdin", b""), capture_output=True,
                           cwd=ROOT, env=env, timeout=c.get("timeout", 120))
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        problems = []
        if p.returncode != c["exit"]:
            problems.append(f"exit {p.returncode}, want {c['exit']}")
        for label, got, want in (("stdout", out, c.get("stdout")), ("stderr", err, c.get("stderr"))):
            if want is None:
                continue
            if callable(want):
                try:
                    want(got)
                except AssertionError as e:
                    problems.append(f"{label}: {e}")
            elif got != want:
                problems.append(f"{label}:\n--- got\n{got}--- want\n{want}---")
        if "check" in c and not problems:
            try:
                c["check"](tmp)
            except AssertionError as e:
                problems.append(f"check: {e}")
        if problems:
            return "fail", "\n".join(problems) + (f"\n(stderr was: {err[:2000]})" if err else "")
        return "ok", ""
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    binary = os.path.abspath(sys.argv[1])
    only = sys.argv[2] if len(sys.argv) > 2 else None
    cases = [c for c in load_cases() if not only or only in c["name"]]
    fails = skips = 0
    for c in cases:
        status, msg = run_case(binary, c)
        if status == "fail":
            fails += 1
            print(f"FAIL {c['module']}:{c['name']}\n{msg}\n")
        elif status == "skip":
            skips += 1
    print(f"cli: {len(cases) - fails - skips} passed, {fails} failed, {skips} skipped")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
