// `dax explain` on folders and globs: every supported file, failures listed, up-to-date results skipped (a batch
// resumes), a summary as Markdown and CSV, and no two inputs writing over each other's results.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { listDir, tempDir } from '../helpers/files';
import { CLI, ROOT, runCli, type CliResult } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

const TINY = ['--samples', '20', '--epochs', '1', '--preset', 'fast'];
let dir: string;
let model: string;

before(async () => {
  dir = await tempDir('dax-cli-folder-');
  model = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
});

/** A folder with three oracle pictures (different seeds), a truncated JPEG and a text file. */
async function mixedFolder(name: string): Promise<string> {
  const folder = path.join(dir, name);
  await mkdir(folder, { recursive: true });
  for (const [i, stem] of ['a', 'b', 'c'].entries()) await writeOracleImage(path.join(folder, `${stem}.png`), 10 + i);
  const whole = await readFile(path.join(ROOT, 'examples', 'stationery-sign.jpg'));
  await writeFile(path.join(folder, 'corrupt.jpg'), whole.subarray(0, 2000));
  await writeFile(path.join(folder, 'notes.txt'), 'not an image\n');
  return folder;
}

/** RFC 4180: fields separated by commas, quoted when needed, quotes doubled inside quotes, CRLF between records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || record.length > 0) records.push([...record, field]);
  return records;
}

/** The summary's CSV rows as objects keyed by its header. */
async function summaryRows(out: string): Promise<Record<string, string>[]> {
  const [header, ...rows] = parseCsv(await readFile(path.join(out, 'summary.csv'), 'utf8'));
  assert.deepEqual(header, ['file', 'class', 'probability', 'queries', 'time_s', 'status']);
  return rows.map((row) => Object.fromEntries(header.map((key, i) => [key, row[i]!])));
}

/** File name → status word ("ok", "skipped", "failed"). */
function statuses(rows: Record<string, string>[]): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [path.basename(row.file!), row.status!.split(/[ :]/)[0]!]));
}

function explain(inputs: string[], out: string, extra: string[] = []): Promise<CliResult> {
  return runCli(['explain', ...inputs, '--model', model, '--out', out, ...TINY, ...extra]);
}

describe('dax explain on a folder', () => {
  test('explains every image, lists the failure, skips what is up to date, redoes what changed, --force redoes all', async () => {
    const folder = await mixedFolder('mixed');
    const out = path.join(dir, 'mixed-out');
    const memoryLog = path.join(dir, 'memory.jsonl');
    const first = await runCli(['explain', folder, '--model', model, '--out', out, ...TINY], {});
    // The corrupt image is the user's input: exit 2, as for a single file; the others are done.
    assert.equal(first.code, 2, first.stderr);
    assert.match(first.stderr, /corrupt\.jpg: the image is corrupt or truncated/);
    assert.deepEqual(statuses(await summaryRows(out)), {
      'a.png': 'ok',
      'b.png': 'ok',
      'c.png': 'ok',
      'corrupt.jpg': 'failed',
    });
    const rows = await summaryRows(out);
    assert.match(
      rows.find((row) => row.file!.endsWith('corrupt.jpg'))!.status!,
      /^failed: the image is corrupt or truncated/,
    );
    for (const row of rows.filter((r) => r.status === 'ok')) {
      assert.equal(row.class, 'red-region');
      assert.equal(row.queries, '20');
      assert.ok(Number(row.probability) > 0.5 && Number(row.time_s) >= 0, JSON.stringify(row));
    }
    assert.ok(
      !(await readFile(path.join(out, 'summary.csv'), 'utf8')).includes('notes.txt'),
      'the text file is not an input',
    );
    const markdown = await readFile(path.join(out, 'summary.md'), 'utf8');
    assert.match(markdown, /^\| file \| class \| probability \| queries \| time \(s\) \| status \|\n\|---\|/);
    assert.match(markdown, /4 files: 3 explained, 0 skipped \(up to date\), 1 failed/);
    assert.ok(first.stdout.includes(markdown), 'the table is printed too');
    assert.deepEqual(await listDir(out), [
      'a.dax.json',
      'a.overlay.png',
      'a.saliency.png',
      'b.dax.json',
      'b.overlay.png',
      'b.saliency.png',
      'c.dax.json',
      'c.overlay.png',
      'c.saliency.png',
      'summary.csv',
      'summary.md',
    ]);
    const report = JSON.parse(await readFile(path.join(out, 'a.dax.json'), 'utf8'));
    assert.match(report.input.sha256, /^[0-9a-f]{64}$/);
    assert.match(report.config.modelSha256, /^[0-9a-f]{64}$/);
    const written = (await stat(path.join(out, 'a.dax.json'))).mtimeMs;

    // Again: the three are up to date, the failed one is tried again.
    const second = await runCliWithEnv(['explain', folder, '--model', model, '--out', out, ...TINY], {
      DAX_MEMORY_LOG: memoryLog,
    });
    assert.equal(second.code, 2);
    assert.match(second.stderr, /corrupt\.jpg: the image is corrupt or truncated/);
    assert.deepEqual(statuses(await summaryRows(out)), {
      'a.png': 'skipped',
      'b.png': 'skipped',
      'c.png': 'skipped',
      'corrupt.jpg': 'failed',
    });
    assert.match(second.stdout, /a\.png: up to date, skipped/);
    assert.equal((await stat(path.join(out, 'a.dax.json'))).mtimeMs, written, 'a skipped file is not rewritten');
    const memory = (await readFile(memoryLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(memory.length, 4, 'DAX_MEMORY_LOG: one line per input');
    assert.ok(
      memory.every((line) => line.rss > 0 && line.numTensors === 0),
      JSON.stringify(memory[3]),
    );

    // New content in b.png (the time stamp alone would not count): only b is explained again.
    await writeOracleImage(path.join(folder, 'b.png'), 99);
    const third = await explain([folder], out);
    assert.equal(third.code, 2);
    assert.deepEqual(statuses(await summaryRows(out)), {
      'a.png': 'skipped',
      'b.png': 'ok',
      'c.png': 'skipped',
      'corrupt.jpg': 'failed',
    });

    // Another seed is another result; --force redoes everything.
    const seeded = await explain([folder], out, ['--seed', '1', '--json']);
    assert.equal(seeded.code, 2);
    const json = JSON.parse(seeded.stdout);
    assert.deepEqual(
      json.results.map((r: { status: string }) => r.status),
      ['ok', 'ok', 'ok', 'failed'],
    );
    assert.equal(json.results[0].report.seed, 1);
    assert.equal(json.summary.csv, path.join(out, 'summary.csv'));
    const forced = await explain([folder], out, ['--seed', '1', '--force']);
    assert.deepEqual(statuses(await summaryRows(out)), {
      'a.png': 'ok',
      'b.png': 'ok',
      'c.png': 'ok',
      'corrupt.jpg': 'failed',
    });
    assert.equal(forced.code, 2);
  });

  test('a glob explains the files it matches; a folder or glob with nothing to explain is an error', async () => {
    const folder = await mixedFolder('glob');
    await writeOracleImage(path.join(folder, 'a.jpg'));
    const out = path.join(dir, 'glob-out');
    const result = await explain([path.join(folder, '*.png')], out);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(Object.keys(statuses(await summaryRows(out))), ['a.png', 'b.png', 'c.png']);
    // a.jpg and a.png in one folder: each keeps its extension in its stem.
    const both = await explain([path.join(folder, 'a.*')], path.join(dir, 'glob-both'));
    assert.equal(both.code, 0, both.stderr);
    assert.deepEqual(
      (await listDir(path.join(dir, 'glob-both'))).filter((name) => name.endsWith('.dax.json')),
      ['a.jpg.dax.json', 'a.png.dax.json'],
    );
    const none = await explain([path.join(folder, '*.gif')], path.join(dir, 'glob-none'));
    assert.equal(none.code, 2);
    assert.match(none.stderr, /\*\.gif: no image file \(png, jpg, .*\) found/);
  });

  test('--recursive: files with the same name in different subfolders keep their own results', async () => {
    const folder = path.join(dir, 'nested');
    for (const sub of ['x', 'y', 'x/deeper', '.hidden']) await mkdir(path.join(folder, sub), { recursive: true });
    await writeOracleImage(path.join(folder, 'x', 'img.png'), 1);
    await writeOracleImage(path.join(folder, 'y', 'img.png'), 2);
    await writeOracleImage(path.join(folder, 'x', 'deeper', 'img.png'), 3);
    await writeOracleImage(path.join(folder, '.hidden', 'img.png'), 4);
    // The output folder inside the input folder: its PNGs are never taken as inputs.
    const out = path.join(folder, 'results');
    const flat = await explain([folder], out);
    assert.equal(flat.code, 2, 'no image at the top level');
    assert.match(flat.stderr, /no image file .* found \(--recursive searches subfolders too\)/);

    const result = await explain([folder], out, ['--recursive']);
    assert.equal(result.code, 0, result.stderr);
    const rows = await summaryRows(out);
    assert.deepEqual(
      rows.map((row) => path.relative(folder, row.file!)),
      ['x/deeper/img.png', 'x/img.png', 'y/img.png'],
    );
    const reports = await Promise.all(
      ['x', 'y', 'x/deeper'].map(async (sub) =>
        JSON.parse(await readFile(path.join(out, sub, 'img.dax.json'), 'utf8')),
      ),
    );
    assert.deepEqual(
      reports.map((r) => path.relative(folder, r.input.file)),
      ['x/img.png', 'y/img.png', 'x/deeper/img.png'],
    );
    assert.equal(new Set(reports.map((r) => r.input.sha256)).size, 3);
    // Again, with the results inside the folder: the same three inputs, all up to date.
    const again = await explain([path.join(folder, '**', '*.png')], out);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(statuses(await summaryRows(out)), { 'img.png': 'skipped' });
    assert.equal((await summaryRows(out)).length, 3);
  });

  test('file names with commas, quotes and pipes survive the CSV and the Markdown table', async () => {
    const folder = path.join(dir, 'names');
    await mkdir(folder, { recursive: true });
    const odd = ['plain.png', 'a, b.png', 'say "red".png', 'x|y.png'];
    await writeOracleImage(path.join(folder, odd[0]!));
    for (const name of odd.slice(1)) await copyFile(path.join(folder, odd[0]!), path.join(folder, name));
    const out = path.join(dir, 'names-out');
    const result = await explain([folder], out);
    assert.equal(result.code, 0, result.stderr);
    const rows = await summaryRows(out);
    assert.deepEqual(rows.map((row) => path.basename(row.file!)).sort(), [...odd].sort());
    assert.ok(rows.every((row) => row.status === 'ok' && row.class === 'red-region'));
    const markdown = await readFile(path.join(out, 'summary.md'), 'utf8');
    assert.match(markdown, /x\\\|y\.png \| red-region \|/);
  });

  test('Ctrl-C stops after cancelling the current file, still writes the summary, and the next run resumes', async () => {
    const folder = path.join(dir, 'interrupt');
    await mkdir(folder, { recursive: true });
    for (const [i, stem] of ['a', 'b', 'c'].entries()) await writeOracleImage(path.join(folder, `${stem}.png`), 20 + i);
    const out = path.join(dir, 'interrupt-out');
    // Long enough per file (a few seconds) that the signal lands while b is being explained.
    const budget = ['--samples', '100', '--epochs', '6', '--preset', 'fast'];
    const child = spawn(process.execPath, [CLI, 'explain', folder, '--model', model, '--out', out, ...budget], {
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (/a\.png: "red-region"/.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /cancelled; no files were written for .*b\.png/);
    assert.deepEqual(statuses(await summaryRows(out)), { 'a.png': 'ok', 'b.png': 'cancelled', 'c.png': 'not' });
    assert.ok(
      !(await listDir(out)).some((name) => name.startsWith('b.') || name.includes('partial')),
      (await listDir(out)).join(', '),
    );

    const resumed = await runCli(['explain', folder, '--model', model, '--out', out, ...budget]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(statuses(await summaryRows(out)), { 'a.png': 'skipped', 'b.png': 'ok', 'c.png': 'ok' });
  });
});

/** runCli with extra environment variables. */
function runCliWithEnv(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
