// `dax explain --method`, `dax eval` and `dax compare`: the baselines and the metrics as a user meets them.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';
import { listDir, tempDir } from '../helpers/files';
import { runCli } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

let dir: string;
let oracleImage: string;
let oracleConfig: string;
let regionMap: string;
let invertedMap: string;

/** A grey map, white on the oracle's region (or everywhere else when inverted). */
async function writeRegionMap(file: string, inverted: boolean): Promise<string> {
  const { size, region } = ORACLE;
  const [outside, inside] = inverted ? ['#fff', '#000'] : ['#000', '#fff'];
  await sharp({ create: { width: size, height: size, channels: 3, background: outside } })
    .composite([
      {
        input: { create: { width: region.width, height: region.height, channels: 3, background: inside } },
        left: region.x,
        top: region.y,
      },
    ])
    .png()
    .toFile(file);
  return file;
}

before(async () => {
  dir = await tempDir();
  oracleImage = path.join(dir, 'oracle.png');
  await writeOracleImage(oracleImage);
  oracleConfig = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
  regionMap = await writeRegionMap(path.join(dir, 'region.png'), false);
  invertedMap = await writeRegionMap(path.join(dir, 'inverted.png'), true);
});

describe('dax explain --method', () => {
  for (const method of ['rise', 'lime', 'occlusion']) {
    test(`${method} writes its own files next to DAX's, within the query budget, with deletion/insertion on request`, async () => {
      const out = path.join(dir, `method-${method}`);
      const result = await runCli([
        'explain',
        oracleImage,
        '--model',
        oracleConfig,
        '--out',
        out,
        '--method',
        method,
        '--samples',
        '300',
        '--faithfulness',
        '--steps',
        '8',
        '--ground-truth',
        regionMap,
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await listDir(out), [
        `oracle.${method}.dax.json`,
        `oracle.${method}.overlay.png`,
        `oracle.${method}.saliency.png`,
      ]);
      const report = JSON.parse(result.stdout).results[0].report;
      assert.equal(report.method, method);
      assert.ok(report.queries <= 300 && report.queries > 100, `queries ${report.queries}`);
      assert.equal(report.training, undefined, 'a baseline trains nothing: its report has no training section');
      assert.equal(report.faithfulness.queries, 2 * 9);
      assert.ok(
        report.groundTruth.bestIou >= 0.4,
        `${method} finds the oracle's region: best IoU ${report.groundTruth.bestIou}`,
      );
      assert.ok(
        report.faithfulness.deletionAuc < report.faithfulness.insertionAuc,
        'a map that finds the region deletes faster than it inserts',
      );
    });
  }

  test('an unknown method, or --epochs with a baseline: exit 2', async () => {
    const unknown = await runCli(['explain', oracleImage, '--model', oracleConfig, '--method', 'gradcam']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--method must be dax, rise, lime or occlusion \(got "gradcam"\)/);
    const epochs = await runCli(['explain', oracleImage, '--model', oracleConfig, '--method', 'rise', '--epochs', '3']);
    assert.equal(epochs.code, 2);
    assert.match(epochs.stderr, /--epochs applies to DAX only/);
  });
});

describe('dax eval', () => {
  test('a map on the region scores better than its inverse on every metric', async () => {
    const run = async (map: string) => {
      const result = await runCli([
        'eval',
        oracleImage,
        '--model',
        oracleConfig,
        '--saliency',
        map,
        '--ground-truth',
        regionMap,
        '--steps',
        '16',
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const good = await run(regionMap);
    const bad = await run(invertedMap);
    assert.equal(good.target.label, 'red-region');
    assert.equal(good.faithfulness.queries, 2 * 17);
    assert.ok(
      good.faithfulness.deletionAuc < bad.faithfulness.deletionAuc,
      `deletion ${good.faithfulness.deletionAuc} vs ${bad.faithfulness.deletionAuc}`,
    );
    assert.ok(
      good.faithfulness.insertionAuc > bad.faithfulness.insertionAuc,
      `insertion ${good.faithfulness.insertionAuc} vs ${bad.faithfulness.insertionAuc}`,
    );
    assert.equal(good.groundTruth.bestIou, 1);
    assert.equal(bad.groundTruth.bestIou < 0.1, true);
    assert.equal(good.groundTruth.pointingHit, true);
  });

  test('prints a readable line without --json', async () => {
    const result = await runCli([
      'eval',
      oracleImage,
      '--model',
      oracleConfig,
      '--saliency',
      regionMap,
      '--steps',
      '4',
      '--substrate',
      'zero',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /deletion AUC = \d\.\d{3} \(lower is better\), insertion AUC = \d\.\d{3} \(higher is better\); zero substrate, 4 steps, 10 queries/,
    );
  });

  test('a missing map, a corrupt map, or a bad substrate: exit 2 naming the problem', async () => {
    const missing = await runCli([
      'eval',
      oracleImage,
      '--model',
      oracleConfig,
      '--saliency',
      path.join(dir, 'nope.png'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.png: --saliency: the file does not exist/);
    const corrupt = path.join(dir, 'corrupt.png');
    await (await import('node:fs/promises')).writeFile(corrupt, 'not a png');
    const broken = await runCli(['eval', oracleImage, '--model', oracleConfig, '--saliency', corrupt]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /corrupt\.png: is not an image that can be read/);
    const substrate = await runCli([
      'eval',
      oracleImage,
      '--model',
      oracleConfig,
      '--saliency',
      regionMap,
      '--substrate',
      'grey',
    ]);
    assert.equal(substrate.code, 2);
    assert.match(substrate.stderr, /--substrate must be blur or zero/);
  });
});

describe('dax compare', () => {
  test('runs every method at one budget and writes the table as Markdown and JSON', async () => {
    const out = path.join(dir, 'compare');
    const result = await runCli(
      [
        'compare',
        oracleImage,
        '--model',
        oracleConfig,
        '--budget',
        '200',
        '--ground-truth',
        regionMap,
        '--steps',
        '8',
        '--out',
        out,
      ],
      { timeoutMs: 600_000 },
    );
    assert.equal(result.code, 0, result.stderr);
    const files = await listDir(out);
    for (const file of [
      'oracle.compare.json',
      'oracle.compare.md',
      'oracle.dax.json',
      'oracle.rise.dax.json',
      'oracle.lime.dax.json',
      'oracle.occlusion.dax.json',
    ])
      assert.ok(files.includes(file), `${file} written`);
    const comparison = JSON.parse(await readFile(path.join(out, 'oracle.compare.json'), 'utf8'));
    assert.deepEqual(
      comparison.rows.map((row: { method: string }) => row.method),
      ['dax', 'rise', 'lime', 'occlusion'],
    );
    for (const row of comparison.rows) {
      assert.ok(row.queries <= 200, `${row.method} stays within the budget (${row.queries})`);
      assert.ok(row.deletionAuc >= 0 && row.deletionAuc <= 1 && row.insertionAuc >= 0 && row.insertionAuc <= 1);
    }
    assert.match(
      result.stdout,
      /\| method \| queries \| time \(s\) \| deletion AUC ↓ \| insertion AUC ↑ \| IoU@0\.2 ↑ \| best IoU ↑ \| pointing \|/,
    );
    assert.equal(
      await readFile(path.join(out, 'oracle.compare.md'), 'utf8'),
      result.stdout.slice(0, result.stdout.indexOf('\nwritten to')),
    );
  });

  test('--methods picks a subset; an unknown name is refused', async () => {
    const out = path.join(dir, 'compare-subset');
    const result = await runCli([
      'compare',
      oracleImage,
      '--model',
      oracleConfig,
      '--budget',
      '100',
      '--methods',
      'rise,occlusion',
      '--steps',
      '4',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      JSON.parse(result.stdout).rows.map((row: { method: string }) => row.method),
      ['rise', 'occlusion'],
    );
    const bad = await runCli(['compare', oracleImage, '--model', oracleConfig, '--methods', 'rise,shap']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--methods takes a comma-separated subset/);
  });
});
