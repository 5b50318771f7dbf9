// Peak memory and time of one explanation of a large photo: `dax explain --preset fast` with the bundled example
// model on the example photo enlarged to 12, 24 and 40 megapixels (the limit), each in its own process, which
// reports its peak RSS on exit. The goal (reliability issue): under 1 GB at 40 megapixels. Writes
// docs/benchmarks/memory.md and .json.
//
//   node scripts/build.mjs && node --import tsx bench/largeImages.ts     (npm run bench:memory)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');
const model = path.join(root, 'examples', 'text-direction.model.json');
const source = path.join(root, 'examples', 'stationery-sign.jpg');

/** The sizes measured: the two that failed before (a 12 MP JPEG, a ~40 MP PNG) and one between. */
const SIZES = [
  { name: '12 MP JPEG', width: 4000, height: 3000, format: 'jpeg' },
  { name: '24 MP JPEG', width: 6000, height: 4000, format: 'jpeg' },
  { name: '40 MP PNG', width: 6300, height: 6300, format: 'png' },
] as const;

const LIMIT_MB = 1024;

interface Measurement {
  name: string;
  width: number;
  height: number;
  fileMb: number;
  peakRssMb: number;
  seconds: number;
  exitCode: number;
}

function runMeasured(
  preload: string,
  args: string[],
): Promise<{ code: number; stderr: string; peakMb: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', preload, cli, ...args],
      { cwd: root, maxBuffer: 64 * 2 ** 20 },
      (error, _stdout, stderr) => {
        const peak = /maxrss-kb (\d+)/.exec(stderr);
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stderr,
          peakMb: peak ? Number(peak[1]) / 1024 : Number.NaN,
          ms: performance.now() - started,
        });
      },
    );
  });
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first.');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dax-large-images-'));
  const preload = path.join(dir, 'maxrss.cjs');
  await writeFile(
    preload,
    "process.on('exit', () => require('node:fs').writeSync(2, `maxrss-kb ${process.resourceUsage().maxRSS}\\n`));\n",
  );
  const results: Measurement[] = [];
  try {
    for (const size of SIZES) {
      const file = path.join(dir, `large-${size.width}x${size.height}.${size.format === 'jpeg' ? 'jpg' : 'png'}`);
      const enlarged = sharp(source).resize(size.width, size.height, { fit: 'fill' });
      await (size.format === 'jpeg' ? enlarged.jpeg({ quality: 90 }) : enlarged.png()).toFile(file);
      const args = ['explain', file, '--model', model, '--preset', 'fast', '--out', path.join(dir, 'out')];
      const run = await runMeasured(preload, args);
      if (run.code !== 0) console.error(run.stderr.slice(-2000));
      const measured: Measurement = {
        name: size.name,
        width: size.width,
        height: size.height,
        fileMb: (await stat(file)).size / 2 ** 20,
        peakRssMb: run.peakMb,
        seconds: run.ms / 1000,
        exitCode: run.code,
      };
      results.push(measured);
      console.log(
        `${size.name}: peak RSS ${measured.peakRssMb.toFixed(0)} MB, ${measured.seconds.toFixed(1)} s, exit ${run.code}`,
      );
      await rm(file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; node ${process.versions.node}`;
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.width} × ${r.height} | ${r.fileMb.toFixed(1)} MB | ${r.peakRssMb.toFixed(0)} MB | ${r.peakRssMb < LIMIT_MB ? 'yes' : '**no**'} | ${r.seconds.toFixed(1)} s | ${r.exitCode} |`,
  );
  const markdown = [
    '# Memory of large images',
    '',
    `Written by \`npm run bench:memory\` on ${new Date().toISOString().slice(0, 10)} (${machine}). Each row is one \`dax explain --preset fast\` of the bundled example photo enlarged to that size, with the bundled text-direction model, in a fresh process that reports its peak resident memory on exit. The goal: under 1 GB up to the 40-megapixel limit (\`--max-pixels\`). The image is decoded straight to the working size; the files are written back at the input's size.`,
    '',
    '| input | pixels | file | peak RSS | under 1 GB | time | exit |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  await writeFile(path.join(root, 'docs/benchmarks/memory.md'), markdown);
  await writeFile(
    path.join(root, 'docs/benchmarks/memory.json'),
    JSON.stringify({ schema: 1, date: new Date().toISOString(), machine, results }, null, 2) + '\n',
  );
  if (results.some((r) => r.exitCode !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
