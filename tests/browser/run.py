#!/usr/bin/env python3
"""Opens the HTML report in headless Chromium and checks that it rendered.

Usage: python3 tests/browser/run.py [./wardstat] [--keep DIR]

Writes the review of data/chuo-r4.csv as HTML, then with Debian's chromium:
  --dump-dom    the rendered DOM: the <title>, the sections, the SVG charts (ranking bars,
                objectives bar, a sparkline per indicator), and no <script> anywhere;
  --screenshot  a 1280x2400 PNG, decoded here (zlib, no imaging library): it must not be
                blank (many colours, a fair share of non-white pixels).
The page must also be self-contained: no <link>, <script>, @import, url() or http(s) reference.
The screenshot and the DOM are kept in DIR (default build/browser/) for a person to look at.
Standard library only. Exit 0 when every check passed; the last line counts them.
"""
import os, re, shutil, struct, subprocess, sys, tempfile, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    sys.exit("browser: chromium not found (apt-get install -y chromium)")


def run_chromium(exe, profile, *args):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--hide-scrollbars", "--user-data-dir=" + profile] + list(args)
    p = subprocess.run(cmd, capture_output=True, timeout=180)
    if p.returncode != 0:
        sys.exit(f"browser: chromium failed ({p.returncode}): {p.stderr.decode(errors='replace')[-2000:]}")
    return p.stdout.decode("utf-8", "replace")


def png_pixels(path):
    """Decodes an 8-bit RGB or RGBA PNG; returns (width, height, channels, rows of bytes)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, f"PNG type {depth}/{ctype}"
            ch = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    raw, stride, rows = zlib.decompress(b"".join(idat)), w * ch, []
    prev = bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(ch, stride):
                line[i] = (line[i] + line[i - ch]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - ch] if i >= ch else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - ch] if i >= ch else 0
                b, c = prev[i], prev[i - ch] if i >= ch else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ch, rows


def main():
    args = sys.argv[1:]
    keep = os.path.join(ROOT, "build", "browser")
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    binary = os.path.abspath(args[0] if args else os.path.join(ROOT, "wardstat"))
    exe = chromium()
    os.makedirs(keep, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="wardstat-browser-")
    passed, failed = 0, 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {name}: {detail}")

    try:
        html = os.path.join(tmp, "review.html")
        subprocess.run([binary, "report", "data/chuo-r4.csv", "-f", "html", "-o", html],
                       cwd=ROOT, check=True, timeout=120)
        page = open(html, encoding="utf-8").read()
        for bad in ("<link", "<script", "@import", "url(", "http://", "https://", "<img", "<iframe"):
            check(f"self-contained: no {bad}", bad not in page.lower(), f"found {bad!r}")
        url = "file://" + html
        dom = run_chromium(exe, os.path.join(tmp, "p1"), "--dump-dom", url)
        open(os.path.join(keep, "review.dom.html"), "w", encoding="utf-8").write(dom)
        m = re.search(r"<title>(.*?)</title>", dom, re.S)
        check("title", m and m.group(1) == "wardstat annual review", m and m.group(1))
        check("heading", "<h1>wardstat annual review</h1>" in dom)
        for sec in ("summary", "ranking", "verdicts", "below", "trends", "indicators"):
            check(f"section {sec}", f'<section id="{sec}">' in dom)
        charts = len(re.findall(r'<svg class="chart"', dom))
        sparks = len(re.findall(r'<svg class="spark"', dom))
        check("charts: ranking bars and objectives bar", charts >= 2, f"{charts} charts")
        check("a sparkline per indicator", sparks >= 64, f"{sparks} sparklines")
        check("ranking bars: one rect per division", len(re.findall(r'<rect x="250"', dom)) == 10)
        check("no script in the rendered DOM", "<script" not in dom.lower())
        check("Japanese text survived", "東地域保健福祉センター" in dom and "達成" in dom)

        png = os.path.join(keep, "review.png")
        run_chromium(exe, os.path.join(tmp, "p2"), "--screenshot=" + png, "--window-size=1280,2400", url)
        w, h, ch, rows = png_pixels(png)
        check("screenshot size", (w, h) == (1280, 2400), f"{w}x{h}")
        colours, nonwhite, total = set(), 0, 0
        for y in range(0, h, 3):
            row = rows[y]
            for x in range(0, w * ch, 3 * ch):
                px = row[x:x + 3]
                colours.add(px)
                nonwhite += px != b"\xff\xff\xff"
                total += 1
        share = nonwhite / total
        check("screenshot has many colours", len(colours) >= 64, f"{len(colours)} colours")
        check("screenshot is not blank", 0.03 <= share <= 0.9, f"{share:.3f} non-white")
        # the ranking bars are blue (#2f6fb2): some pixels must have that colour
        check("bars painted", any(b"\x2f\x6f\xb2" in rows[y] for y in range(0, h, 2)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"screenshot and DOM kept in {os.path.relpath(keep, ROOT)}/")
    print(f"browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
