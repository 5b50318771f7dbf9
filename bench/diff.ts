// `npm run bench:diff A.json B.json`: what changed from run A to run B, case by case. For every set, budget,
// method and metric present in both: the mean change (B − A) with its paired standard error and how many cases
// got better or worse; then the cases whose DAX scores moved most. Runs need not hold the same cases: only the
// pairs present in both are compared, and the count says how many.
import { readFileSync } from 'node:fs';
import { METRICS, type BenchRun, type CaseRecord } from './records';
import { compare, metricOf, perCase } from './stats';

function load(file: string): BenchRun {
  const run = JSON.parse(readFileSync(file, 'utf8')) as BenchRun;
  if (run.schema !== 1 || !Array.isArray(run.records))
    throw new Error(`${file} is not a benchmark run (docs/benchmarks/*.json)`);
  return run;
}

const f3 = (v: number): string => (v >= 0 ? '+' : '−') + Math.abs(v).toFixed(3);

export function diffRuns(a: BenchRun, b: BenchRun, top = 5): string {
  const lines = [
    `A: ${a.mode} run of ${a.date} at ${a.commit}${a.daxOverrides ? ` (DAX ${JSON.stringify(a.daxOverrides)})` : ''}`,
    `B: ${b.mode} run of ${b.date} at ${b.commit}${b.daxOverrides ? ` (DAX ${JSON.stringify(b.daxOverrides)})` : ''}`,
    '',
  ];
  const groups = new Map<string, { set: string; budget: number; method: string }>();
  for (const r of a.records)
    groups.set(`${r.set}|${r.budget}|${r.method}`, { set: r.set, budget: r.budget, method: r.method });
  let any = false;
  lines.push('set      budget method     metric                  B − A ± SE          better/worse  cases');
  for (const { set, budget, method } of groups.values()) {
    const keep = (r: CaseRecord): boolean => r.set === set && r.budget === budget && r.method === method;
    for (const metric of METRICS) {
      const before = perCase(a.records, keep, metricOf(metric.key));
      const after = perCase(b.records, keep, metricOf(metric.key));
      const c = compare(after, before, metric.better);
      if (c.n === 0) continue;
      any = true;
      const flag = c.verdict === 'a' ? '  better' : c.verdict === 'b' ? '  WORSE' : '';
      lines.push(
        `${set.padEnd(8)} ${String(budget).padEnd(6)} ${method.padEnd(10)} ${metric.label.padEnd(23)} ${`${f3(c.difference.mean)} ± ${c.difference.se.toFixed(3)}`.padEnd(19)} ${`${c.winsA}/${c.winsB}`.padEnd(13)} ${c.n}${flag}`,
      );
    }
    const timeBefore = perCase(a.records, keep, (r) => r.wallMs / 1000);
    const timeAfter = perCase(b.records, keep, (r) => r.wallMs / 1000);
    const t = compare(timeAfter, timeBefore, -1);
    if (t.n > 0)
      lines.push(
        `${set.padEnd(8)} ${String(budget).padEnd(6)} ${method.padEnd(10)} ${'s per explanation'.padEnd(23)} ${`${f3(t.difference.mean)} ± ${t.difference.se.toFixed(3)}`.padEnd(19)} ${`${t.winsA}/${t.winsB}`.padEnd(13)} ${t.n}`,
      );
  }
  if (!any) return lines.concat('The two runs share no (set, case, budget, method).').join('\n');
  // The cases whose DAX numbers moved most, by the largest change in any metric.
  const key = (r: CaseRecord): string => `${r.set}|${r.case}|${r.budget}|${r.seed}|${r.method}`;
  const earlier = new Map(a.records.map((r) => [key(r), r]));
  const moves: { text: string; size: number }[] = [];
  for (const r of b.records) {
    const old = earlier.get(key(r));
    if (!old || r.method !== 'dax') continue;
    const changes = METRICS.flatMap((m) =>
      r.metrics[m.key] !== undefined && old.metrics[m.key] !== undefined
        ? [{ label: m.label, d: r.metrics[m.key]! - old.metrics[m.key]! }]
        : [],
    );
    const biggest = changes.sort((x, y) => Math.abs(y.d) - Math.abs(x.d))[0];
    if (biggest)
      moves.push({
        size: Math.abs(biggest.d),
        text: `${r.set} ${r.case} budget ${r.budget} seed ${r.seed}: ${changes.map((c) => `${c.label.split(' ')[0]}${c.label.includes('blur') ? '/blur' : c.label.includes('zero') ? '/zero' : ''} ${f3(c.d)}`).join(', ')}`,
      });
  }
  moves.sort((x, y) => y.size - x.size);
  if (moves.length > 0)
    lines.push('', `DAX cases that moved most (B − A):`, ...moves.slice(0, top).map((m) => `  ${m.text}`));
  return lines.join('\n');
}

if (require.main === module) {
  const [fileA, fileB] = process.argv.slice(2);
  if (!fileA || !fileB) {
    console.error('usage: npm run bench:diff A.json B.json   (benchmark runs, e.g. docs/benchmarks/quick.json)');
    process.exit(2);
  }
  try {
    console.log(diffRuns(load(fileA), load(fileB)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
