import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const F = process.argv[2];
const rc = `read_csv('${F}', header=true, auto_detect=false, columns={'ward':'VARCHAR','division':'VARCHAR','objective':'VARCHAR','indicator':'VARCHAR','unit':'VARCHAR','direction':'VARCHAR','year':'INTEGER','target':'DOUBLE','actual':'DOUBLE','evaluation':'VARCHAR'})`;
for (const [name, sql] of [
  ['count', `SELECT count(*) FROM ${rc}`],
  ['sum cols', `SELECT sum(year), sum(target), sum(actual), max(ward), max(division), max(indicator), max(evaluation) FROM ${rc}`],
  ['group keys', `SELECT count(*) FROM (SELECT ward, division, indicator, count(*) FROM ${rc} GROUP BY ALL)`],
  ['group regr', `SELECT count(*) FROM (SELECT ward, division, indicator, regr_slope(actual, year), regr_intercept(actual,year), regr_r2(actual,year) FROM ${rc} GROUP BY ALL)`],
  ['window', `SELECT count(*) FROM (SELECT max(year) FILTER (WHERE actual>=target) OVER (PARTITION BY ward, division, indicator) m FROM ${rc})`],
]) {
  const t = performance.now();
  const r = await con.runAndReadAll(sql);
  console.log(name, ((performance.now() - t) / 1000).toFixed(2), 's', String(r.getRows()[0][0]));
}
