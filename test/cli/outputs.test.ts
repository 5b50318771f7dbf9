// Where results go and what a run leaves behind: named inputs with the same file name keep apart, temporary files
// of a killed run are cleaned up, `dax compare` is all-or-nothing, and an output folder that cannot be written is
// found before any work.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { listDir, tempDir } from '../helpers/files';
import { CLI, ROOT, runCli } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

const TINY = ['--method', 'occlusion', '--samples', '16'];
let dir: string;
let image: string;
let model: string;

before(async () => {
  dir = await tempDir('dax-cli-outputs-');
  image = path.join(dir, 'oracle.png');
  await writeOracleImage(image);
  model = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
});

/** The id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('output files', () => {
  test('two named inputs with the same file name get a result each (folders mirrored), not one over the other', async () => {
    for (const [sub, seed] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      await mkdir(path.join(dir, 'same', sub), { recursive: true });
      await writeOracleImage(path.join(dir, 'same', sub, 'x.png'), seed);
    }
    const out = path.join(dir, 'same-out');
    const a = path.join(dir, 'same', 'a', 'x.png');
    const b = path.join(dir, 'same', 'b', 'x.png');
    const result = await runCli(['explain', a, b, '--model', model, '--out', out, '--json', ...TINY]);
    assert.equal(result.code, 0, result.stderr);
    const reports = JSON.parse(result.stdout).results.map(
      (row: { report: { outputs: { report: string } } }) => row.report.outputs.report,
    );
    assert.equal(new Set(reports).size, 2, `distinct reports: ${reports.join(', ')}`);
    const inputs = await Promise.all(
      reports.map(async (file: string) => JSON.parse(await readFile(file, 'utf8')).input.file),
    );
    assert.deepEqual(inputs.sort(), [a, b].sort());
    assert.deepEqual(await listDir(out), ['a', 'b']);
  });

  test("a killed run's temporary files are removed at the next run; a running process's stay", async () => {
    const out = path.join(dir, 'stale-out');
    await mkdir(out, { recursive: true });
    const stale = path.join(out, `oracle.saliency.png.partial-${await deadPid()}`);
    const elsewhere = path.join(out, `other.dax.json.partial-${await deadPid()}`);
    const live = path.join(out, `oracle.overlay.png.partial-${process.pid}`);
    for (const file of [stale, elsewhere, live]) await writeFile(file, 'half written');
    const result = await runCli(['explain', image, '--model', model, '--out', out, ...TINY]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      await listDir(out),
      [
        path.basename(live),
        'oracle.occlusion.dax.json',
        'oracle.occlusion.overlay.png',
        'oracle.occlusion.saliency.png',
      ].sort(),
    );
  });

  test('Ctrl-C during dax compare leaves no file, not even those of the methods that had finished', async () => {
    const moduleDir = path.join(dir, 'slow-later');
    await mkdir(moduleDir, { recursive: true });
    // Calls 1-6 are occlusion's (its queries and its deletion/insertion curves); from call 8 on RISE is running, slowly.
    const slow = path.join(moduleDir, 'slow.cjs');
    await writeFile(
      slow,
      "let n = 0;\nexports.predict = async (images) => { n++; if (n >= 8) { process.stderr.write('second method\\n'); await new Promise((r) => setTimeout(r, 2000)); } return images.map(() => [0.7, 0.3]); };\n",
    );
    const slowModel = await writeOracleConfig(moduleDir, slow, { input: { width: ORACLE.size, height: ORACLE.size } });
    const out = path.join(dir, 'compare-out');
    const child = spawn(
      process.execPath,
      [CLI, 'compare', image, '--model', slowModel, '--methods', 'occlusion,rise', '--budget', '200', '--out', out],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/second method/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    assert.deepEqual(await listDir(out), []);
  });

  test('an --out that cannot be written is refused before any query: exit 2', async () => {
    const moduleDir = path.join(dir, 'marked');
    await mkdir(moduleDir, { recursive: true });
    const marked = path.join(moduleDir, 'marked.cjs');
    await writeFile(
      marked,
      "exports.predict = (images) => { process.stderr.write('predict called\\n'); return images.map(() => [0.7, 0.3]); };\n",
    );
    const markedModel = await writeOracleConfig(moduleDir, marked, {
      input: { width: ORACLE.size, height: ORACLE.size },
    });
    // A file where the folder should be: no folder can be made there, whoever runs the test.
    const occupied = path.join(dir, 'occupied');
    await writeFile(occupied, 'a file\n');
    for (const command of ['explain', 'compare']) {
      const result = await runCli([
        command,
        image,
        '--model',
        markedModel,
        '--out',
        path.join(occupied, 'out'),
        ...(command === 'explain' ? TINY : ['--methods', 'occlusion', '--budget', '20']),
      ]);
      assert.equal(result.code, 2, `${command}: ${result.stderr}`);
      assert.match(
        result.stderr,
        /occupied\/out: --out: cannot write to this folder \((ENOTDIR|EEXIST)\); nothing was run/,
      );
      assert.doesNotMatch(result.stderr, /predict called/);
    }
  });
});
