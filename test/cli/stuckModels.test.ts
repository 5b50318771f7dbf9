// Models that never answer, end the process or throw outside their promise: the CLI never reports a false success,
// never hangs past the per-call deadline, and the first Ctrl-C stops a hung or busy model.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { listDir, tempDir } from '../helpers/files';
import { CLI, ROOT, runCli } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOracleImage } from '../helpers/oracle';

const TINY = ['--method', 'occlusion', '--samples', '16'];
let dir: string;
let image: string;

before(async () => {
  dir = await tempDir('dax-cli-stuck-');
  image = path.join(dir, 'oracle.png');
  await writeOracleImage(image);
});

/** A model description for a predict module whose source is `source` (CommonJS). */
async function moduleModel(name: string, source: string): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${name}.cjs`);
  await writeFile(file, source);
  return writeOracleConfig(folder, file, { input: { width: ORACLE.size, height: ORACLE.size } });
}

/** Runs dax in the background, sends SIGINT once `ready` appears on stderr, and says how long the exit took. */
async function interruptWhen(
  args: string[],
  ready: RegExp,
): Promise<{ code: number | null; stderr: string; afterMs: number }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT });
  let stderr = '';
  let sentAt = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (sentAt === 0 && ready.test(stderr)) {
      sentAt = performance.now();
      child.kill('SIGINT');
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return { code, stderr, afterMs: performance.now() - sentAt };
}

describe('models that never answer or end the process', () => {
  test('a predict whose promise never settles fails at the deadline (--model-timeout): exit 1, no files', async () => {
    const model = await moduleModel('never', 'exports.predict = () => new Promise(() => {});\n');
    const out = path.join(dir, 'never-out');
    const started = performance.now();
    const result = await runCli([
      'explain',
      image,
      '--model',
      model,
      '--out',
      out,
      '--json',
      '--model-timeout',
      '1',
      ...TINY,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /never\.cjs: predict did not answer within 1 s on \d+ inputs: it may be stuck.*--model-timeout/,
    );
    assert.equal(JSON.parse(result.stdout).results[0].status, 'failed');
    assert.deepEqual(await listDir(out), []);
    assert.ok(performance.now() - started < 30_000, 'ended soon after the deadline');
  });

  test('--model-timeout must be a positive number', async () => {
    const result = await runCli([
      'explain',
      image,
      '--model',
      path.join(dir, 'never', 'oracle.model.json'),
      '--model-timeout',
      'soon',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--model-timeout must be a number ≥ 0\.1 \(got "soon"\)/);
  });

  test('a predict that calls process.exit(0) is a model error: exit 1, and a folder run still writes its summary', async () => {
    const model = await moduleModel('exits', 'exports.predict = () => { process.exit(0); };\n');
    const single = await runCli(['explain', image, '--model', model, '--out', path.join(dir, 'exits-out'), ...TINY]);
    assert.equal(single.code, 1, single.stderr);
    assert.match(single.stderr, /exits\.cjs: predict threw: called process\.exit\(0\) while answering/);

    const folder = path.join(dir, 'exits-folder');
    await mkdir(folder, { recursive: true });
    for (const stem of ['a', 'b']) await writeOracleImage(path.join(folder, `${stem}.png`));
    const out = path.join(dir, 'exits-folder-out');
    const batch = await runCli(['explain', folder, '--model', model, '--out', out, '--json', ...TINY]);
    assert.equal(batch.code, 1, batch.stderr);
    const parsed = JSON.parse(batch.stdout);
    assert.deepEqual(
      parsed.results.map((row: { status: string }) => row.status),
      ['failed', 'failed'],
    );
    assert.deepEqual(await listDir(out), ['summary.csv', 'summary.md']);
    assert.match(await readFile(path.join(out, 'summary.md'), 'utf8'), /process\.exit\(0\)/);
  });

  test('a module that ends the process outside a model call (as it loads): exit 1 with a message, never a silent 0', async () => {
    const model = await moduleModel(
      'at-load',
      'exports.predict = (images) => images.map(() => [0.6, 0.4]);\nprocess.exit(0);\n',
    );
    const result = await runCli([
      'explain',
      image,
      '--model',
      model,
      '--out',
      path.join(dir, 'at-load-out'),
      '--json',
      ...TINY,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /the process ended \(exit code 0\) before the command finished; no results were reported/,
    );
  });

  test('a module that ends the process from a timer while the run goes on: exit 1', async () => {
    const model = await moduleModel(
      'later',
      'setTimeout(() => process.exit(0), 300);\nexports.predict = (images) => new Promise((resolve) => setTimeout(() => resolve(images.map(() => [0.6, 0.4])), 50));\n',
    );
    const result = await runCli([
      'explain',
      image,
      '--model',
      model,
      '--out',
      path.join(dir, 'later-out'),
      '--samples',
      '2000',
      '--method',
      'rise',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /called process\.exit\(0\) while answering|the process ended \(exit code 0\) before the command finished/,
    );
  });

  test('an exception thrown in a timer of a predict module is a model error: exit 1, no raw stack', async () => {
    const model = await moduleModel(
      'async-throw',
      "exports.predict = () => new Promise(() => { setTimeout(() => { throw new Error('boom later'); }, 10); });\n",
    );
    const result = await runCli([
      'explain',
      image,
      '--model',
      model,
      '--out',
      path.join(dir, 'async-throw-out'),
      ...TINY,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /async-throw\.cjs: threw outside its answer \(in a timer or a callback, while answering\): boom later/,
    );
    assert.doesNotMatch(result.stderr, /at Timeout\./);
  });

  test('a rejection a predict module leaves unhandled is a model error too', async () => {
    const model = await moduleModel(
      'async-reject',
      "exports.predict = () => { Promise.reject(new Error('rejected later')); return new Promise(() => {}); };\n",
    );
    const result = await runCli([
      'explain',
      image,
      '--model',
      model,
      '--out',
      path.join(dir, 'async-reject-out'),
      ...TINY,
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /async-reject\.cjs: threw outside its answer .*: rejected later/);
  });

  test('the first Ctrl-C stops a hung predict: exit 130 at once, no files', async () => {
    // The interval keeps the process alive, as a hung network call would.
    const model = await moduleModel(
      'hung',
      "exports.predict = () => { process.stderr.write('predict called\\n'); return new Promise(() => setInterval(() => {}, 1000)); };\n",
    );
    const out = path.join(dir, 'hung-out');
    const { code, stderr, afterMs } = await interruptWhen(
      ['explain', image, '--model', model, '--out', out, ...TINY],
      /predict called/,
    );
    assert.equal(code, 130, stderr);
    assert.ok(afterMs < 3000, `exited ${afterMs.toFixed(0)} ms after the Ctrl-C`);
    assert.deepEqual(await listDir(out), []);
  });

  test('the first Ctrl-C stops a busy predict (one that blocks the thread for a while on each call)', async () => {
    const model = await moduleModel(
      'busy',
      "exports.predict = (images) => { process.stderr.write('predict called\\n'); const end = Date.now() + 1000; while (Date.now() < end) {} return images.map(() => [0.6, 0.4]); };\n",
    );
    const out = path.join(dir, 'busy-out');
    const { code, stderr, afterMs } = await interruptWhen(
      ['explain', image, '--model', model, '--out', out, '--method', 'rise', '--samples', '2000'],
      /predict called/,
    );
    assert.equal(code, 130, stderr);
    assert.ok(afterMs < 5000, `exited ${afterMs.toFixed(0)} ms after the Ctrl-C`);
    assert.deepEqual(await listDir(out), []);
  });
});
