"""The columnar snapshot (issue 5): `wardstat ingest FILE -o F.wsc`, then `report F.wsc`.

The report from the snapshot must equal the report from the CSV, byte for byte; a damaged,
truncated or foreign file is refused with exit 2, never mapped.
"""
import filecmp, os, shutil, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EDGE = os.path.join(ROOT, "tests", "fixtures", "contract", "edge", "input.csv")


def run(args):
    return subprocess.run([os.environ["WARDSTAT_BIN"]] + args, capture_output=True, cwd=ROOT)


def same_report(src):
    def check(tmp):
        snap = os.path.join(tmp, "s.wsc")
        p = run(["ingest", src, "-o", snap])
        assert p.returncode == 0, p.stderr
        assert b"snapshot" in p.stdout
        for args in (["-f", "csv", "-o"], ["-f", "csv", "--columns=core", "-o"]):
            a, b = os.path.join(tmp, "from-csv"), os.path.join(tmp, "from-snap")
            assert run(["report", src] + args + [a]).returncode == 0
            q = run(["report", snap] + args + [b])
            assert q.returncode == 0, q.stderr
            for name in ("series.csv", "divisions.csv", "objectives.csv", "ward.csv"):
                assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name
        for cmd in (["report"], ["rank"], ["below"], ["trends"]):
            x, y = run(cmd + [src, "--color", "never"]), run(cmd + [snap, "--color", "never"])
            # the header names the file read, which differs; everything else must not
            strip = lambda b: b"\n".join(l for l in b.split(b"\n") if not l.startswith(b"Source:"))
            assert x.returncode == y.returncode == 0 and strip(x.stdout) == strip(y.stdout), cmd
    return check


def damaged(how):
    def check(tmp):
        snap = os.path.join(tmp, "s.wsc")
        assert run(["ingest", EDGE, "-o", snap]).returncode == 0
        data = bytearray(open(snap, "rb").read())
        if how == "flip":
            data[len(data) // 2] ^= 0x40
        elif how == "truncate":
            data = data[: len(data) - 16]
        elif how == "version":
            data[8] = 99
        open(snap, "wb").write(bytes(data))
        p = run(["report", snap])
        assert p.returncode == 2, (p.returncode, p.stderr)
        want = {"flip": b"snapshot damaged", "truncate": b"snapshot damaged",
                "version": b"snapshot version 99"}[how]
        assert want in p.stderr, p.stderr
    return check


CASES = [
    dict(name="snapshot-edge-same-report", args=["--version"], exit=0, check=same_report(EDGE)),
    dict(name="snapshot-bundled-same-report", args=["--version"], exit=0,
         check=same_report(os.path.join(ROOT, "data", "chuo-r4.csv"))),
    dict(name="snapshot-flipped-byte", args=["--version"], exit=0, check=damaged("flip")),
    dict(name="snapshot-truncated", args=["--version"], exit=0, check=damaged("truncate")),
    dict(name="snapshot-other-version", args=["--version"], exit=0, check=damaged("version")),
    dict(name="snapshot-ingest-needs-output", args=["ingest", "data/chuo-r4.csv"], exit=1,
         stderr="wardstat: ingest writes a snapshot file: give -o FILE.wsc\n"
                "Try 'wardstat --help' for more information.\n"),
    dict(name="snapshot-not-merged", args=["--version"], exit=0, check=lambda tmp: _not_merged(tmp)),
]


def _not_merged(tmp):
    snap = os.path.join(tmp, "s.wsc")
    assert run(["ingest", EDGE, "-o", snap]).returncode == 0
    p = run(["report", snap, EDGE])
    assert p.returncode == 2, p.returncode
    assert p.stderr == f"wardstat: {snap}: a snapshot is read alone, not merged with other files\n".encode(), p.stderr


# 2026-11-25, issue 5: a snapshot of several 16 MiB checksum chunks (about 39 MB: 150,000
# series of 10 years), checked on two threads and on one. It gives the CSV's tables; a byte
# changed in the first chunk, in a middle one or in the last one is found either way.
def _many_chunks(tmp):
    src, snap = os.path.join(tmp, "g.csv"), os.path.join(tmp, "g.wsc")
    assert run(["gen", "--series", "150000", "--years", "10", "--seed", "5", "-o", src]).returncode == 0
    p = run(["ingest", src, "-o", snap])
    assert p.returncode == 0, p.stderr
    size = os.path.getsize(snap)
    assert size > 2 * (16 << 20), size
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    assert run(["report", src, "-f", "csv", "--columns=core", "-o", a]).returncode == 0
    for threads in ("1", "2"):
        q = run(["report", snap, "-f", "csv", "--columns=core", "-o", b, "--threads", threads])
        assert q.returncode == 0 and q.stderr == b"", q.stderr
        for name in ("series.csv", "divisions.csv", "objectives.csv", "ward.csv"):
            assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name
    good = open(snap, "rb").read()
    for at in (300, (16 << 20) + 1000, size - 5):
        bad = bytearray(good)
        bad[at] ^= 0x01
        open(snap, "wb").write(bytes(bad))
        for threads in ("1", "2"):
            q = run(["report", snap, "-f", "csv", "-o", b, "--threads", threads])
            assert q.returncode == 2 and b"snapshot damaged" in q.stderr, (at, threads, q.returncode, q.stderr)


CASES.append(dict(name="2026-11-25-issue5-snapshot-many-chunks", args=["--version"], exit=0,
                  check=_many_chunks))


# 2026-11-25, issue 5: a snapshot changed and sealed again with a valid checksum (as a program
# other than wardstat could write it) is still refused when its series or years are out of the
# index's order, or a series mixes indicators: exit 2, never a report of the wrong tables.
# seal() is the checksum of engine/snapshot.c written again here: 16 MiB chunks, four lanes.
_M, _K, _HDR = (1 << 64) - 1, 0x9E3779B97F4A7C15, 192


def _mix(h, w):
    h = ((h ^ w) * _K) & _M
    return h ^ (h >> 31)


def _chunk_hash(b):
    n, lanes, r = len(b), [0, 0, 0, 0], 0
    b = b + b"\0" * ((-n) % 32)
    for i in range(0, len(b), 32):
        for l in range(4):
            lanes[l] = _mix(lanes[l], int.from_bytes(b[i + 8 * l:i + 8 * l + 8], "little"))
    for l in range(4):
        r = _mix(r, (lanes[l] + l) & _M)
    return r ^ n


def _seal(data):
    import struct
    p, h = bytes(data[_HDR:]), 0
    for i in range(0, len(p), 16 << 20):
        h = _mix(h, _chunk_hash(p[i:i + (16 << 20)]))
    data[_HDR - 8:_HDR] = struct.pack("<Q", h ^ len(p))
    return data


def _resealed(tmp):
    import struct
    src, snap = os.path.join(tmp, "g.csv"), os.path.join(tmp, "g.wsc")
    assert run(["gen", "--series", "3000", "--years", "3", "--seed", "2", "-o", src]).returncode == 0
    assert run(["ingest", src, "-o", snap]).returncode == 0
    good = bytearray(open(snap, "rb").read())
    v = struct.unpack_from("<8sII5Q15QQQ", good, 0)
    nseries, off = v[4], list(v[8:23])
    start = [struct.unpack_from("<Q", good, off[11] + 8 * s)[0] for s in range(nseries + 1)]
    attr = lambda d, r: struct.unpack_from("<I", d, off[0] + 4 * r)[0]
    year = lambda d, r: struct.unpack_from("<h", d, off[1] + 2 * r)[0]

    def check(name, data, code, want):
        path = os.path.join(tmp, name + ".wsc")
        open(path, "wb").write(bytes(_seal(data)))
        p = run(["report", path, "-f", "csv", "-o", os.path.join(tmp, name)])
        assert p.returncode == code and want in p.stderr, (name, p.returncode, p.stderr)

    check("same", bytearray(good), 0, b"")  # sealing an unchanged file gives it back
    d = bytearray(good)  # the first and the last series swap their attribute sets
    a0, an = attr(d, start[0]), attr(d, start[-2])
    for r in range(start[0], start[1]):
        struct.pack_into("<I", d, off[0] + 4 * r, an)
    for r in range(start[-2], start[-1]):
        struct.pack_into("<I", d, off[0] + 4 * r, a0)
    check("order", d, 2, b"snapshot damaged")
    d = bytearray(good)  # series 5's years reversed
    ys = [year(d, r) for r in range(start[5], start[6])]
    for r, y in zip(range(start[5], start[6]), reversed(ys)):
        struct.pack_into("<h", d, off[1] + 2 * r, y)
    check("years", d, 2, b"snapshot damaged")
    d = bytearray(good)  # the last row of series 7 takes series 8's set
    struct.pack_into("<I", d, off[0] + 4 * (start[8] - 1), attr(d, start[8]))
    check("mixed", d, 2, b"snapshot damaged")
    d = bytearray(good)  # a verdict that is none of the four
    d[off[4] + 10] = 7
    check("verdict", d, 2, b"snapshot damaged")


CASES.append(dict(name="2026-11-25-issue5-snapshot-resealed-out-of-order", args=["--version"], exit=0,
                  check=_resealed))
