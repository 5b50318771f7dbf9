// The benchmark's document, built from a run's records alone (so a JSON file can be re-tabulated at any time):
// where DAX stands, then per set and budget the means with standard errors, DAX against each baseline paired
// case by case, the time per explanation, the agreement between seeds and whether more queries helped.
import { METRICS, type BenchRun, type CaseRecord, type Metrics } from './records';
import { compare, meanSe, metricOf, perCase, type MeanSe, type PairedComparison } from './stats';

const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');
const pm = (m: MeanSe): string => (m.n === 0 ? '–' : `${f3(m.mean)} ± ${f3(m.se)}`);
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/** The metrics a set has values for, in the table's order. */
function metricsOf(records: readonly CaseRecord[]): typeof METRICS {
  return METRICS.filter((metric) => records.some((r) => r.metrics[metric.key] !== undefined));
}

function methodsOf(records: readonly CaseRecord[]): string[] {
  return [...new Set(records.map((r) => r.method))];
}

/** DAX − baseline ± SE (cases DAX won–lost). */
function differenceCell(c: PairedComparison): string {
  if (c.n === 0) return '–';
  return `${c.difference.mean >= 0 ? '+' : '−'}${f3(Math.abs(c.difference.mean))} ± ${f3(c.difference.se)} (${c.winsA}–${c.winsB})`;
}

function verdictCell(c: PairedComparison): string {
  if (c.n === 0) return '–';
  const text = differenceCell(c);
  return c.verdict === 'a' ? `**${text} DAX**` : c.verdict === 'b' ? `${text} worse` : `${text} ≈`;
}

function compareMethods(
  records: readonly CaseRecord[],
  set: string,
  budget: number,
  metric: keyof Metrics,
  better: 1 | -1,
  a: string,
  b: string,
): PairedComparison {
  const keep = (m: string) => (r: CaseRecord) => r.set === set && r.budget === budget && r.method === m;
  return compare(perCase(records, keep(a), metricOf(metric)), perCase(records, keep(b), metricOf(metric)), better);
}

/** One line per set, budget and metric: DAX's rank by mean, and whether it is first by more than 2 SE. */
function standing(run: BenchRun): string[] {
  const lines = [
    '## Where DAX stands',
    '',
    'For each set, budget and metric: the best baseline by mean, and DAX against it paired case by case (difference DAX − best ± its standard error, cases won–lost). **DAX first** only where it leads every baseline by more than twice the paired standard error.',
    '',
  ];
  lines.push(
    '| set | budget | metric | best baseline (mean) | DAX (mean) | DAX − best baseline | DAX first? |',
    '|---|---|---|---|---|---|---|',
  );
  let firsts = 0;
  let behind = 0;
  let total = 0;
  for (const set of run.sets) {
    const records = run.records.filter((r) => r.set === set.id);
    if (records.length === 0) continue;
    for (const { budget } of set.runs) {
      const here = records.filter((r) => r.budget === budget);
      for (const metric of metricsOf(here)) {
        const means = methodsOf(here).map((method) => ({
          method,
          m: meanSe([...perCase(here, (r) => r.method === method, metricOf(metric.key)).values()]),
        }));
        means.sort((x, y) => (y.m.mean - x.m.mean) * metric.better);
        const dax = means.find((x) => x.method === 'dax');
        if (!dax) continue;
        const best = means.find((x) => x.method !== 'dax');
        // A run of DAX alone (DAX_BENCH_METHODS=dax) has nothing to stand against.
        if (!best) continue;
        const versus = means
          .filter((x) => x.method !== 'dax')
          .map((x) => compareMethods(run.records, set.id, budget, metric.key, metric.better, 'dax', x.method));
        const first = versus.length > 0 && versus.every((c) => c.verdict === 'a');
        const againstBest = compareMethods(run.records, set.id, budget, metric.key, metric.better, 'dax', best.method);
        total++;
        if (first) firsts++;
        if (againstBest.verdict === 'b') behind++;
        lines.push(
          `| ${set.id} | ${budget} | ${metric.label} | ${best.method} (${f3(best.m.mean)}) | ${f3(dax.m.mean)} | ${differenceCell(againstBest)} | ${first ? '**yes**' : 'no'} |`,
        );
      }
    }
  }
  lines.push(
    '',
    `DAX is first in ${firsts} of ${total} (set, budget, metric) cells; the best baseline leads it by more than twice the paired standard error in ${behind}, and in the other ${total - firsts - behind} the two are within that margin.`,
    '',
  );
  return lines;
}

function setSection(run: BenchRun, set: BenchRun['sets'][number]): string[] {
  const records = run.records.filter((r) => r.set === set.id);
  const skipped = run.skipped.filter((s) => s.set === set.id);
  const lines = [`## ${set.title}`, ''];
  lines.push(
    `${set.description}. Cases: ${set.cases - skipped.length} of ${set.cases} (${set.source}); truth: ${set.truth}; ${set.runs.map((r) => `${r.budget} queries (seed${r.seeds.length > 1 ? 's' : ''} ${r.seeds.join(', ')})`).join(', ')}; ` +
      `deletion/insertion in ${set.steps} steps. Means ± standard error over cases (a case's seeds averaged first).`,
    '',
  );
  if (skipped.length > 0)
    lines.push(
      `Left out (the model's top-1 is not the case's class): ${skipped.map((s) => `${s.case} — ${s.reason}`).join('; ')}.`,
      '',
    );
  if (records.length === 0) return [...lines, 'No records in this run.', ''];
  const metrics = metricsOf(records);
  const methods = methodsOf(records);
  const budgets = set.runs.map((r) => r.budget);
  for (const budget of budgets) {
    const here = records.filter((r) => r.budget === budget);
    if (here.length === 0) continue;
    lines.push(`### ${budget} queries`, '');
    lines.push(
      `| method | cases | queries | ${metrics.map((m) => m.label).join(' | ')} | s per explanation |`,
      `|---|---|---|${metrics.map(() => '---|').join('')}---|`,
    );
    for (const method of methods) {
      const mine = here.filter((r) => r.method === method);
      const cells = metrics.map((metric) => pm(meanSe([...perCase(mine, () => true, metricOf(metric.key)).values()])));
      const queries = meanSe(mine.map((r) => r.queries)).mean;
      const time = meanSe([
        ...perCase(
          mine,
          () => true,
          (r) => r.wallMs / 1000,
        ).values(),
      ]);
      lines.push(
        `| ${method} | ${new Set(mine.map((r) => r.case)).size} | ${Math.round(queries)} | ${cells.join(' | ')} | ${pm(time).replace(/(\d\.\d\d)\d/g, '$1')} |`,
      );
    }
    if (methods.includes('dax')) {
      lines.push(
        '',
        'DAX − baseline, paired by case (± standard error; cases DAX won–lost); **bold**: DAX better by more than 2 SE; "worse": the baseline is; ≈: neither.',
        '',
      );
      lines.push(
        `| baseline | ${metrics.map((m) => m.label).join(' | ')} |`,
        `|---|${metrics.map(() => '---|').join('')}`,
      );
      for (const method of methods.filter((m) => m !== 'dax')) {
        lines.push(
          `| ${method} | ${metrics.map((metric) => verdictCell(compareMethods(run.records, set.id, budget, metric.key, metric.better, 'dax', method))).join(' | ')} |`,
        );
      }
    }
    lines.push('');
  }
  lines.push(...speed(records, budgets), ...agreement(run, set.id), ...monotone(records, budgets, metrics));
  return lines;
}

/** DAX's time against the baselines' at each budget, and where its time goes. */
function speed(records: readonly CaseRecord[], budgets: readonly number[]): string[] {
  const dax = records.filter((r) => r.method === 'dax');
  if (dax.length === 0) return [];
  const lines = [
    "Time per explanation (the explanation alone; means over cases and seeds): DAX against each baseline at the same budget, and where DAX's time goes.",
    '',
  ];
  const baselines = methodsOf(records).filter((m) => m !== 'dax');
  lines.push(
    `| budget | DAX s | ${baselines.map((b) => `${b} s | DAX / ${b}`).join(' | ')} | DAX query s | DAX train s | training share | steps | ms per step | answers from cache |`,
  );
  lines.push(`|---|---|${baselines.map(() => '---|---|').join('')}---|---|---|---|---|---|`);
  const mean = (values: number[]): number => meanSe(values).mean;
  for (const budget of budgets) {
    const mine = dax.filter((r) => r.budget === budget);
    if (mine.length === 0) continue;
    const daxS = mean(mine.map((r) => r.wallMs));
    const cells = baselines.map((b) => {
      const theirs = mean(records.filter((r) => r.method === b && r.budget === budget).map((r) => r.wallMs));
      return `${seconds(theirs)} | ${(daxS / theirs).toFixed(1)}x`;
    });
    const steps = mean(mine.map((r) => r.trainingSteps));
    const train = mean(mine.map((r) => r.trainMs));
    const cached =
      mine.reduce((a, r) => a + r.cachedQueries, 0) /
      Math.max(
        1,
        mine.reduce((a, r) => a + r.queries, 0),
      );
    lines.push(
      `| ${budget} | ${seconds(daxS)} | ${cells.join(' | ')} | ${seconds(mean(mine.map((r) => r.queryMs)))} | ${seconds(train)} | ${((100 * train) / daxS).toFixed(0)} % | ${Math.round(steps)} | ${(train / Math.max(1, steps)).toFixed(1)} | ${(100 * cached).toFixed(0)} % |`,
    );
  }
  return [...lines, ''];
}

/** How much two seeds' top maps overlap, per method. */
function agreement(run: BenchRun, set: string): string[] {
  const here = run.agreements.filter((a) => a.set === set);
  if (here.length === 0) return [];
  const lines = [
    "Agreement between seeds: IoU of the two seeds' top-k pixels (k as for top-k IoU; 10 % of the map without truth), mean ± SE over cases.",
    '',
  ];
  const budgets = [...new Set(here.map((a) => a.budget))];
  const methods = [...new Set(here.map((a) => a.method))];
  lines.push(
    `| method | ${budgets.map((b) => `${b} queries`).join(' | ')} |`,
    `|---|${budgets.map(() => '---|').join('')}`,
  );
  for (const method of methods)
    lines.push(
      `| ${method} | ${budgets.map((b) => pm(meanSe(here.filter((a) => a.method === method && a.budget === b).map((a) => a.topIou)))).join(' | ')} |`,
    );
  return [...lines, ''];
}

/** Whether DAX with more queries did better than with fewer, paired by case. */
function monotone(records: readonly CaseRecord[], budgets: readonly number[], metrics: typeof METRICS): string[] {
  if (budgets.length < 2) return [];
  const [low, high] = [budgets[0]!, budgets[budgets.length - 1]!];
  const keep = (budget: number) => (r: CaseRecord) => r.method === 'dax' && r.budget === budget;
  const cells = metrics.map((metric) => {
    const c = compare(
      perCase(records, keep(high), metricOf(metric.key)),
      perCase(records, keep(low), metricOf(metric.key)),
      metric.better,
    );
    if (c.n === 0) return '–';
    const text = `${c.difference.mean >= 0 ? '+' : '−'}${f3(Math.abs(c.difference.mean))} ± ${f3(c.difference.se)}`;
    return c.verdict === 'a' ? `${text} better` : c.verdict === 'b' ? `**${text} worse**` : `${text} ≈`;
  });
  return [
    `DAX at ${high} − DAX at ${low} queries, paired by case (more queries should never be worse):`,
    '',
    `| ${metrics.map((m) => m.label).join(' | ')} |`,
    `|${metrics.map(() => '---|').join('')}`,
    `| ${cells.join(' | ')} |`,
    '',
  ];
}

export function renderRun(run: BenchRun, command: string): string {
  const lines = [
    run.mode === 'quick' ? '# Benchmarks (quick subset)' : '# Benchmarks',
    '',
    `Written by \`${command}\` on ${run.date} at commit ${run.commit} (${run.machine}); the run took ${run.minutes.toFixed(1)} minutes. ` +
      'Per-case results: the JSON beside this file; `npm run bench:diff A.json B.json` compares two runs case by case. ' +
      'Every method gets the same query budget per explanation (the input itself included); deletion and insertion (Petsiuk et al. 2018) are measured through the black box after the explanation, with a blurred and with a zero substrate (sounds: silenced cells), and their queries are not counted in the budget. ' +
      'Times come from one run on a shared machine, with two cases explained at once (one per core): compare ratios within a run, not absolute seconds.',
    '',
  ];
  if (run.daxOverrides) lines.push(`DAX settings changed for this run: \`${JSON.stringify(run.daxOverrides)}\`.`, '');
  lines.push(...standing(run));
  for (const set of run.sets) lines.push(...setSection(run, set));
  return lines.join('\n') + '\n';
}
