#!/usr/bin/env bash
# run.sh: wardstat against DuckDB on the annual-review question (issue 5).
# Run by `make bench` from the repository root; writes bench/RESULTS.md.
#
# For each size (1m, 10m rows): generates the history with `wardstat gen`
# into bench/data/ (git-ignored), answers it with `wardstat report --format
# csv` (every column, and --columns=core: only the contract's columns, which
# are DuckDB's) and with DuckDB (bench/duckdb/report.mjs, the same three
# tables in SQL), checks that the tables agree (bench/compare.py), records
# peak memory (/usr/bin/time -v) and times all three with hyperfine. When
# `wardstat ingest` exists, also times `wardstat report FILE.wsc` against
# DuckDB querying its own persisted table. Exits 1 when any pair of tables
# differs, 2 on failure.
#
# Environment: BENCH_SIZES="1m 10m" (any of 1m 10m), BENCH_RUNS=5,
# BENCH_WARMUP=1, BENCH_NO_INSTALL=1 to skip apt-get and npm, BENCH_WARDSTAT to
# time another binary than the ./wardstat that `make wardstat` builds.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${BENCH_SIZES:-1m 10m}
RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
DATA=bench/data
OUT=bench/out
WS=${BENCH_WARDSTAT:-./wardstat}
DUCK="node bench/duckdb/report.mjs"
RESULTS=bench/RESULTS.md
mismatch=0

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

# The Debian packages of the tools the benchmark needs, installed when the tool is
# missing (as `make deps` does; a node or npm installed otherwise is used as it is).
install_debs() {
	local missing="" sudo=""
	command -v hyperfine >/dev/null || missing="$missing hyperfine"
	command -v node >/dev/null || missing="$missing nodejs"
	command -v npm >/dev/null || missing="$missing npm"
	[ -x /usr/bin/time ] || missing="$missing time"
	command -v python3 >/dev/null || missing="$missing python3"
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing
}

# The npm package pinned in bench/duckdb/package.json, into bench/duckdb/node_modules.
install_duckdb() {
	local want have
	want=$(node -p "require('./bench/duckdb/package.json').dependencies['@duckdb/node-api']")
	have=$(node -p "try { require('./bench/duckdb/node_modules/@duckdb/node-api/package.json').version } catch (e) { '' }")
	[ "$want" = "$have" ] && return 0
	say "installing @duckdb/node-api $want"
	npm install --prefix bench/duckdb --no-package-lock --no-audit --no-fund --loglevel=error
}

# Median, min and max wall seconds, and mean CPU seconds (user + system), of
# command i of a hyperfine JSON export.
hf() {
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]
print("%.3f %.3f %.3f %.2f" % (r["median"], r["min"], r["max"], r["user"] + r["system"]))' "$1" "$2"
}

# Peak resident set size in MB from a /usr/bin/time -v report.
rss_mb() {
	awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"
}

ratio() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.2f}")' "$1" "$2"; }

# Runs "$@" under /usr/bin/time -v into $1.time, its stderr into $1.err; fails loudly.
measure() {
	local tag=$1
	shift
	if ! /usr/bin/time -v -o "$tag.time" "$@" 2>"$tag.err"; then
		cat "$tag.err" >&2
		die "failed: $*"
	fi
}

# Compares two table directories; appends the verdict to $3; sets mismatch.
check() {
	if python3 bench/compare.py "$1" "$2" >"$3" 2>&1; then
		say "tables match: $1 $2"
		return 0
	fi
	mismatch=1
	say "TABLES DIFFER: $1 $2 (see $3)"
	head -30 "$3" >&2
	return 1
}

rows_of() { case $1 in 1m) echo 100000 ;; 10m) echo 1000000 ;; *) die "unknown size '$1' (1m or 10m)" ;; esac; }

[ "${BENCH_NO_INSTALL:-}" = 1 ] || install_debs
command -v hyperfine >/dev/null || die "hyperfine is missing"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package time)"
[ "${BENCH_NO_INSTALL:-}" = 1 ] || install_duckdb
make --no-print-directory wardstat build/csvbare >&2
mkdir -p "$DATA" "$OUT"

# The snapshot path counts once `wardstat ingest` writes a file that `report` reads
# (`ingest --help` alone proves nothing: --help is parsed before the command).
snapshot=0
$WS gen --series 10 --years 3 -o "$OUT/probe.csv"
rm -f "$OUT/probe.wsc"
if $WS ingest "$OUT/probe.csv" -o "$OUT/probe.wsc" >/dev/null 2>&1 &&
	[ -s "$OUT/probe.wsc" ] &&
	$WS report "$OUT/probe.wsc" --format csv -o "$OUT/probe" >/dev/null 2>&1; then
	snapshot=1
fi

# The SQL first: it must give the contract's worked examples exactly.
examples=../shared/spec/examples
sql_check="the contract's worked examples are not beside this checkout: not checked"
if [ -d "$examples/edge" ]; then
	$DUCK csv "$examples/edge/input.csv" "$OUT/examples/edge"
	$DUCK csv "$examples/sheet/clean-long.csv" "$OUT/examples/sheet"
	if check "$OUT/examples/edge" "$examples/edge" "$OUT/examples/edge.txt" &&
		check "$OUT/examples/sheet" "$examples/sheet" "$OUT/examples/sheet.txt"; then
		sql_check="the DuckDB SQL gives the expected tables of the contract's worked examples (edge/, and sheet/ through its clean-long.csv)"
	else
		sql_check="**the DuckDB SQL does not give the contract's worked examples** (bench/out/examples/)"
	fi
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
table=""
snap_table=""
checks=""
timings=""
for size in $SIZES; do
	series=$(rows_of "$size")
	csv=$DATA/rows-$size.csv
	o=$OUT/$size
	rm -rf "$o"
	mkdir -p "$o"
	say "$size: generating $csv"
	$WS gen --series "$series" --years 10 --seed 1 -o "$csv"
	mb=$(( $(stat -c %s "$csv") / 1000000 ))
	rows=$(( $(wc -l <"$csv") - 1 ))

	say "$size: peak memory and the tables"
	measure "$o/wardstat" $WS report "$csv" --format csv -o "$o/wardstat" --timings
	measure "$o/wardstat-core" $WS report "$csv" --format csv --columns=core -o "$o/wardstat-core" --timings
	measure "$o/duckdb" $DUCK csv "$csv" "$o/duckdb"
	verdict="equal"
	check "$o/wardstat" "$o/duckdb" "$o/compare.txt" || verdict="**DIFFER**"
	verdict_core="equal"
	check "$o/wardstat-core" "$o/duckdb" "$o/compare-core.txt" || verdict_core="**DIFFER**"
	checks+="### $size rows"$'\n\n```\n'"$(cat "$o/compare.txt")"$'\n```\n\n'
	checks+="### $size rows, --columns=core"$'\n\n```\n'"$(cat "$o/compare-core.txt")"$'\n```\n\n'
	timings+="- $size: $(grep -h 'timings' "$o/wardstat.err" || echo 'no --timings line')"$'\n'
	timings+="  with --columns=core: $(grep -h 'timings' "$o/wardstat-core.err" || echo 'no --timings line')"$'\n'
	timings+="  bare libcsv parse of the same file, one core (\`build/csvbare $csv\`): $(build/csvbare "$csv")"$'\n'

	say "$size: timing (hyperfine, $WARMUP warmup, $RUNS runs)"
	hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$o/hyperfine.json" \
		-n wardstat "$WS report $csv --format csv -o $o/wardstat" \
		-n wardstat-core "$WS report $csv --format csv --columns=core -o $o/wardstat-core" \
		-n duckdb "$DUCK csv $csv $o/duckdb" >&2
	read -r dd_med dd_min dd_max dd_cpu <<<"$(hf "$o/hyperfine.json" 2)"
	dd_rss=$(rss_mb "$o/duckdb.time")
	for v in 0 1; do
		name=(wardstat wardstat-core)
		label=("all 35" "**core: the 21 of §2**")
		vv=("$verdict" "$verdict_core")
		read -r ws_med ws_min ws_max ws_cpu <<<"$(hf "$o/hyperfine.json" $v)"
		ws_rss=$(rss_mb "$o/${name[$v]}.time")
		table+="| $rows | $mb | ${label[$v]} | $ws_med ($ws_min–$ws_max) | $dd_med ($dd_min–$dd_max) | **$(ratio "$ws_med" "$dd_med")** | $ws_cpu | $dd_cpu | $ws_rss | $dd_rss | **$(ratio "$ws_rss" "$dd_rss")** | ${vv[$v]} |"$'\n'
	done

	[ "$snapshot" = 1 ] || continue
	say "$size: snapshot path"
	wsc=$DATA/rows-$size.wsc
	db=$DATA/rows-$size.duckdb
	measure "$o/ingest" $WS ingest "$csv" -o "$wsc"
	measure "$o/persist" $DUCK persist "$csv" "$db"
	measure "$o/wardstat-wsc" $WS report "$wsc" --format csv -o "$o/wardstat-wsc"
	measure "$o/wardstat-wsc-core" $WS report "$wsc" --format csv --columns=core -o "$o/wardstat-wsc-core"
	measure "$o/duckdb-db" $DUCK db "$db" "$o/duckdb-db"
	verdict="equal"
	check "$o/wardstat-wsc" "$o/duckdb-db" "$o/compare-snapshot.txt" || verdict="**DIFFER**"
	verdict_core="equal"
	check "$o/wardstat-wsc-core" "$o/duckdb-db" "$o/compare-snapshot-core.txt" || verdict_core="**DIFFER**"
	checks+="### $size rows, snapshot path"$'\n\n```\n'"$(cat "$o/compare-snapshot.txt")"$'\n```\n\n'
	checks+="### $size rows, snapshot path, --columns=core"$'\n\n```\n'"$(cat "$o/compare-snapshot-core.txt")"$'\n```\n\n'
	hyperfine -N --style basic --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$o/hyperfine-snapshot.json" \
		-n wardstat-wsc "$WS report $wsc --format csv -o $o/wardstat-wsc" \
		-n wardstat-wsc-core "$WS report $wsc --format csv --columns=core -o $o/wardstat-wsc-core" \
		-n duckdb-db "$DUCK db $db $o/duckdb-db" >&2
	read -r dd_med dd_min dd_max dd_cpu <<<"$(hf "$o/hyperfine-snapshot.json" 2)"
	dd_rss=$(rss_mb "$o/duckdb-db.time")
	ingest_s=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$o/ingest.time")
	persist_s=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$o/persist.time")
	for v in 0 1; do
		name=(wardstat-wsc wardstat-wsc-core)
		label=("all 35" "**core: the 21 of §2**")
		vv=("$verdict" "$verdict_core")
		read -r ws_med ws_min ws_max ws_cpu <<<"$(hf "$o/hyperfine-snapshot.json" $v)"
		ws_rss=$(rss_mb "$o/${name[$v]}.time")
		snap_table+="| $rows | $(( $(stat -c %s "$wsc") / 1000000 )) MB, $ingest_s | $(( $(stat -c %s "$db") / 1000000 )) MB, $persist_s | ${label[$v]} | $ws_med ($ws_min–$ws_max) | $dd_med ($dd_min–$dd_max) | $(ratio "$ws_med" "$dd_med") | **$(ratio "$dd_med" "$ws_med")×** | $ws_rss | $dd_rss | $(ratio "$ws_rss" "$dd_rss") | ${vv[$v]} |"$'\n'
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
busy=""
# The benchmark's own load shows in load_after; only load_before says whether others ran.
if python3 -c 'import sys; sys.exit(float(sys.argv[1]) < 1.0)' "${load_before%% *}"; then
	busy="

**The machine was busy** (other work ran beside the benchmark): wall times, and ratios of
them, are not to be trusted; CPU seconds are steadier. Run again on a quiet machine."
	say "the machine was busy: wall times are not to be trusted"
fi

say "startup: node and DuckDB loading"
hyperfine -N --style basic --warmup 1 --runs 10 --export-json "$OUT/startup.json" \
	-n startup "$DUCK version" >&2
read -r start_med _ _ <<<"$(hf "$OUT/startup.json" 0)"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || commit="$commit (with uncommitted changes)"
if [ "$snapshot" = 1 ]; then
	snap_section="Time of \`wardstat report FILE.wsc --format csv -o DIR\` against DuckDB answering
the same question from its own persisted table (\`node bench/duckdb/report.mjs db\`, the
file opened read-only). Ingest and persist are one run each, for scale. Speed-up is
DuckDB/wardstat (issue 5 asks for at least 5×); the ratios are wardstat/DuckDB.

| rows | wardstat .wsc (size, ingest m:ss) | DuckDB .duckdb (size, persist m:ss) | wardstat series columns | wardstat median s (min–max) | DuckDB median s (min–max) | wall ratio | speed-up | wardstat peak RSS MB | DuckDB peak RSS MB | RSS ratio | tables |
|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|
$snap_table"
else
	snap_section="Not measured: this wardstat cannot yet \`ingest\` a file that \`report\` reads.
run.sh measures the snapshot path as soon as it can."
fi

cat >"$RESULTS" <<EOF
# Benchmark: wardstat against DuckDB (issue 5)

Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'); run it again
rather than editing this file.

The question is the annual review of FORMATS.md §2: the series, divisions and objectives
tables, from one long-layout CSV file made by \`wardstat gen --years 10 --seed 1\`. DuckDB
answers it with the SQL of bench/duckdb/report.mjs (read_csv with explicit types, one GROUP
BY per series with regr_slope/regr_intercept/regr_r2, dense_rank() for the division rank,
COPY ... TO CSV), run from node with DuckDB's default settings (every core): series.csv with
the contract's 21 columns. wardstat answers twice:

- \`wardstat report FILE --format csv --columns=core -o DIR\`: the same question, the same 21
  columns. The issue's targets are read on these rows (**core**).
- \`wardstat report FILE --format csv -o DIR\`, the default: 14 more series columns that the
  contract allows after its own and DuckDB does not compute (the slope's t-test, Theil–Sen,
  Mann–Kendall with its exact p, a forecast with its interval, progress, band, lag and a
  reason). Shown for what the default costs (**all 35**).

All write the same three files (wardstat also ward.csv); bench/compare.py checks them cell by
cell on the contract's columns (tolerances stated in that script).

## Machine

- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores (nproc)
- RAM: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r)
- load average (1, 5, 15 min) before: $load_before; after: $load_after$busy

## Versions

- $($WS --version), commit $commit, built by \`make wardstat\` ($(${CC:-cc} --version | head -1), default CFLAGS)
- DuckDB $($DUCK version 2>/dev/null | sed 's/^DuckDB //'), npm package @duckdb/node-api $(node -p "require('./bench/duckdb/node_modules/@duckdb/node-api/package.json').version"), node $(node --version)
- $(hyperfine --version), GNU time $(dpkg-query -W -f='${Version}' time 2>/dev/null || echo '(version unknown)')

## From CSV

Wall time: hyperfine median of $RUNS runs after $WARMUP warmup (min–max in brackets), files in
the page cache. CPU: mean user + system seconds per run (all threads). Peak memory: maximum resident set size from \`/usr/bin/time -v\`, one run.
Ratios are wardstat/DuckDB: below 1 means wardstat is faster or smaller (issue 5 asks for
a wall ratio below 0.5 and an RSS ratio of at most 0.5 at 10M rows).

| rows | CSV MB | wardstat series columns | wardstat median s (min–max) | DuckDB median s (min–max) | wall ratio | wardstat CPU s | DuckDB CPU s | wardstat peak RSS MB | DuckDB peak RSS MB | RSS ratio | tables |
|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|
$table
DuckDB's times include starting node and loading DuckDB: $start_med s median
(\`node bench/duckdb/report.mjs version\`).

wardstat's own stage times (\`--timings\`, from the peak-memory run):
$timings
## Snapshot

$snap_section

## Tables

The DuckDB SQL itself: $sql_check.

wardstat against DuckDB, from bench/compare.py:

$checks## Commands

From the repository root (\`make bench\` runs all of this; \`BENCH_SIZES=1m make bench\` for
the small size only):

\`\`\`sh
make wardstat
npm install --prefix bench/duckdb --no-package-lock
./wardstat gen --series 100000 --years 10 --seed 1 -o bench/data/rows-1m.csv     # 1,000,000 rows
./wardstat gen --series 1000000 --years 10 --seed 1 -o bench/data/rows-10m.csv   # 10,000,000 rows
/usr/bin/time -v ./wardstat report bench/data/rows-10m.csv --format csv -o bench/out/10m/wardstat --timings
/usr/bin/time -v node bench/duckdb/report.mjs csv bench/data/rows-10m.csv bench/out/10m/duckdb
python3 bench/compare.py bench/out/10m/wardstat bench/out/10m/duckdb
hyperfine -N --warmup $WARMUP --runs $RUNS \\
  -n wardstat './wardstat report bench/data/rows-10m.csv --format csv -o bench/out/10m/wardstat' \\
  -n wardstat-core './wardstat report bench/data/rows-10m.csv --format csv --columns=core -o bench/out/10m/wardstat-core' \\
  -n duckdb 'node bench/duckdb/report.mjs csv bench/data/rows-10m.csv bench/out/10m/duckdb'
# snapshot path, once \`wardstat ingest\` exists:
./wardstat ingest bench/data/rows-10m.csv -o bench/data/rows-10m.wsc
node bench/duckdb/report.mjs persist bench/data/rows-10m.csv bench/data/rows-10m.duckdb
hyperfine -N --warmup $WARMUP --runs $RUNS \\
  -n wardstat-wsc './wardstat report bench/data/rows-10m.wsc --format csv -o bench/out/10m/wardstat-wsc' \\
  -n wardstat-wsc-core './wardstat report bench/data/rows-10m.wsc --format csv --columns=core -o bench/out/10m/wardstat-wsc-core' \\
  -n duckdb-db 'node bench/duckdb/report.mjs db bench/data/rows-10m.duckdb bench/out/10m/duckdb-db'
\`\`\`
EOF
say "wrote $RESULTS"
[ "$mismatch" = 0 ] || { say "some tables differ: see $RESULTS"; exit 1; }
