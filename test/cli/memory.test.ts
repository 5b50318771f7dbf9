// A large image costs what its pixels need, not gigabytes: a 40-megapixel PNG (6300 x 6300) is explained under 1 GB of
// resident memory, its files still at the input's resolution. The child process reports its own peak RSS on exit.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { tempDir } from '../helpers/files';
import { CLI, ROOT } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOraclePredictModule } from '../helpers/oracle';

let dir: string;
let model: string;
let preload: string;

before(async () => {
  dir = await tempDir('dax-cli-memory-');
  model = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size, resize: 'stretch' },
  });
  preload = path.join(dir, 'maxrss.cjs');
  await writeFile(
    preload,
    "process.on('exit', () => require('node:fs').writeSync(2, `maxrss-kb ${process.resourceUsage().maxRSS}\\n`));\n",
  );
});

/** Runs dax with the preload; resolves with the exit code, stderr and the peak RSS in MB. */
function runMeasured(args: string[]): Promise<{ code: number; stderr: string; peakMb: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', preload, CLI, ...args],
      { cwd: ROOT, timeout: 300_000, maxBuffer: 16 * 2 ** 20 },
      (error, _stdout, stderr) => {
        const peak = /maxrss-kb (\d+)/.exec(stderr);
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stderr,
          peakMb: peak ? Number(peak[1]) / 1024 : Number.NaN,
        });
      },
    );
  });
}

describe('memory', () => {
  test('a 40-megapixel PNG is explained under 1 GB, its files at 6300 x 6300', async () => {
    const image = path.join(dir, 'big.png');
    // Two colours, so the map has something to show; 6300 x 6300 is under the 40-megapixel limit.
    await sharp({ create: { width: 6300, height: 6300, channels: 3, background: { r: 40, g: 120, b: 200 } } })
      .composite([
        {
          input: { create: { width: 1600, height: 1600, channels: 3, background: { r: 230, g: 40, b: 30 } } },
          left: 3700,
          top: 1000,
        },
      ])
      .png()
      .toFile(image);
    const out = path.join(dir, 'out');
    const result = await runMeasured(['explain', image, '--model', model, '--out', out, '--preset', 'fast']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.peakMb < 1024, `peak RSS ${result.peakMb.toFixed(0)} MB`);
    for (const file of ['big.saliency.png', 'big.overlay.png']) {
      const meta = await sharp(path.join(out, file)).metadata();
      assert.deepEqual([meta.width, meta.height], [6300, 6300], file);
    }
    const report = JSON.parse(await readFile(path.join(out, 'big.dax.json'), 'utf8'));
    assert.deepEqual([report.input.width, report.input.height], [6300, 6300]);
  });
});
