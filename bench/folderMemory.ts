// Memory over a long batch: `dax explain <folder>` on many small images (crops of the bundled example) with a tiny
// budget, the CLI logging its memory after every file (DAX_MEMORY_LOG). Prints RSS, JS heap, native buffers and
// TF.js's live tensors every 50 files; RSS and tensors should stay flat after the first few files.
//
//   node scripts/build.mjs && node --import tsx bench/folderMemory.ts [files=500] [--keep]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const model = path.join(root, 'examples', 'text-direction.model.json');
const source = path.join(root, 'examples', 'stationery-sign.jpg');

interface MemoryLine {
  index: number;
  file: string;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  numTensors: number;
  numBytes: number;
}

/** `count` different crops of the example photo, about 120-200 pixels wide, as JPEG files in `dir`. */
async function writeImages(dir: string, count: number): Promise<void> {
  const image = sharp(source);
  const { width = 0, height = 0 } = await image.metadata();
  for (let i = 0; i < count; i++) {
    // A deterministic walk over the photo: every file differs, so nothing is skipped or cached.
    const w = Math.round(width * (0.5 + (0.4 * ((i * 37) % 100)) / 100));
    const h = Math.round(height * (0.5 + (0.4 * ((i * 61) % 100)) / 100));
    const left = Math.floor(((width - w) * ((i * 13) % 100)) / 100);
    const top = Math.floor(((height - h) * ((i * 29) % 100)) / 100);
    await sharp(source)
      .extract({ left, top, width: w, height: h })
      .resize({ width: 120 + (i % 81) })
      .jpeg({ quality: 85 })
      .toFile(path.join(dir, `crop-${String(i).padStart(4, '0')}.jpg`));
  }
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout,
        stderr,
        ms: performance.now() - started,
      });
    });
  });
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<void> {
  const count = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 500);
  const keep = process.argv.includes('--keep');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dax-folder-memory-'));
  const images = path.join(dir, 'images');
  const out = path.join(dir, 'out');
  const log = path.join(dir, 'memory.jsonl');
  await mkdir(images);
  await writeImages(images, count);
  const args = [
    'explain',
    images,
    '--model',
    model,
    '--out',
    out,
    '--samples',
    '20',
    '--epochs',
    '1',
    '--preset',
    'fast',
  ];
  console.log(`$ DAX_MEMORY_LOG=${log} dax ${args.join(' ')}`);
  const first = await run(args, { ...process.env, DAX_MEMORY_LOG: log });
  if (first.code !== 0) throw new Error(`dax exited ${first.code}: ${first.stderr.slice(-2000)}`);
  const lines = (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as MemoryLine);
  console.log(
    `\n${count} files in ${(first.ms / 1000).toFixed(1)} s (${(first.ms / count).toFixed(0)} ms per file, process start and model load included); ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.versions.node}\n`,
  );
  console.log(
    '| after file | RSS (MB) | JS heap (MB) | external (MB) | array buffers (MB) | TF.js tensors | TF.js bytes |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const line of lines.filter((l) => l.index === 1 || l.index % 50 === 0 || l.index === lines.length)) {
    console.log(
      `| ${line.index} | ${mb(line.rss)} | ${mb(line.heapUsed)} | ${mb(line.external)} | ${mb(line.arrayBuffers)} | ${line.numTensors} | ${line.numBytes} |`,
    );
  }
  const later = lines.slice(Math.min(50, lines.length - 1));
  const rss = later.map((l) => l.rss);
  console.log(
    `\nRSS from file ${later[0]!.index} on: min ${mb(Math.min(...rss))} MB, max ${mb(Math.max(...rss))} MB; growth from file ${later[0]!.index} to ${lines.length}: ${mb(rss[rss.length - 1]! - rss[0]!)} MB`,
  );
  const tensors = new Set(lines.map((l) => l.numTensors));
  console.log(`TF.js live tensors after each file: ${[...tensors].join(', ')}`);

  // The same folder again: every file is up to date.
  const second = await run(args, { ...process.env, DAX_MEMORY_LOG: '' });
  const skipped = (second.stdout.match(/skipped \(up to date\) \|/g) ?? []).length;
  console.log(
    `second run: ${skipped} of ${count} skipped (up to date) in ${(second.ms / 1000).toFixed(1)} s, exit ${second.code}`,
  );
  if (keep) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
