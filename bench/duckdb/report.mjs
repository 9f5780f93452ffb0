// report.mjs: the DuckDB side of wardstat's benchmark (issue 5). Computes the
// three tables of FORMATS.md section 2 (series, divisions, objectives) in SQL
// from a long-layout CSV file, and writes them as DIR/series.csv,
// DIR/divisions.csv and DIR/objectives.csv with COPY ... TO.
//
// Usage:
//   node report.mjs csv FILE.csv DIR [--streak K]  read the CSV and answer
//   node report.mjs persist FILE.csv DB.duckdb     store the CSV as table rows
//   node report.mjs db DB.duckdb DIR [--streak K]  answer from the stored table
//   node report.mjs version                        print DuckDB's version
// --window computes the streak with a window function instead of a list
// (same tables, slower: kept to cross-check the default).
//
// It reads what `wardstat gen` writes: clean long-layout CSV, plain numbers,
// one row per (series, year). The cell rules of FORMATS.md section 1 (aliases,
// era years, full-width digits, duplicates, restated figures) are wardstat's
// business, not this script's. Threads and memory are DuckDB's defaults
// (every core, 80% of RAM); DUCKDB_THREADS overrides the thread count.
// The time spent inside DuckDB (excluding node's start) goes to stderr.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, rmSync } from 'node:fs';

// The long layout's columns, typed as the contract reads them.
const COLUMNS = `{
  'ward': 'VARCHAR', 'division': 'VARCHAR', 'objective': 'VARCHAR',
  'indicator': 'VARCHAR', 'unit': 'VARCHAR', 'direction': 'VARCHAR',
  'year': 'INTEGER', 'target': 'DOUBLE', 'actual': 'DOUBLE',
  'evaluation': 'VARCHAR'}`;

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

function readCsv(file) {
  return `read_csv(${q(file)}, header = true, delim = ',', quote = '"',
    escape = '"', auto_detect = false, columns = ${COLUMNS})`;
}

// The series table, one row per (ward, division, indicator), from `src`.
//   obs: dir normalised; gap = actual - target, negated for lower, NULL
//     unless the year has both values (so "has both" is gap IS NOT NULL).
//   review_year = the newest year with both; target and actual are that
//     year's (arg_max by year); gap, achievement and met follow from them.
//   streak: the years with both values after the newest met year are all
//     missed and end at review_year, so streak = how many missed years are
//     later than last_met. By default the missed years are collected per
//     series (list) and filtered after grouping: one pass, no sort. With
//     --window, last_met comes from a window over the series instead, and
//     streak is a filtered count in the same GROUP BY (slower, same answer).
//   slope, intercept: regr_slope, regr_intercept (NULL below 2 actuals);
//     r2 = regr_r2, which gives 1 when every actual is equal (the SQL
//     standard's rule, as the contract says), empty when n < 3.
//   recorded: each series carries its newest verdict and its year; the
//     objectives table takes the newest of those (ties: the bytewise greatest
//     indicator, as wardstat does; the contract is silent on ties).
function seriesSql(src, streak, window) {
  const lastMet = window
    ? `, win AS (
  SELECT *,
         max(year) FILTER (WHERE gap >= 0)
           OVER (PARTITION BY ward, division, indicator) AS last_met
  FROM obs
)`
    : '';
  const streakAgg = window
    ? `count(*) FILTER (WHERE gap < 0
                          AND (last_met IS NULL OR year > last_met)) AS streak`
    : `max(year) FILTER (WHERE gap >= 0) AS last_met,
         list(year) FILTER (WHERE gap < 0) AS missed`;
  const streakOf = window
    ? 'streak'
    : `CASE WHEN missed IS NULL THEN 0
               WHEN last_met IS NULL THEN len(missed)
               ELSE len(list_filter(missed, lambda y: y > last_met)) END`;
  return `
CREATE TEMP TABLE series AS
WITH obs AS (
  SELECT ward, division, objective, indicator, unit, year, target, actual,
         evaluation, dir,
         CASE WHEN dir = 'lower' THEN target - actual
              ELSE actual - target END AS gap
  FROM (SELECT *,
          CASE WHEN lower(trim(direction)) IN ('lower', 'down', '減少')
               THEN 'lower' ELSE 'higher' END AS dir
        FROM ${src})
)${lastMet}, agg AS (
  SELECT ward, division, indicator,
         any_value(objective) AS objective,
         max(unit) AS unit,
         max(dir) AS direction,              -- 'lower' > 'higher': any lower row
         count(actual) AS n,
         min(year) FILTER (WHERE actual IS NOT NULL) AS first_year,
         max(year) FILTER (WHERE actual IS NOT NULL) AS last_year,
         regr_slope(actual, year) AS slope,
         regr_intercept(actual, year) AS intercept,
         regr_r2(actual, year) AS r2,
         max(year) FILTER (WHERE gap IS NOT NULL) AS review_year,
         arg_max(target, year) FILTER (WHERE gap IS NOT NULL) AS target,
         arg_max(actual, year) FILTER (WHERE gap IS NOT NULL) AS actual,
         count(*) FILTER (WHERE gap < 0) AS years_below,
         ${streakAgg},
         arg_max(evaluation, year) FILTER (WHERE evaluation IS NOT NULL) AS eval,
         max(year) FILTER (WHERE evaluation IS NOT NULL) AS eval_year
  FROM ${window ? 'win' : 'obs'}
  GROUP BY ward, division, indicator
), fin AS (
  SELECT *,
         CASE WHEN direction = 'lower' THEN target - actual
              ELSE actual - target END AS gap,
         CASE WHEN review_year IS NOT NULL THEN ${streakOf} END AS run
  FROM agg
)
SELECT ward, division, objective, indicator, unit, direction, n, first_year,
       last_year,
       CASE WHEN n >= 2 THEN slope END AS slope,
       CASE WHEN n >= 2 THEN intercept END AS intercept,
       CASE WHEN n >= 3 THEN r2 END AS r2,
       review_year, target, actual, gap,
       CASE WHEN target >= 0 AND actual >= 0 AND direction = 'higher'
                 AND target > 0 THEN actual / target
            WHEN target >= 0 AND actual >= 0 AND direction = 'lower'
                 AND actual > 0 THEN target / actual END AS achievement,
       gap >= 0 AS met,
       years_below,
       run AS streak,
       run >= ${streak} AS persistent,
       eval, eval_year
FROM fin`;
}

// COPY statements writing the three tables into dir.
//   divisions: met_share = met/reviewed (empty when none reviewed);
//     rank = dense rank within the ward, met_share desc then
//     mean_achievement desc, missing values last.
//   objectives: status from met and reviewed; recorded = the newest verdict
//     of the objective's rows; agrees empty when either side is.
function copySql(dir) {
  const out = (name) => q(`${dir}/${name}.csv`);
  return [
    `COPY (SELECT ward, division, objective, indicator, unit, direction, n,
             first_year, last_year, slope, intercept, r2, review_year, target,
             actual, gap, achievement, met, years_below, streak, persistent
           FROM series)
     TO ${out('series')} (HEADER, DELIMITER ',')`,
    `COPY (
       WITH d AS (
         SELECT ward, division, count(*) AS indicators,
                count(review_year) AS reviewed,
                count(*) FILTER (WHERE met) AS met,
                avg(achievement) AS mean_achievement,
                count(*) FILTER (WHERE persistent) AS persistent
         FROM series GROUP BY ward, division),
       s AS (
         SELECT *, CASE WHEN reviewed > 0 THEN met / reviewed END AS met_share
         FROM d)
       SELECT ward, division, indicators, reviewed, met, met_share,
              mean_achievement, persistent,
              dense_rank() OVER (PARTITION BY ward
                ORDER BY met_share DESC NULLS LAST,
                         mean_achievement DESC NULLS LAST) AS rank
       FROM s ORDER BY ward, division)
     TO ${out('divisions')} (HEADER, DELIMITER ',')`,
    `COPY (
       WITH o AS (
         SELECT ward, division, objective, count(*) AS indicators,
                count(review_year) AS reviewed,
                count(*) FILTER (WHERE met) AS met,
                arg_max(eval, (eval_year, indicator))
                  FILTER (WHERE eval IS NOT NULL) AS recorded
         FROM series GROUP BY ward, division, objective),
       s AS (
         SELECT *, CASE WHEN reviewed = 0 THEN NULL
                        WHEN met = reviewed THEN '達成'
                        WHEN met = 0 THEN '未達成'
                        ELSE '一部未達成' END AS status
         FROM o)
       SELECT ward, division, objective, indicators, reviewed, met, status,
              recorded, status = recorded AS agrees
       FROM s ORDER BY ward, division, objective)
     TO ${out('objectives')} (HEADER, DELIMITER ',')`,
  ];
}

function usage() {
  process.stderr.write(
    'usage: node report.mjs csv FILE.csv DIR [--streak K] [--window]\n' +
    '       node report.mjs persist FILE.csv DB.duckdb\n' +
    '       node report.mjs db DB.duckdb DIR [--streak K] [--window]\n' +
    '       node report.mjs version\n');
  process.exit(1);
}

async function open(path, readOnly) {
  const opts = {};
  if (process.env.DUCKDB_THREADS) opts.threads = process.env.DUCKDB_THREADS;
  if (readOnly) opts.access_mode = 'READ_ONLY';
  const instance = await DuckDBInstance.create(path, opts);
  return instance.connect();
}

async function answer(con, src, dir, opt) {
  mkdirSync(dir, { recursive: true });
  await con.run(seriesSql(src, opt.streak, opt.window));
  for (const sql of copySql(dir)) await con.run(sql);
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  const opt = { streak: 3, window: false };
  const k = args.indexOf('--streak');
  if (k >= 0) {
    opt.streak = Number(args[k + 1]);
    if (!Number.isInteger(opt.streak) || opt.streak < 1) usage();
    args.splice(k, 2);
  }
  const w = args.indexOf('--window');
  if (w >= 0) {
    opt.window = true;
    args.splice(w, 1);
  }
  const t0 = performance.now();
  let con;
  if (mode === 'version' && args.length === 0) {
    con = await open(':memory:', false);
    const r = await con.runAndReadAll('SELECT version()');
    console.log(`DuckDB ${r.getRows()[0][0]}`);
    return;
  } else if (mode === 'csv' && args.length === 2) {
    con = await open(':memory:', false);
    await answer(con, readCsv(args[0]), args[1], opt);
  } else if (mode === 'persist' && args.length === 2) {
    rmSync(args[1], { force: true });
    rmSync(`${args[1]}.wal`, { force: true });
    con = await open(args[1], false);
    await con.run(`CREATE TABLE rows AS SELECT * FROM ${readCsv(args[0])}`);
    await con.run('CHECKPOINT');
  } else if (mode === 'db' && args.length === 2) {
    con = await open(args[0], true);
    await answer(con, 'rows', args[1], opt);
  } else {
    usage();
  }
  con.closeSync();
  const s = (performance.now() - t0) / 1000;
  process.stderr.write(`duckdb: ${mode} ${s.toFixed(3)} s inside DuckDB\n`);
}

main().catch((e) => {
  process.stderr.write(`report.mjs: ${e.message}\n`);
  process.exit(2);
});
