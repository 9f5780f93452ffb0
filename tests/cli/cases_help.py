"""`wardstat COMMAND --help`: every command has its own help with examples (issue 4)."""


def help_of(cmd):
    def check(out):
        assert out.startswith(f"Usage: wardstat {cmd} "), out[:80]
        assert "\nExamples:\n" in out and f"  wardstat {cmd}" in out, out
        assert "Exit status:" in out, out
    return check


def whole_help(out):
    assert out.startswith("Usage: wardstat COMMAND"), out[:80]
    for cmd in ("report", "rank", "trends", "below", "check", "ingest", "gen"):
        assert f"\n  {cmd} " in out, cmd
    assert "\nExamples:\n" in out and "Exit status:" in out


CASES = [dict(name=f"help-{cmd}", args=[cmd, "--help"], exit=0, stderr="", stdout=help_of(cmd))
         for cmd in ("report", "rank", "trends", "below", "check", "ingest", "gen")] + [
    dict(name="help-whole", args=["--help"], exit=0, stderr="", stdout=whole_help),
    dict(name="help-short-flag", args=["rank", "-h"], exit=0, stderr="", stdout=help_of("rank")),
]
