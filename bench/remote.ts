// `npm run bench:remote`: throughput of `dax explain <folder>` when the black box is served over the Open Inference
// Protocol (KServe v2), against the same model in process. A folder of small crops of the bundled photos is
// explained by the CLI (dist/cli.js, a child process) with the text-direction example:
//
//   - served by test/helpers/kserveServer.ts (onnxruntime-node), started in THIS process, so client (the dax child)
//     and server are two processes on the same machine, talking over 127.0.0.1, with 1, 2 and 4 requests in flight;
//   - in process (the example's .onnx through onnxruntime-node inside dax), for reference;
//   - for the query-only method (LIME), also against a "null" server in this process that reads each request and
//     answers made-up probabilities without parsing or inferring: what the client and the transport cost alone,
//     the floor no number of server replicas can go below.
//
// Per configuration: explanations per minute (the batch's wall time, process start-up and model load included),
// mean query, training and other time per explanation (from the reports), requests the server saw, CPU seconds of
// client and server, and the query phase's speed-up over 1 in flight. docs/benchmarks-remote.md gets the tables
// and a projection to several server replicas computed from these figures only. Each row also records the CPU time
// the rest of the machine used meanwhile; a row disturbed by other processes (over 5 % of the cores) is run again.
//
//   npm run bench:remote                    (builds dist/, then runs; about 10 minutes on 2 cores)
//   node --import tsx bench/remote.ts       (dist/ must be built with the current sources)
//
// Switches: DAX_BENCH_REMOTE_FILES (50), DAX_BENCH_REMOTE_SAMPLES (128: two calls of 64), DAX_BENCH_REMOTE_EPOCHS (2),
// DAX_BENCH_REMOTE_BINARY=0 (skip the binary-tensor rows), DAX_BENCH_REMOTE_OUT (file to write; a run with other
// figures than the defaults prints but does not overwrite docs/benchmarks-remote.md), DAX_BENCH_REMOTE_KEEP=1,
// DAX_BENCH_REMOTE_ONLY=<regular expression> (only the configurations whose "variant | black box" matches).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import type { ExplanationReport } from '../src/shared/report';
import { startKserveServer, type KserveTestServer } from '../test/helpers/kserveServer';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const exampleModel = path.join(root, 'examples', 'text-direction.model.json');
const TIME = '/usr/bin/time';

const files = Number(process.env.DAX_BENCH_REMOTE_FILES ?? 50);
const samples = Number(process.env.DAX_BENCH_REMOTE_SAMPLES ?? 128);
const epochs = Number(process.env.DAX_BENCH_REMOTE_EPOCHS ?? 2);
const withBinary = process.env.DAX_BENCH_REMOTE_BINARY !== '0';
/** Only the configurations whose "variant | black box" matches this regular expression (a partial run). */
const only = process.env.DAX_BENCH_REMOTE_ONLY ? new RegExp(process.env.DAX_BENCH_REMOTE_ONLY, 'i') : undefined;
const defaults = files === 50 && samples === 128 && epochs === 2 && withBinary && !only;

/** What the black box is: the model in process, the test server, or the null server; JSON or binary tensors. */
interface Target {
  name: string;
  kind: 'local' | 'remote' | 'null';
  concurrency?: number;
  binary?: boolean;
}

interface Variant {
  name: string;
  method: 'dax' | 'lime';
  args: string[];
  targets: Target[];
}

interface Measured {
  variant: string;
  target: Target;
  explained: number;
  wallS: number;
  perMinute: number;
  meanTotalS: number;
  meanQueryS: number;
  meanModelS: number;
  meanTrainS: number;
  meanOtherS: number;
  queries: number;
  /** Server side: every request (health and metadata included), inference requests, most in flight at once. */
  requests?: number;
  infers?: number;
  maxInFlight?: number;
  /** Bytes of inference request bodies (null server only). */
  requestBytes?: number;
  clientCpuS?: number;
  serverCpuS?: number;
  /** CPU seconds the rest of the machine used meanwhile (all busy time in /proc/stat minus dax's and this process's). */
  othersCpuS?: number;
  backend: string;
}

/** CPU seconds the whole machine has been busy, from /proc/stat (Linux); undefined elsewhere. */
async function machineBusyS(): Promise<number | undefined> {
  try {
    const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: busy = all but idle, iowait and steal; USER_HZ is 100.
    const [user, nice, system, , , irq, softirq] = fields;
    return (user! + nice! + system! + irq! + softirq!) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Waits, between rows, until the rest of the machine is idle: less than 10 % of one core busy over 5 s (this
 * process's own servers are idle then). Gives up after `maxMs` and says so.
 */
async function waitForQuiet(maxMs = 15 * 60_000): Promise<void> {
  const started = performance.now();
  let said = false;
  for (;;) {
    const before = await machineBusyS();
    const own = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const after = await machineBusyS();
    if (before === undefined || after === undefined) return;
    const ownUsage = process.cpuUsage(own);
    const ownS = (ownUsage.user + ownUsage.system) / 1e6;
    const others = (after - before - ownS) / 5;
    if (others < 0.1) return;
    if (performance.now() - started > maxMs) {
      console.warn(
        `the machine is still busy (${(100 * others).toFixed(0)} % of a core) after ${maxMs / 60_000} minutes; going on.`,
      );
      return;
    }
    if (!said) console.warn(`waiting for other processes to finish (${(100 * others).toFixed(0)} % of a core busy)…`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
}

const sum = (values: (number | undefined)[]): number => values.reduce<number>((a, b) => a + (b ?? NaN), 0);

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const fmt = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

/** `count` different small crops of the bundled photos (the example and the scene-text fixtures), as JPEG files. */
async function writeImages(dir: string, count: number): Promise<void> {
  const fixtures = path.join(root, 'test', 'fixtures', 'scenetext');
  const sources = [
    path.join(root, 'examples', 'stationery-sign.jpg'),
    ...(await readdir(fixtures))
      .filter((f) => /^word\d(-180)?\.jpg$/.test(f))
      .sort()
      .map((f) => path.join(fixtures, f)),
  ];
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]!;
    const { width = 0, height = 0 } = await sharp(source).metadata();
    // A deterministic walk: 60-95 % of each side, every file different, so nothing is skipped or cached.
    const w = Math.max(8, Math.round(width * (0.6 + (0.35 * ((i * 37) % 100)) / 100)));
    const h = Math.max(8, Math.round(height * (0.6 + (0.35 * ((i * 61) % 100)) / 100)));
    const left = Math.floor(((width - w) * ((i * 13) % 100)) / 100);
    const top = Math.floor(((height - h) * ((i * 29) % 100)) / 100);
    await sharp(source)
      .extract({ left, top, width: w, height: h })
      .resize({ width: 120 + ((i * 7) % 81) })
      .jpeg({ quality: 85 })
      .toFile(path.join(dir, `crop-${String(i).padStart(3, '0')}.jpg`));
  }
}

interface NullServer {
  url: string;
  counts: { requests: number; infers: number; bytes: number; inFlight: number; maxInFlight: number };
  reset(): void;
  close(): Promise<void>;
}

/**
 * A server that speaks just enough of the protocol for dax (health, the real server's metadata, ready, infer) and
 * answers each inference request as soon as its body has arrived, with made-up probabilities: it reads the batch
 * size from the first bytes and parses nothing else.
 */
async function startNullServer(real: KserveTestServer, model: string): Promise<NullServer> {
  const metadata = await (await fetch(`${real.url}/v2/models/${model}`)).json();
  const counts = { requests: 0, infers: 0, bytes: 0, inFlight: 0, maxInFlight: 0 };
  let answered = 0;
  const json = (res: http.ServerResponse, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const server = http.createServer((req, res) => {
    counts.requests++;
    const route = (req.url ?? '/').split('?')[0];
    const isInfer = req.method === 'POST' && route === `/v2/models/${model}/infer`;
    if (isInfer) {
      counts.infers++;
      counts.inFlight++;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    }
    const head: Buffer[] = [];
    let headLength = 0;
    req.on('data', (chunk: Buffer) => {
      counts.bytes += isInfer ? chunk.length : 0;
      if (headLength < 4096) {
        head.push(chunk);
        headLength += chunk.length;
      }
    });
    req.on('end', () => {
      if (route === '/v2/health/ready') return json(res, { ready: true });
      if (route === `/v2/models/${model}`) return json(res, metadata);
      if (route === `/v2/models/${model}/ready`) return json(res, { name: model, ready: true });
      if (!isInfer) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: `no route ${route}` }));
      }
      counts.inFlight--;
      // JSON tensors put "shape" before "data"; with binary tensors the JSON part is all there is to read.
      const start = Buffer.concat(head).subarray(0, 4096).toString('latin1');
      const batch = Number(/"shape":\[(\d+)/.exec(start)?.[1] ?? NaN);
      if (!Number.isInteger(batch) || batch < 1) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'no shape in the first 4 KB' }));
      }
      const data: number[] = [];
      for (let i = 0; i < batch; i++) {
        const p = 0.5 + 0.45 * Math.sin(++answered * 0.7);
        data.push(p, 1 - p);
      }
      json(res, {
        model_name: model,
        outputs: [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [batch, 2], data }],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    reset() {
      Object.assign(counts, { requests: 0, infers: 0, bytes: 0, inFlight: 0, maxInFlight: 0 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs dax in a child process, under /usr/bin/time when there is one (for its CPU seconds). */
function runCli(
  args: string[],
  timeFile: string,
): Promise<{ code: number; stdout: string; stderr: string; wallMs: number }> {
  const timed = existsSync(TIME);
  const [command, argv] = timed
    ? [TIME, ['-o', timeFile, '-f', '%U %S', process.execPath, cli, ...args]]
    : [process.execPath, [cli, ...args]];
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      command,
      argv,
      { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, DAX_MEMORY_LOG: '' } },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
          wallMs: performance.now() - started,
        });
      },
    );
  });
}

async function cpuOfChild(timeFile: string): Promise<number | undefined> {
  try {
    const [user, system] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(/\s+/).map(Number);
    return user! + system!;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  if (!existsSync(cli))
    throw new Error(
      'dist/cli.js is missing: run `npm run bench:remote` (it builds) or `node scripts/build.mjs` first.',
    );
  const sources = path.join(root, 'src', 'engine', 'blackbox', 'kserve');
  const newest = Math.max(...readdirSync(sources).map((name) => statSync(path.join(sources, name)).mtimeMs));
  if (statSync(cli).mtimeMs < newest)
    throw new Error('dist/cli.js is older than src/engine/blackbox/kserve/: run `node scripts/build.mjs` first.');
  const started = performance.now();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'dax-bench-remote-'));
  const images = path.join(tmp, 'images');
  await mkdir(images);
  await writeImages(images, files);

  const local = await loadModelConfig(exampleModel);
  const server = await startKserveServer([{ name: 'direction', model: local.path }]);
  const nullServer = await startNullServer(server, 'direction');
  // Warm the server's session up, so that the first configuration does not pay for it.
  await fetch(`${server.url}/v2/models/direction/infer`, {
    method: 'POST',
    body: JSON.stringify({
      inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0) }],
    }),
  });

  const {
    path: _path,
    name: _name,
    ...description
  } = JSON.parse(await readFile(exampleModel, 'utf8')) as Record<string, unknown>;
  const modelFile = async (target: Target): Promise<string> => {
    if (target.kind === 'local') return exampleModel;
    const file = path.join(tmp, `${target.name.replace(/[^a-z0-9]+/gi, '-')}.model.json`);
    const url = target.kind === 'null' ? nullServer.url : server.url;
    await writeFile(
      file,
      JSON.stringify({
        ...description,
        name: `text direction (${target.name})`,
        kind: 'kserve',
        endpoint: { url, model: 'direction', concurrency: target.concurrency, binary: target.binary ?? false },
      }),
    );
    return file;
  };

  const remote = (concurrency: number, binary = false): Target => ({
    name: `server, ${concurrency} in flight${binary ? ', binary' : ''}`,
    kind: 'remote',
    concurrency,
    binary,
  });
  const nothing = (concurrency: number, binary = false): Target => ({
    name: `null server, ${concurrency} in flight${binary ? ', binary' : ''}`,
    kind: 'null',
    concurrency,
    binary,
  });
  const inProcess: Target = { name: 'in process (ONNX)', kind: 'local' };
  const common = ['--preset', 'fast', '--samples', String(samples), '--seed', '0'];
  const variants: Variant[] = [
    {
      name: 'DAX',
      method: 'dax',
      args: ['--method', 'dax', ...common, '--epochs', String(epochs)],
      targets: [inProcess, remote(1), remote(2), remote(4)],
    },
    {
      name: 'LIME (query-only)',
      method: 'lime',
      args: ['--method', 'lime', ...common],
      targets: [
        inProcess,
        remote(1),
        remote(2),
        remote(4),
        nothing(1),
        nothing(4),
        ...(withBinary ? [remote(1, true), remote(4, true), nothing(4, true)] : []),
      ],
    },
  ];

  const results: Measured[] = [];
  let run = 0;
  let reruns = 0;
  const measure = async (variant: Variant, target: Target): Promise<Measured> => {
    const out = path.join(tmp, `out-${++run}`);
    const args = ['explain', images, '--model', await modelFile(target), '--out', out, '--json', ...variant.args];
    server.resetCounts();
    nullServer.reset();
    const cpuBefore = process.cpuUsage();
    const busyBefore = await machineBusyS();
    const timeFile = path.join(tmp, `time-${run}.txt`);
    const result = await runCli(args, timeFile);
    const cpu = process.cpuUsage(cpuBefore);
    const busyAfter = await machineBusyS();
    if (result.code !== 0)
      throw new Error(`${variant.name}, ${target.name}: dax exited ${result.code}: ${result.stderr.slice(-3000)}`);
    const parsed = JSON.parse(result.stdout) as {
      results: { file: string; status: string; report?: ExplanationReport }[];
    };
    const reports = parsed.results.filter((r) => r.status === 'ok' && r.report).map((r) => r.report!);
    if (reports.length !== files)
      throw new Error(`${variant.name}, ${target.name}: ${reports.length} of ${files} explained`);
    const s = (pick: (t: ExplanationReport['timing'] & { trainMs: number }) => number): number =>
      mean(reports.map((r) => pick({ ...r.timing, trainMs: r.training?.ms ?? 0 }))) / 1000;
    const counts = target.kind === 'remote' ? server.counts : target.kind === 'null' ? nullServer.counts : undefined;
    const ownCpuS = (cpu.user + cpu.system) / 1e6;
    const clientCpuS = await cpuOfChild(timeFile);
    return {
      variant: variant.name,
      target,
      explained: reports.length,
      wallS: result.wallMs / 1000,
      perMinute: (reports.length * 60_000) / result.wallMs,
      meanTotalS: s((t) => t.totalMs),
      meanQueryS: s((t) => t.queryMs),
      meanModelS: s((t) => t.modelMs),
      meanTrainS: s((t) => t.trainMs),
      meanOtherS: s((t) => t.totalMs - t.queryMs - t.trainMs),
      queries: mean(reports.map((r) => r.queries)),
      requests: counts?.requests,
      infers: counts?.infers,
      maxInFlight: counts?.maxInFlight,
      requestBytes: target.kind === 'null' ? nullServer.counts.bytes : undefined,
      clientCpuS,
      serverCpuS: target.kind === 'local' ? undefined : ownCpuS,
      othersCpuS:
        busyBefore === undefined || busyAfter === undefined || clientCpuS === undefined
          ? undefined
          : Math.max(0, busyAfter - busyBefore - clientCpuS - ownCpuS),
      backend: reports[0]!.backend.name,
    };
  };
  for (const variant of variants) {
    for (const target of variant.targets) {
      if (only && !only.test(`${variant.name} | ${target.name}`)) continue;
      await waitForQuiet();
      let measured = await measure(variant, target);
      // On a shared machine: a row during which other processes used more than 5 % of the cores is run again (twice
      // at most, once the machine is quiet again); the least disturbed attempt is kept.
      const disturbed = (m: Measured): boolean => (m.othersCpuS ?? 0) > 0.05 * os.cpus().length * m.wallS;
      for (let attempt = 1; attempt <= 2 && disturbed(measured); attempt++) {
        console.warn(
          `${variant.name} | ${target.name}: other processes used ${fmt(measured.othersCpuS, 1)} CPU s during the run; running it again.`,
        );
        reruns++;
        await waitForQuiet();
        const again = await measure(variant, target);
        if ((again.othersCpuS ?? 0) < (measured.othersCpuS ?? 0)) measured = again;
      }
      results.push(measured);
      console.log(
        `${variant.name} | ${target.name}: ${fmt(measured.perMinute, 1)} explanations/min; query ${fmt(measured.meanQueryS, 3)} s, train ${fmt(measured.meanTrainS, 3)} s, total ${fmt(measured.meanTotalS, 3)} s; ` +
          `${measured.infers ?? '–'} infer requests, max ${measured.maxInFlight ?? '–'} in flight; wall ${fmt(measured.wallS, 1)} s; other processes ${fmt(measured.othersCpuS, 1)} CPU s`,
      );
    }
  }
  rerunRows = reruns;
  const elapsedS = (performance.now() - started) / 1000;
  const text = document(results, elapsedS);
  console.log('\n' + text);
  await nullServer.close();
  await server.close();
  if (process.env.DAX_BENCH_REMOTE_KEEP === '1') console.log(`kept ${tmp}`);
  else await rm(tmp, { recursive: true, force: true });
  const target = process.env.DAX_BENCH_REMOTE_OUT ?? (defaults ? path.join(root, 'docs', 'benchmarks-remote.md') : '');
  if (target) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
    console.log(`written to ${path.relative(process.cwd(), target)}`);
  }
}

/** Rows run again because other processes were busy during them. */
let rerunRows = 0;

/** The Markdown document: machine, command, the tables, and the projection to several replicas. */
function document(results: Measured[], elapsedS: number): string {
  const lines: string[] = [];
  const print = (line = ''): void => void lines.push(line);
  const cpus = os.cpus();
  const backend = results[0]?.backend ?? '?';
  print('# Remote black boxes: throughput');
  print();
  print(
    `Written by \`npm run bench:remote\` (\`bench/remote.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend ${backend}. The whole run took ${(elapsedS / 60).toFixed(1)} minutes ` +
      `(other processes used ${fmt(sum(results.map((r) => r.othersCpuS)), 1)} CPU-seconds during the ` +
      `kept runs, the last column per row${rerunRows > 0 ? `; ${rerunRows} disturbed run${rerunRows === 1 ? ' was' : 's were'} repeated` : ''}). ` +
      'One run on a shared machine: compare the rows with one another, not with other machines.',
  );
  print();
  print('```');
  print('npm run bench:remote        # = node scripts/build.mjs && node --import tsx bench/remote.ts');
  print('```');
  print();
  print(
    `What runs: \`dax explain <folder> --json\` (dist/cli.js, a child process) on a folder of ${files} crops (120-200 pixels wide) of ` +
      '`examples/stationery-sign.jpg` and `test/fixtures/scenetext/*.jpg`, with the text-direction example (`examples/text-direction.model.json`, ' +
      `192x48 input, batchSize 64). DAX: \`--preset fast --samples ${samples} --epochs ${epochs}\`; LIME, which trains nothing: \`--preset fast --samples ${samples}\`. ` +
      `Both make ${samples} queries per input, handed to the black box 64 per call.`,
  );
  print();
  print(
    '- **server**: the protocol test server (`test/helpers/kserveServer.ts`, onnxruntime-node, JSON tensors unless "binary"), started **in the benchmark\'s ' +
      'process**; dax is another process and reaches it over 127.0.0.1. Client and server share the 2 cores. `endpoint.concurrency` 1, 2, 4: a call of 64 ' +
      'queries goes as 1 x 64, 2 x 32 or 4 x 16 (requests of min(batchSize, ceil(64 / concurrency)), each after the first serialised one event-loop turn ' +
      'later); opening the model adds 3 requests (health, metadata, ready). Before requests were cut this way, a call went as one request of 64 whatever ' +
      'the concurrency: the "1 in flight" rows are what 2 and 4 gave then.',
  );
  print('- **in process**: the same `.onnx` through onnxruntime-node inside dax.');
  print(
    "- **null server**: a server in the benchmark's process that reads each request and answers made-up probabilities without parsing or running " +
      'anything: the cost of the client and the transport alone.',
  );
  print();
  print(
    "Columns: explanations/min from the batch's wall time (dax start-up and model load included); mean seconds per explanation from the reports " +
      "(query phase = composing the perturbed copies + the black box; training = DAX's networks; other = segmentation, loading the image, writing the " +
      'files); requests the server saw (health and metadata included) and inference requests; the most requests in flight at once, seen by the server; ' +
      "CPU seconds of dax and of the server process; the query phase's speed-up over the same server with 1 in flight; and the CPU seconds every other " +
      'process on the machine used during that row (from /proc/stat; more than a few seconds means the row was disturbed).',
  );
  for (const variant of [...new Set(results.map((r) => r.variant))]) {
    const rows = results.filter((r) => r.variant === variant);
    print();
    print(`## ${variant}`);
    print();
    print(
      "| black box | explanations/min | s / explanation | query s | of which black box s | training s | other s | requests (inference) | max in flight | dax CPU s | server CPU s | query speed-up vs 1 in flight | other processes' CPU s |",
    );
    print('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) {
      const base = rows.find(
        (r) =>
          r.target.kind === row.target.kind &&
          r.target.concurrency === 1 &&
          (r.target.binary ?? false) === (row.target.binary ?? false),
      );
      const speedup = row.target.kind === 'local' || !base ? '–' : `${(base.meanQueryS / row.meanQueryS).toFixed(2)}x`;
      print(
        `| ${row.target.name} | ${fmt(row.perMinute, 1)} | ${fmt(row.meanTotalS)} | ${fmt(row.meanQueryS, 3)} | ${fmt(row.meanModelS, 3)} | ${row.meanTrainS > 0 ? fmt(row.meanTrainS, 3) : '–'} | ` +
          `${fmt(row.meanOtherS, 3)} | ${row.requests === undefined ? '–' : `${row.requests} (${row.infers})`} | ${row.maxInFlight ?? '–'} | ${fmt(row.clientCpuS, 1)} | ${fmt(row.serverCpuS, 1)} | ${speedup} | ${fmt(row.othersCpuS, 1)} |`,
      );
    }
  }
  print();
  for (const line of findings(results)) print(line);
  for (const line of replicas(results)) print(line);
  return lines.join('\n') + '\n';
}

/** What the tables say, in sentences computed from them. */
function findings(results: Measured[]): string[] {
  const out: string[] = [];
  const find = (variant: string, kind: Target['kind'], concurrency?: number, binary = false): Measured | undefined =>
    results.find(
      (r) =>
        r.variant === variant &&
        r.target.kind === kind &&
        r.target.concurrency === concurrency &&
        (r.target.binary ?? false) === binary,
    );
  const speedups = (variant: string): string | undefined => {
    const base = find(variant, 'remote', 1);
    const others = [2, 4].map((c) => find(variant, 'remote', c)).filter((r): r is Measured => r !== undefined);
    if (!base || others.length === 0) return undefined;
    return `${variant} ${others.map((r) => `${(base.meanQueryS / r.meanQueryS).toFixed(2)}x at ${r.target.concurrency} (${r.maxInFlight} seen at once)`).join(', ')}`;
  };
  const lime = 'LIME (query-only)';
  const dax = 'DAX';
  const parts = [speedups(dax), speedups(lime)].filter((p): p is string => p !== undefined);
  out.push('## What the figures say');
  out.push('');
  if (parts.length > 0) {
    out.push(
      `- **Requests in flight.** The query phase against one server, relative to 1 in flight: ${parts.join('; ')}. Before calls were cut by the ` +
        'concurrency, 2 and 4 gave the 1-in-flight figure (one request of 64 per call).',
    );
  }
  const served = find(lime, 'remote', 4) ?? find(lime, 'remote', 2);
  const floor = find(lime, 'null', served?.target.concurrency);
  const base = find(lime, 'remote', 1);
  if (served && floor && base && served.serverCpuS !== undefined) {
    out.push(
      `- **Why not more.** At ${served.target.concurrency} in flight the server used ${(served.serverCpuS / served.explained).toFixed(2)} s of CPU per explanation for a ` +
        `query phase of ${served.meanQueryS.toFixed(2)} s: it is saturated (the test server decodes JSON on one JavaScript thread). dax's own share of the query ` +
        `phase, measured against the null server, is ${floor.meanQueryS.toFixed(2)} s. Requests in flight can only overlap the two, so on one server the query ` +
        `phase stays above about the larger of them, ${Math.max(floor.meanQueryS, served.serverCpuS / served.explained).toFixed(2)} s (${base.meanQueryS.toFixed(2)} s at 1 in flight, ` +
        `${served.meanQueryS.toFixed(2)} s at ${served.target.concurrency}). More replicas (below), or a server that decodes requests in parallel, is what makes more in flight pay.`,
    );
  }
  const json1 = find(lime, 'remote', 1);
  const bin1 = find(lime, 'remote', 1, true);
  const bin4 = find(lime, 'remote', 4, true);
  const binFloor = results.find((r) => r.variant === lime && r.target.kind === 'null' && r.target.binary);
  if (json1 && bin1 && binFloor && floor) {
    out.push(
      `- **Binary tensors** (\`"binary": true\`): the request bodies shrink from ${((floor.requestBytes ?? 0) / floor.explained / 1e6).toFixed(1)} to ` +
        `${((binFloor.requestBytes ?? 0) / binFloor.explained / 1e6).toFixed(1)} MB per explanation and dax's share of the query phase from ` +
        `${floor.meanQueryS.toFixed(2)} to ${binFloor.meanQueryS.toFixed(3)} s; against this server the query phase at 1 in flight went from ${json1.meanQueryS.toFixed(2)} ` +
        `to ${bin1.meanQueryS.toFixed(2)} s${bin4 ? ` (${bin4.meanQueryS.toFixed(2)} s at 4 in flight: the server, converting the bytes in JavaScript, is then nearly all of it)` : ''}.`,
    );
  }
  const localDax = find(dax, 'local');
  const remoteDax = find(dax, 'remote', 4) ?? find(dax, 'remote', 1);
  const localLime = find(lime, 'local');
  if (localDax && remoteDax) {
    out.push(
      `- **In process** the same queries take ${localDax.meanQueryS.toFixed(3)} s (DAX) and ${localLime ? `${localLime.meanQueryS.toFixed(3)} s (LIME)` : '–'}: ` +
        `served over JSON they take ${(remoteDax.meanQueryS / localDax.meanQueryS).toFixed(0)}x as long at ${remoteDax.target.concurrency} in flight, and DAX's training ` +
        `(${localDax.meanTrainS.toFixed(2)} s in process, ${remoteDax.meanTrainS.toFixed(2)} s served) becomes the smaller part of an explanation ` +
        `(${((100 * remoteDax.meanTrainS) / remoteDax.meanTotalS).toFixed(0)} % of it served, ${((100 * localDax.meanTrainS) / localDax.meanTotalS).toFixed(0)} % in process).`,
    );
  }
  out.push('');
  return out;
}

/**
 * "How throughput grows with server replicas": per explanation T(r) = F + Q(r), F the part that stays on the client
 * (training, segmentation, files; measured), Q(r) = max(N / (min(r, c) X), floor, B / bandwidth): N queries, X the
 * queries per second the one server sustained, c the requests in flight, floor the query phase against the null
 * server, B the request bytes per explanation. JSON and binary tensors each with their own X, floor and B.
 */
function replicas(results: Measured[]): string[] {
  const out: string[] = [];
  const say = (line = ''): void => void out.push(line);
  say('## How throughput grows with server replicas');
  say();
  const lime = 'LIME (query-only)';
  const of = (variant: string, kind: Target['kind'], binary: boolean): Measured[] =>
    results.filter((r) => r.variant === variant && r.target.kind === kind && (r.target.binary ?? false) === binary);
  const GBIT = 125e6;
  interface Mode {
    name: string;
    best: Measured;
    X: number;
    floor: Measured;
    bytes: number;
  }
  const modes: Mode[] = [];
  for (const [name, binary] of [
    ['JSON', false],
    ['binary', true],
  ] as const) {
    const served = of(lime, 'remote', binary);
    const nulls = of(lime, 'null', binary);
    if (served.length === 0 || nulls.length === 0) continue;
    const best = served.reduce((a, b) => (b.meanQueryS < a.meanQueryS ? b : a));
    const floor = nulls.reduce((a, b) => ((b.target.concurrency ?? 1) > (a.target.concurrency ?? 1) ? b : a));
    modes.push({ name, best, X: best.queries / best.meanQueryS, floor, bytes: floor.requestBytes! / floor.explained });
  }
  if (modes.length === 0) {
    say('(Not computed: the run had no served and null-server rows.)');
    return out;
  }
  const c = Math.max(...results.filter((r) => r.target.kind === 'remote').map((r) => r.target.concurrency ?? 1));
  const N = modes[0]!.best.queries;
  say(
    'A projection from the single-server figures above, not a measurement: what r identical servers behind a load balancer would give, by ' +
      "Amdahl's law. Per explanation **T(r) = F + Q(r)**: F (training, segmentation, files) stays on the client; only the query phase Q is shared " +
      "among the replicas, and it is as slow as its slowest stage, since the requests in flight overlap the client's work with the servers':",
  );
  say();
  say('    Q(r) = max( N / (min(r, c) · X),  floor,  B / bandwidth )');
  say();
  say(
    `- N = ${N} queries per explanation; c = ${c} requests in flight (a call of 64 is cut into ${c} requests, so at most ${c} replicas work on it).`,
  );
  for (const mode of modes) {
    const cpu =
      mode.best.serverCpuS === undefined
        ? ''
        : ` The server's CPU time was ${(mode.best.serverCpuS / mode.best.explained).toFixed(2)} s per explanation in that row, against a query phase of ${mode.best.meanQueryS.toFixed(2)} s.`;
    say(
      `- ${mode.name} tensors: X = ${mode.X.toFixed(0)} queries/s (LIME, ${mode.best.target.name}: Q = ${mode.best.meanQueryS.toFixed(3)} s, the best of the served rows).${cpu} ` +
        `floor = ${mode.floor.meanQueryS.toFixed(3)} s (${mode.floor.target.name}: the client's own work and loopback, which no replica removes). ` +
        `B = ${(mode.bytes / 1e6).toFixed(1)} MB of request bodies per explanation (counted by the null server), ${(mode.bytes / GBIT).toFixed(3)} s at 1 Gbit/s. ` +
        `Servers stop being the limit at r = N / (X · floor) = ${(N / (mode.X * mode.floor.meanQueryS)).toFixed(1)} replicas.`,
    );
  }
  say(
    "- The queries DAX sends are the same in number and size as LIME's, so X, floor and B come from the LIME rows; F from each method's own row " +
      `with the most requests in flight.`,
  );
  say();
  const cell = (F: number, q: number, one: number): string =>
    `${(F + q).toFixed(2)} s · ${(60 / (F + q)).toFixed(0)}/min · ${(one / (F + q)).toFixed(2)}x`;
  for (const variant of [...new Set(results.map((r) => r.variant))]) {
    const rows = of(variant, 'remote', false);
    if (rows.length === 0) continue;
    const at = rows.reduce((a, b) => ((b.target.concurrency ?? 1) > (a.target.concurrency ?? 1) ? b : a));
    const F = at.meanTotalS - at.meanQueryS;
    const Q = (mode: Mode, r: number, network: boolean): number =>
      Math.max(N / (Math.min(r, c) * mode.X), mode.floor.meanQueryS, network ? mode.bytes / GBIT : 0);
    const one = F + Q(modes[0]!, 1, false);
    say(
      `**${variant}**: F = ${F.toFixed(3)} s (${at.meanTrainS > 0 ? `training ${at.meanTrainS.toFixed(3)} s, ` : ''}other ${at.meanOtherS.toFixed(3)} s; ${at.target.name}, ` +
        `where T was ${at.meanTotalS.toFixed(3)} s). Each cell: T(r), explanations/min, and the ratio to one replica with JSON tensors on loopback.`,
    );
    say();
    say(`| replicas r | ${modes.map((m) => `${m.name}, loopback | ${m.name}, 1 Gbit/s (assumed)`).join(' | ')} |`);
    say(`|---|${modes.map(() => '---|---').join('|')}|`);
    for (const r of [1, 2, 4, 8]) {
      say(
        `| ${r}${r > c ? ` (only ${c} busy)` : ''} | ${modes.map((m) => `${cell(F, Q(m, r, false), one)} | ${cell(F, Q(m, r, true), one)}`).join(' | ')} |`,
      );
    }
    const limit = F + modes[modes.length - 1]!.floor.meanQueryS;
    say();
    say(
      `Amdahl's limit (unlimited replicas and requests in flight, loopback, ${modes[modes.length - 1]!.name} tensors): F + floor = ${limit.toFixed(3)} s, ` +
        `${(60 / limit).toFixed(0)} explanations/min.${at.meanTrainS > 0 ? ` Training, which no server takes over, is ${((100 * at.meanTrainS) / limit).toFixed(0)} % of that.` : ''}`,
    );
    say();
  }
  say(
    'Assumptions: every replica sustains the X measured here (with client and server sharing 2 cores; on machines of their own they may do more) ' +
      'and the load balancer spreads the requests evenly; the floor measured at the highest concurrency run holds at any concurrency (it moved by ' +
      'a few per cent between 1 and 4 in flight); the query phase overlaps perfectly up to the caps (it does not quite: each call of 64 waits for ' +
      'its slowest request before the next call starts); the 1 Gbit/s columns add a network this run did not have (it used loopback), with no ' +
      'protocol overhead; explanations run one after another, as `dax explain` does, and start-up and model load (once per batch) are left out, ' +
      `so the per-minute figures are per explanation. More than ${c} replicas need a higher \`endpoint.concurrency\`; more than the limit needs more ` +
      'clients (several `dax explain` processes, one per subfolder), each with its own floor and training.',
  );
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
