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
// and a projection to several server replicas computed from these figures only.
//
//   npm run bench:remote                    (builds dist/, then runs; about 6-8 minutes on 2 cores)
//   node --import tsx bench/remote.ts       (dist/ must be built with the current sources)
//
// Switches: DAX_BENCH_REMOTE_FILES (50), DAX_BENCH_REMOTE_SAMPLES (128: two calls of 64), DAX_BENCH_REMOTE_EPOCHS (2),
// DAX_BENCH_REMOTE_BINARY=0 (skip the binary-tensor rows), DAX_BENCH_REMOTE_OUT (file to write; a run with other
// figures than the defaults prints but does not overwrite docs/benchmarks-remote.md), DAX_BENCH_REMOTE_KEEP=1.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
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
const defaults = files === 50 && samples === 128 && epochs === 2 && withBinary;

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
  backend: string;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const fmt = (value: number | undefined, digits = 2): string => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));

/** `count` different small crops of the bundled photos (the example and the scene-text fixtures), as JPEG files. */
async function writeImages(dir: string, count: number): Promise<void> {
  const fixtures = path.join(root, 'test', 'fixtures', 'scenetext');
  const sources = [path.join(root, 'examples', 'stationery-sign.jpg'), ...(await readdir(fixtures)).filter((f) => /^word\d(-180)?\.jpg$/.test(f)).sort().map((f) => path.join(fixtures, f))];
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]!;
    const { width = 0, height = 0 } = await sharp(source).metadata();
    // A deterministic walk: 60-95 % of each side, every file different, so nothing is skipped or cached.
    const w = Math.max(8, Math.round(width * (0.6 + (0.35 * ((i * 37) % 100)) / 100)));
    const h = Math.max(8, Math.round(height * (0.6 + (0.35 * ((i * 61) % 100)) / 100)));
    const left = Math.floor(((width - w) * ((i * 13) % 100)) / 100);
    const top = Math.floor(((height - h) * ((i * 29) % 100)) / 100);
    await sharp(source).extract({ left, top, width: w, height: h }).resize({ width: 120 + ((i * 7) % 81) }).jpeg({ quality: 85 }).toFile(path.join(dir, `crop-${String(i).padStart(3, '0')}.jpg`));
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
      json(res, { model_name: model, outputs: [{ name: 'softmax_0.tmp_0', datatype: 'FP32', shape: [batch, 2], data }] });
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
function runCli(args: string[], timeFile: string): Promise<{ code: number; stdout: string; stderr: string; wallMs: number }> {
  const timed = existsSync(TIME);
  const [command, argv] = timed ? [TIME, ['-o', timeFile, '-f', '%U %S', process.execPath, cli, ...args]] : [process.execPath, [cli, ...args]];
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(command, argv, { maxBuffer: 512 * 1024 * 1024, env: { ...process.env, DAX_MEMORY_LOG: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, wallMs: performance.now() - started });
    });
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
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run bench:remote` (it builds) or `node scripts/build.mjs` first.');
  const source = path.join(root, 'src', 'engine', 'blackbox', 'kserveClassifier.ts');
  if (statSync(cli).mtimeMs < statSync(source).mtimeMs) throw new Error('dist/cli.js is older than src/engine/blackbox/kserveClassifier.ts: run `node scripts/build.mjs` first.');
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
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0) }] }),
  });

  const { path: _path, name: _name, ...description } = JSON.parse(await readFile(exampleModel, 'utf8')) as Record<string, unknown>;
  const modelFile = async (target: Target): Promise<string> => {
    if (target.kind === 'local') return exampleModel;
    const file = path.join(tmp, `${target.name.replace(/[^a-z0-9]+/gi, '-')}.model.json`);
    const url = target.kind === 'null' ? nullServer.url : server.url;
    await writeFile(
      file,
      JSON.stringify({ ...description, name: `text direction (${target.name})`, kind: 'kserve', endpoint: { url, model: 'direction', concurrency: target.concurrency, binary: target.binary ?? false } }),
    );
    return file;
  };

  const remote = (concurrency: number, binary = false): Target => ({ name: `server, ${concurrency} in flight${binary ? ', binary' : ''}`, kind: 'remote', concurrency, binary });
  const nothing = (concurrency: number, binary = false): Target => ({ name: `null server, ${concurrency} in flight${binary ? ', binary' : ''}`, kind: 'null', concurrency, binary });
  const inProcess: Target = { name: 'in process (ONNX)', kind: 'local' };
  const common = ['--preset', 'fast', '--samples', String(samples), '--seed', '0'];
  const variants: Variant[] = [
    { name: 'DAX', method: 'dax', args: ['--method', 'dax', ...common, '--epochs', String(epochs)], targets: [inProcess, remote(1), remote(2), remote(4)] },
    {
      name: 'LIME (query-only)',
      method: 'lime',
      args: ['--method', 'lime', ...common],
      targets: [inProcess, remote(1), remote(2), remote(4), nothing(1), nothing(4), ...(withBinary ? [remote(1, true), remote(4, true), nothing(4, true)] : [])],
    },
  ];

  const results: Measured[] = [];
  let run = 0;
  for (const variant of variants) {
    for (const target of variant.targets) {
      const out = path.join(tmp, `out-${++run}`);
      const args = ['explain', images, '--model', await modelFile(target), '--out', out, '--json', ...variant.args];
      server.resetCounts();
      nullServer.reset();
      const cpuBefore = process.cpuUsage();
      const timeFile = path.join(tmp, `time-${run}.txt`);
      const result = await runCli(args, timeFile);
      const cpu = process.cpuUsage(cpuBefore);
      if (result.code !== 0) throw new Error(`${variant.name}, ${target.name}: dax exited ${result.code}: ${result.stderr.slice(-3000)}`);
      const parsed = JSON.parse(result.stdout) as { results: { file: string; status: string; report?: ExplanationReport }[] };
      const reports = parsed.results.filter((r) => r.status === 'ok' && r.report).map((r) => r.report!);
      if (reports.length !== files) throw new Error(`${variant.name}, ${target.name}: ${reports.length} of ${files} explained`);
      const s = (pick: (t: ExplanationReport['timing']) => number): number => mean(reports.map((r) => pick(r.timing))) / 1000;
      const counts = target.kind === 'remote' ? server.counts : target.kind === 'null' ? nullServer.counts : undefined;
      const measured: Measured = {
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
        clientCpuS: await cpuOfChild(timeFile),
        serverCpuS: target.kind === 'local' ? undefined : (cpu.user + cpu.system) / 1e6,
        backend: reports[0]!.backend.name,
      };
      results.push(measured);
      console.log(
        `${variant.name} | ${target.name}: ${fmt(measured.perMinute, 1)} explanations/min; query ${fmt(measured.meanQueryS, 3)} s, train ${fmt(measured.meanTrainS, 3)} s, total ${fmt(measured.meanTotalS, 3)} s; ` +
          `${measured.infers ?? '–'} infer requests, max ${measured.maxInFlight ?? '–'} in flight; wall ${fmt(measured.wallS, 1)} s`,
      );
    }
  }
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
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend ${backend}. The whole run took ${(elapsedS / 60).toFixed(1)} minutes. ` +
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
      'queries goes as 1 x 64, 2 x 32 or 4 x 16 (requests of min(batchSize, ceil(64 / concurrency))); opening the model adds 3 requests (health, metadata, ready).',
  );
  print('- **in process**: the same `.onnx` through onnxruntime-node inside dax.');
  print(
    '- **null server**: a server in the benchmark\'s process that reads each request and answers made-up probabilities without parsing or running ' +
      'anything: the cost of the client and the transport alone.',
  );
  print();
  print(
    'Columns: explanations/min from the batch\'s wall time (dax start-up and model load included); mean seconds per explanation from the reports ' +
      '(query phase = composing the perturbed copies + the black box; training = DAX\'s networks; other = segmentation, loading the image, writing the ' +
      'files); requests the server saw (health and metadata included) and inference requests; the most requests in flight at once, seen by the server; ' +
      'CPU seconds of dax and of the server process; the query phase\'s speed-up over the same server with 1 in flight.',
  );
  for (const variant of [...new Set(results.map((r) => r.variant))]) {
    const rows = results.filter((r) => r.variant === variant);
    print();
    print(`## ${variant}`);
    print();
    print('| black box | explanations/min | s / explanation | query s | of which black box s | training s | other s | requests (inference) | max in flight | dax CPU s | server CPU s | query speed-up vs 1 in flight |');
    print('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) {
      const base = rows.find((r) => r.target.kind === row.target.kind && r.target.concurrency === 1 && (r.target.binary ?? false) === (row.target.binary ?? false));
      const speedup = row.target.kind === 'local' || !base ? '–' : `${(base.meanQueryS / row.meanQueryS).toFixed(2)}x`;
      print(
        `| ${row.target.name} | ${fmt(row.perMinute, 1)} | ${fmt(row.meanTotalS)} | ${fmt(row.meanQueryS, 3)} | ${fmt(row.meanModelS, 3)} | ${row.meanTrainS > 0 ? fmt(row.meanTrainS, 3) : '–'} | ` +
          `${fmt(row.meanOtherS, 3)} | ${row.requests === undefined ? '–' : `${row.requests} (${row.infers})`} | ${row.maxInFlight ?? '–'} | ${fmt(row.clientCpuS, 1)} | ${fmt(row.serverCpuS, 1)} | ${speedup} |`,
      );
    }
  }
  print();
  for (const line of replicas(results)) print(line);
  return lines.join('\n') + '\n';
}

/**
 * "How throughput grows with server replicas": per explanation, T(r) = F + Q(r), F the part that stays local
 * (training, segmentation, files; measured), Q(r) = max(N / (r_eff X), floor(c), B / bandwidth): N queries, X the
 * queries per second one server sustained here for that method, r_eff = min(r, c / c*) the replicas the client's c
 * requests in flight keep busy (c* the in-flight count one server needed), floor(c) the query phase against the
 * null server, B the bytes sent per explanation.
 */
function replicas(results: Measured[]): string[] {
  const out: string[] = [];
  const say = (line = ''): void => void out.push(line);
  say('## How throughput grows with server replicas');
  say();
  const lime = 'LIME (query-only)';
  const of = (variant: string, kind: Target['kind'], binary = false): Measured[] =>
    results.filter((r) => r.variant === variant && r.target.kind === kind && (r.target.binary ?? false) === binary);
  const nulls = of(lime, 'null');
  if (nulls.length === 0 || results.every((r) => r.target.kind !== 'remote')) {
    say('(Not computed: the run had no served or null-server rows.)');
    return out;
  }
  const cMax = Math.max(...nulls.map((r) => r.target.concurrency ?? 1));
  const floorAt = (c: number, binary = false): Measured | undefined => of(lime, 'null', binary).find((r) => r.target.concurrency === c);
  const perExplanation = (row: Measured | undefined): number | undefined => (row?.requestBytes === undefined ? undefined : row.requestBytes / row.explained);
  const bytesJson = perExplanation(floorAt(cMax))!;
  const bytesBinary = perExplanation(floorAt(cMax, true));
  const GBIT = 125e6;
  const net = bytesJson / GBIT;
  /** One server's throughput for a method: its best query phase over the concurrencies tried, and the fewest in flight within 5 % of it. */
  const server = (rows: Measured[]): { best: Measured; X: number; cStar: number } => {
    const best = rows.reduce((a, b) => (b.meanQueryS < a.meanQueryS ? b : a));
    const near = rows.filter((r) => r.meanQueryS <= best.meanQueryS * 1.05).map((r) => r.target.concurrency ?? 1);
    return { best, X: best.queries / best.meanQueryS, cStar: Math.min(...near) };
  };
  say(
    'A projection, not a measurement: it takes the single-server figures above and asks what r identical servers behind a load balancer would give, ' +
      "by Amdahl's law. Per explanation, **T(r) = F + Q(r)**, where F (training, segmentation, files) stays on the client and only the query phase Q " +
      'is shared among replicas; Q is as slow as its slowest stage (the requests in flight overlap the client\'s work with the servers\'):',
  );
  say();
  say('    Q(r) = max( N / (r_eff · X),  floor(c),  B / bandwidth )      r_eff = min(r, c / c*)');
  say();
  say(`- N: queries per explanation (${results[0]!.queries}).`);
  say(
    '- X: queries per second one server sustains, N / (its best query phase over 1, 2 and 4 in flight), per method below. Measured with client ' +
      'and server sharing the 2 cores, so a replica on a machine of its own may do more: X is a lower bound.',
  );
  say('- c*: the fewest requests in flight that brought one server within 5 % of X; the client\'s c requests in flight keep at most c / c* replicas busy.');
  say(
    `- floor(c): the query phase against the null server (LIME rows; DAX sends as many queries of the same size): ${nulls.map((r) => `${r.meanQueryS.toFixed(3)} s at c = ${r.target.concurrency}`).join(', ')}. ` +
      "It is the client's own share (composing the copies, writing JSON, reading the answers) plus loopback transport; no number of replicas removes it.",
  );
  say(
    `- B: ${(bytesJson / 1e6).toFixed(1)} MB of request bodies per explanation with JSON tensors (counted by the null server)` +
      (bytesBinary !== undefined ? `, ${(bytesBinary / 1e6).toFixed(1)} MB with binary tensors` : '') +
      `. The bandwidth is an assumption, 1 Gbit/s (125 MB/s, no protocol overhead): B / bandwidth = ${net.toFixed(3)} s with JSON. The run itself used loopback, so ` +
      'this cap is stated, not measured.',
  );
  say(`- c = ${cMax}, the most requests in flight measured.`);
  say();
  for (const variant of [...new Set(results.map((r) => r.variant))]) {
    const rows = of(variant, 'remote');
    if (rows.length === 0) continue;
    const { best, X, cStar } = server(rows);
    const F = best.meanTotalS - best.meanQueryS;
    const N = best.queries;
    const c = cMax;
    const floorC = floorAt(c)!.meanQueryS;
    const T = (r: number): { q: number; t: number; cap: string } => {
      const rEff = Math.min(r, c / cStar);
      const parts: [number, string][] = [
        [N / (rEff * X), rEff < r ? `client concurrency (${c} in flight)` : 'servers'],
        [floorC, 'client floor'],
        [net, 'network (1 Gbit/s, assumed)'],
      ];
      const [q, cap] = parts.reduce((a, b) => (b[0] > a[0] ? b : a));
      return { q, t: F + q, cap };
    };
    say(
      `**${variant}**: X = ${X.toFixed(0)} queries/s (${best.target.name}: Q = ${best.meanQueryS.toFixed(3)} s), c* = ${cStar}; ` +
        `F = ${F.toFixed(3)} s (${best.meanTrainS > 0 ? `training ${best.meanTrainS.toFixed(3)} s, ` : ''}other ${best.meanOtherS.toFixed(3)} s).`,
    );
    say();
    say('| replicas r | Q(r) s | T(r) s | explanations/min | vs 1 replica | what caps Q |');
    say('|---|---|---|---|---|---|');
    const one = T(1);
    for (const r of [1, 2, 4, 8]) {
      const { q, t, cap } = T(r);
      say(`| ${r} | ${q.toFixed(3)} | ${t.toFixed(3)} | ${(60 / t).toFixed(1)} | ${(one.t / t).toFixed(2)}x | ${cap} |`);
    }
    const limit = F + Math.max(floorC, net);
    say();
    say(
      `However many replicas and requests in flight, T stays above F + max(floor, network) = ${limit.toFixed(3)} s: ${(60 / limit).toFixed(1)} explanations/min, ` +
        `${(one.t / limit).toFixed(2)}x one replica. ${best.meanTrainS > 0 ? `Training alone (${best.meanTrainS.toFixed(3)} s) would allow ${(60 / best.meanTrainS).toFixed(0)}/min.` : ''}`,
    );
    say();
  }
  say(
    'Assumptions: replicas are identical to the one measured and a load balancer spreads the requests evenly; the query phase overlaps perfectly up ' +
      "to the caps (it does not quite: each call of 64 waits for its slowest request before the next call is sent); explanations run one after " +
      'another, as `dax explain` does; start-up and model load (once per batch) are left out, so these per-minute figures are per explanation, ' +
      'not per batch. More explanations per minute than the limit need more clients: several `dax explain` processes (one per subfolder), each with ' +
      'its own floor and training.',
  );
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
