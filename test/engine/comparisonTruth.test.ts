// A ground truth given to a comparison after the fact (the comparison's Ground truth…): every method's saved map
// scored against the mask, each exactly as a single result's map is scored (scoreSavedMap), with nothing run again.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { compareImage } from '../../src/engine/compareImage';
import { DaxError } from '../../src/engine/core/errors';
import { outputPaths, writeExplanation } from '../../src/engine/io/outputs';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { scoreComparisonMaps, scoreSavedMap } from '../../src/engine/scoreMap';
import { initBackend } from '../../src/engine/tf/runtime';
import type { ComparisonReport } from '../../src/shared/report';
import { tempDir } from '../helpers/files';
import {
  ORACLE,
  randomMap,
  regionMask,
  writeOracleConfig,
  writeOracleImage,
  writeOraclePredictModule,
} from '../helpers/oracle';

/** A mask image: white on `mask`'s ones, black elsewhere, `size` pixels a side. */
async function writeMask(file: string, mask: Uint8Array, size: number): Promise<void> {
  await sharp(Buffer.from(mask.map((v) => (v ? 255 : 0))), { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toFile(file);
}

/** A grey map file, as the worker writes a method's `.saliency.png`. */
async function writeGrey(file: string, map: Float32Array, size: number): Promise<void> {
  await sharp(Buffer.from(map.map((v) => Math.round(v * 255))), { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toFile(file);
}

function comparisonOf(
  rows: { method: ComparisonReport['rows'][number]['method']; saliency?: string }[],
): ComparisonReport {
  return {
    schema: 1,
    input: { file: '/tmp/oracle.png', width: ORACLE.size, height: ORACLE.size },
    model: { name: 'oracle', kind: 'module', path: '/tmp/oracle.cjs', description: '' },
    target: { index: 0, label: 'red-region', probability: 0.9 },
    budget: 100,
    seed: 0,
    substrate: 'blur',
    steps: 8,
    backend: 'cpu',
    rows: rows.map((row, index) => ({
      ...row,
      queries: 100,
      totalMs: 10 * (index + 1),
      deletionAuc: 0.1 * (index + 1),
      insertionAuc: 0.9 - 0.1 * index,
      report: row.saliency?.replace(/\.saliency\.png$/, '.dax.json'),
    })),
  };
}

describe('scoring a comparison against a ground truth after the fact', () => {
  let dir: string;
  let mask: string;
  before(async () => {
    dir = await tempDir();
    mask = path.join(dir, 'oracle.mask.png');
    await writeMask(mask, regionMask(), ORACLE.size);
  });

  test('each row gets the scores a single result with the same map gets; the rest of the table stays', async () => {
    const files = await Promise.all(
      (['dax', 'rise', 'lime', 'occlusion'] as const).map(async (method, seed) => {
        const file = path.join(dir, `oracle.${method}.saliency.png`);
        // One map on the region (it must score high), the others random.
        const map =
          seed === 0 ? Float32Array.from(regionMask(), (v) => (v ? 0.9 : 0.05)) : randomMap(ORACLE.size, seed);
        await writeGrey(file, map, ORACLE.size);
        return { method, saliency: file };
      }),
    );
    const comparison = comparisonOf(files);
    const before = structuredClone(comparison);
    const scored = await scoreComparisonMaps(comparison, mask);
    assert.deepEqual(comparison, before, 'the comparison passed in is left as it was');
    assert.equal(scored.groundTruthFile, mask);
    for (const [index, row] of scored.rows.entries()) {
      const single = await scoreSavedMap(files[index]!.saliency, mask);
      assert.equal(row.iouAt02, single.iouAt02, `${row.method}: IoU at 0.2`);
      assert.equal(row.bestIou, single.bestIou, `${row.method}: best IoU`);
      assert.equal(row.pointingHit, single.pointingHit, `${row.method}: pointing game`);
      const { iouAt02: _i, bestIou: _b, pointingHit: _p, ...rest } = row;
      assert.deepEqual(rest, comparison.rows[index], 'the row is otherwise unchanged');
    }
    assert.equal(scored.rows[0]!.iouAt02, 1, 'the map on the region matches the mask');
    assert.equal(scored.rows[0]!.pointingHit, true);
    assert.ok(
      scored.rows.slice(1).every((row) => row.bestIou! < 0.5),
      'the random maps do not',
    );
  });

  test('a mask of another size is resized to the maps, as for a single result', async () => {
    const small = path.join(dir, 'oracle.mask-half.png');
    await writeMask(
      small,
      regionMask(
        {
          x: ORACLE.region.x / 2,
          y: ORACLE.region.y / 2,
          width: ORACLE.region.width / 2,
          height: ORACLE.region.height / 2,
        },
        ORACLE.size / 2,
      ),
      ORACLE.size / 2,
    );
    const saliency = path.join(dir, 'oracle.half.saliency.png');
    await writeGrey(
      saliency,
      Float32Array.from(regionMask(), (v) => (v ? 1 : 0)),
      ORACLE.size,
    );
    const scored = await scoreComparisonMaps(comparisonOf([{ method: 'rise', saliency }]), small);
    assert.equal(scored.rows[0]!.iouAt02, (await scoreSavedMap(saliency, small)).iouAt02);
    assert.equal(scored.rows[0]!.iouAt02, 1);
  });

  test('a mask that is not an image, or a corrupt one, fails naming the file', async () => {
    const saliency = path.join(dir, 'oracle.any.saliency.png');
    await writeGrey(saliency, randomMap(ORACLE.size, 3), ORACLE.size);
    const comparison = comparisonOf([{ method: 'dax', saliency }]);
    const text = path.join(dir, 'notes.txt');
    await writeFile(text, 'not a mask');
    const corrupt = path.join(dir, 'corrupt.png');
    const whole = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await writeFile(corrupt, whole.subarray(0, 40));
    for (const file of [text, corrupt, path.join(dir, 'missing.png')])
      await assert.rejects(
        scoreComparisonMaps(comparison, file),
        (error: unknown) => error instanceof DaxError && error.kind === 'input' && error.message.includes(file),
        file,
      );
  });

  test('a row whose map was not saved is refused, not scored as nothing', async () => {
    await assert.rejects(
      scoreComparisonMaps(comparisonOf([{ method: 'lime' }]), mask),
      /the map of lime in this comparison was not saved/,
    );
  });
});

describe('a comparison scored after the fact agrees with one given the mask up front', () => {
  let classifier: ImageClassifier;
  let dir: string;
  before(async () => {
    await initBackend('auto');
    dir = await tempDir();
    const config = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
      input: { width: ORACLE.size, height: ORACLE.size },
    });
    classifier = await openClassifier(await loadModelConfig(config));
  });

  test('every method: the same scores as its saved map alone, close to those of its unrounded map', async () => {
    const image = path.join(dir, 'oracle.png');
    await writeOracleImage(image);
    const mask = path.join(dir, 'oracle.mask.png');
    await writeMask(mask, regionMask(), ORACLE.size);
    const comparison = await compareImage({
      imageFile: image,
      classifier,
      methods: ['dax', 'rise', 'lime', 'occlusion'],
      budget: 100,
      dax: PRESETS.fast,
      preset: 'fast',
      seed: 0,
      groundTruthFile: mask,
      faithfulness: { steps: 8, substrate: 'blur', queryBatchSize: 64 },
      backend: 'cpu',
      onExplained: async (method, explanation) => {
        const paths = outputPaths(dir, image, method);
        await writeExplanation(paths, explanation.image, explanation.saliency, explanation.report);
        return paths;
      },
    });
    // The table as Compare Methods in the panel has it: no mask given, each row naming its map.
    const { groundTruthFile: _file, ...unscored } = comparison;
    const plain: ComparisonReport = {
      ...unscored,
      rows: comparison.rows.map(({ iouAt02: _i, bestIou: _b, pointingHit: _p, ...row }) => row),
    };
    assert.ok(plain.rows.every((row) => row.saliency?.endsWith('.saliency.png')));
    const scored = await scoreComparisonMaps(plain, mask);
    for (const [index, row] of scored.rows.entries()) {
      const single = await scoreSavedMap(row.saliency!, mask);
      assert.deepEqual(
        { iouAt02: row.iouAt02, bestIou: row.bestIou, pointingHit: row.pointingHit },
        { iouAt02: single.iouAt02, bestIou: single.bestIou, pointingHit: single.pointingHit },
        row.method,
      );
      // The saved map is the 8-bit copy of the one scored up front: the same IoUs but for rounding at a threshold.
      const upFront = comparison.rows[index]!;
      assert.ok(
        Math.abs(row.iouAt02! - upFront.iouAt02!) < 0.05,
        `${row.method}: ${row.iouAt02} vs ${upFront.iouAt02}`,
      );
      assert.ok(
        Math.abs(row.bestIou! - upFront.bestIou!) < 0.05,
        `${row.method}: ${row.bestIou} vs ${upFront.bestIou}`,
      );
    }
  });
});
