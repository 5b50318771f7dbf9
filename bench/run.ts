// `npm run bench` (every set at its full plan, ~1 hour on 2 cores) and `npm run bench:quick` (a fixed subset at
// one budget and seed, ≤ 10 minutes): every method on real models and real inputs, scored alike, written as
// per-case JSON and a Markdown report. Cases run in worker processes, one per core (the wasm backend is
// single-threaded), handed out longest first; each worker keeps its black boxes open and answers from the disk
// cache (answerStore.ts) where it can.
//
// Switches: DAX_BENCH_JOBS (workers, default: the cores), DAX_BENCH_SETS=scenetext,coco (some sets only),
// DAX_BENCH_METHODS=dax,lime, DAX_BENCH_DAX='{"lambda1":1}' (DAX settings over the balanced preset),
// DAX_BENCH_CACHE=0 (no answer cache), DAX_BENCH_CACHE_DIR, DAX_BENCH_OUT=file.json (also writes file.md).
// A run with any of the filters or overrides never overwrites the committed figures unless DAX_BENCH_OUT says so.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlackBox } from '../src/engine/blackbox/classifier';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import { openAudioClassifier } from '../src/engine/blackbox/openAudioClassifier';
import { openClassifier } from '../src/engine/blackbox/openClassifier';
import { PRESETS, type DaxSettings } from '../src/engine/methods/dax/presets';
import { METHOD_NAMES, type MethodName } from '../src/engine/methods/registry';
import { initBackend } from '../src/engine/tf/runtime';
import { DEFAULT_CACHE_DIR, withAnswerStore, type AnswerCounts } from './answerStore';
import { runCase, type CaseOutcome } from './caseRunner';
import { renderRun } from './markdown';
import type { BenchRun } from './records';
import { planOf, quickSubset, SETS, type BenchCase, type BenchSet, type Mode } from './sets';

const root = path.join(__dirname, '..');

interface Unit {
  set: string;
  testCase: BenchCase;
}

type ToWorker = { type: 'run'; unit: Unit; mode: Mode } | { type: 'stop' };
type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'done'; outcome: CaseOutcome; descriptions: Record<string, string> }
  | { type: 'failed'; message: string };

function daxSettings(): { settings: DaxSettings; overrides?: Record<string, unknown> } {
  const text = process.env.DAX_BENCH_DAX;
  if (!text) return { settings: PRESETS.balanced };
  const overrides = JSON.parse(text) as Record<string, unknown>;
  return { settings: { ...PRESETS.balanced, ...overrides } as DaxSettings, overrides };
}

function methods(): MethodName[] {
  const listed = process.env.DAX_BENCH_METHODS?.split(',').filter(Boolean);
  if (!listed) return [...METHOD_NAMES];
  for (const m of listed)
    if (!(METHOD_NAMES as readonly string[]).includes(m)) throw new Error(`unknown method ${m} in DAX_BENCH_METHODS`);
  return listed as MethodName[];
}

// ---- worker side ---------------------------------------------------------------------------------------------

async function worker(): Promise<void> {
  const backend = await initBackend((process.env.DAX_BACKEND as 'auto') ?? 'auto');
  const open = new Map<string, { blackBox: BlackBox; counts: AnswerCounts; description: string }>();
  const send = (message: FromWorker): void => void process.send!(message);
  const blackBoxOf = async (set: BenchSet) => {
    let entry = open.get(set.id);
    if (!entry) {
      const config = await loadModelConfig(path.join(root, set.model));
      const raw: BlackBox = set.modality === 'audio' ? await openAudioClassifier(config) : await openClassifier(config);
      const stored =
        process.env.DAX_BENCH_CACHE === '0'
          ? { blackBox: raw, counts: { asked: 0, cached: 0 } }
          : await withAnswerStore(raw, process.env.DAX_BENCH_CACHE_DIR ?? DEFAULT_CACHE_DIR);
      entry = { ...stored, description: raw.description.split(root + path.sep).join('') };
      open.set(set.id, entry);
    }
    return entry;
  };
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      void Promise.all([...open.values()].map((e) => e.blackBox.dispose())).finally(() => process.exit(0));
      return;
    }
    void (async () => {
      try {
        const set = SETS.find((s) => s.id === message.unit.set)!;
        const { blackBox, counts, description } = await blackBoxOf(set);
        const outcome = await runCase(
          { set, plan: planOf(set, message.mode), blackBox, counts, dax: daxSettings().settings, methods: methods() },
          message.unit.testCase,
        );
        send({ type: 'done', outcome, descriptions: { [set.id]: description } });
      } catch (error) {
        send({
          type: 'failed',
          message: `${message.unit.set} ${message.unit.testCase.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        });
      }
    })();
  });
  send({ type: 'ready', backend: backend.name });
}

// ---- parent side ---------------------------------------------------------------------------------------------

function machine(backend: string): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend: ${backend}`;
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !==
      '';
    return dirty ? `${sha} + uncommitted changes` : sha;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const mode: Mode = process.argv.includes('--quick') ? 'quick' : 'full';
  const started = performance.now();
  const onlySets = process.env.DAX_BENCH_SETS?.split(',').filter(Boolean);
  const sets = SETS.filter((s) => !onlySets || onlySets.includes(s.id));
  const units: (Unit & { cost: number })[] = [];
  const counts = new Map<string, number>();
  for (const set of sets) {
    const all = await set.cases();
    const chosen = mode === 'quick' ? quickSubset(all, set.quick.cases) : quickSubset(all, set.maxCases ?? all.length);
    counts.set(set.id, chosen.length);
    const plan = planOf(set, mode);
    const explanations = (p: typeof plan): number => p.runs.reduce((n, r) => n + r.budget * r.seeds.length, 0);
    const cost = (set.costPerCase * explanations(plan)) / explanations(set.full);
    for (const testCase of chosen) units.push({ set: set.id, testCase, cost });
  }
  units.sort((a, b) => b.cost - a.cost);
  const jobs = Math.max(1, Math.min(units.length, Number(process.env.DAX_BENCH_JOBS ?? os.cpus().length)));
  log(
    `${mode} benchmark: ${units.length} cases over ${sets.map((s) => `${s.id} (${counts.get(s.id)})`).join(', ')}; ${jobs} workers`,
  );

  const run: BenchRun = {
    schema: 1,
    mode,
    date: new Date().toISOString().slice(0, 10),
    machine: '',
    commit: commit(),
    daxOverrides: daxSettings().overrides,
    minutes: 0,
    sets: [],
    records: [],
    agreements: [],
    skipped: [],
  };
  const descriptions: Record<string, string> = {};
  const failures: string[] = [];
  let backend = '';
  let done = 0;
  const queue = [...units];
  await Promise.all(
    Array.from(
      { length: jobs },
      () =>
        new Promise<void>((resolve, reject) => {
          const child: ChildProcess = fork(__filename, ['--worker'], {
            execArgv: ['--import', 'tsx'],
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          let current: Unit | undefined;
          const next = (): void => {
            current = queue.shift();
            if (current)
              child.send({
                type: 'run',
                unit: { set: current.set, testCase: current.testCase },
                mode,
              } satisfies ToWorker);
            else child.send({ type: 'stop' } satisfies ToWorker);
          };
          child.on('message', (message: FromWorker) => {
            if (message.type === 'ready') {
              backend = message.backend;
              next();
              return;
            }
            done++;
            if (message.type === 'failed') {
              failures.push(message.message);
              log(`[${done}/${units.length}] FAILED ${message.message}`);
            } else {
              const { records, agreements, skipped } = message.outcome;
              Object.assign(descriptions, message.descriptions);
              run.records.push(...records);
              run.agreements.push(...agreements);
              if (skipped) run.skipped.push(skipped);
              log(
                `[${done}/${units.length}] ${current!.set} ${current!.testCase.id}: ${skipped ? `left out (${skipped.reason})` : summary(records)}`,
              );
            }
            next();
          });
          child.on('exit', (code) =>
            current && code !== 0
              ? reject(new Error(`a worker exited with ${code} on ${current.set} ${current.testCase.id}`))
              : resolve(),
          );
          child.on('error', reject);
        }),
    ),
  );
  run.machine = machine(backend);
  run.minutes = (performance.now() - started) / 60000;
  // Records in a stable order, whatever order the workers finished in, so that two runs' files diff cleanly.
  const order = new Map(units.map((u, i) => [`${u.set} ${u.testCase.id}`, i]));
  const rank = (r: { set: string; case: string }): number => order.get(`${r.set} ${r.case}`) ?? 0;
  run.records.sort(
    (a, b) =>
      a.set.localeCompare(b.set) ||
      rank(a) - rank(b) ||
      a.budget - b.budget ||
      a.seed - b.seed ||
      METHOD_NAMES.indexOf(a.method as MethodName) - METHOD_NAMES.indexOf(b.method as MethodName),
  );
  run.agreements.sort((a, b) => a.set.localeCompare(b.set) || rank(a) - rank(b) || a.budget - b.budget);
  for (const set of sets) {
    const plan = planOf(set, mode);
    run.sets.push({
      id: set.id,
      title: set.title,
      model: set.model,
      description: descriptions[set.id] ?? set.model,
      source: set.source,
      truth: set.truth,
      runs: plan.runs,
      steps: plan.steps,
      cases: counts.get(set.id)!,
    });
  }
  const partial = Boolean(
    onlySets || process.env.DAX_BENCH_METHODS || process.env.DAX_BENCH_DAX || failures.length > 0,
  );
  const out =
    process.env.DAX_BENCH_OUT ??
    (partial
      ? path.join(DEFAULT_CACHE_DIR, 'runs', `${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`)
      : path.join(root, 'docs/benchmarks', `${mode}.json`));
  const markdown = out.endsWith(path.join('docs/benchmarks', 'full.json'))
    ? path.join(root, 'docs/benchmarks.md')
    : out.replace(/\.json$/, '.md');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(run, null, 1) + '\n');
  await writeFile(markdown, renderRun(run, mode === 'quick' ? 'npm run bench:quick' : 'npm run bench'));
  log(
    `\n${run.records.length} records in ${run.minutes.toFixed(1)} minutes; written to ${path.relative(process.cwd(), out)} and ${path.relative(process.cwd(), markdown)}`,
  );
  if (failures.length > 0) {
    log(`${failures.length} cases failed:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

function summary(records: CaseOutcome['records']): string {
  return records
    .filter((r) => r.seed === records[0]!.seed && r.budget === records[records.length - 1]!.budget)
    .map(
      (r) =>
        `${r.method} del ${r.metrics.deletionBlur?.toFixed(2) ?? r.metrics.deletionZero.toFixed(2)}${r.metrics.topkIou !== undefined ? ` topk ${r.metrics.topkIou.toFixed(2)}` : ''}${r.metrics.timeIou !== undefined ? ` tIoU ${r.metrics.timeIou.toFixed(2)}` : ''} ${(r.wallMs / 1000).toFixed(1)}s`,
    )
    .join(', ');
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

(process.argv.includes('--worker') ? worker() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
