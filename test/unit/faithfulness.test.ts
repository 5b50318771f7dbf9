// Deletion and insertion: a map that points at what the black box looks at scores better than one that does not.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageBatch, ImageClassifier } from '../../src/engine/blackbox/classifier';
import type { ModelConfig, ResizeMode } from '../../src/engine/blackbox/modelConfig';
import { createRng } from '../../src/engine/core/rng';
import type { RgbImage } from '../../src/engine/io/image';
import { measureFaithfulness, trapezoidAuc } from '../../src/engine/metrics/faithfulness';
import { buildScene, type Scene } from '../../src/engine/perturbation/scene';
import { randomMap, regionMask, type Region } from '../helpers/oracle';

const SIZE = 64;
/** The evidence, in image pixels: 2-pixel aligned so that each canvas pixel (the canvas is half size) shows one inside or outside. */
const REGION: Region = { x: 40, y: 8, width: 16, height: 16 };

/** Random 2x2-pixel blocks of colour, never black: every pixel differs from black and from its blurred copy. */
function texturedImage(width: number, height: number, seed = 3): RgbImage {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * 3);
  const blocks = Array.from({ length: Math.ceil(width / 2) * Math.ceil(height / 2) * 3 }, () => 30 + rng.int(200));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const b = ((y >> 1) * Math.ceil(width / 2) + (x >> 1)) * 3;
      data.set([blocks[b]!, blocks[b + 1]!, blocks[b + 2]!], 3 * (y * width + x));
    }
  }
  return { width, height, data };
}

function config(resize: ResizeMode): ModelConfig {
  return {
    name: 'synthetic',
    kind: 'module',
    path: '/synthetic.js',
    input: { resize, align: 'center', padValue: 0, scale: 255, mean: [0], std: [1], channels: 'RGB' },
    output: { activation: 'none' },
    batchSize: 16,
  };
}

/**
 * A black box whose class-0 probability is the share of its evidence pixels (canvas indices) that still show
 * the input's exact colour; it records every image it is sent.
 */
class ShareOfOriginal implements ImageClassifier {
  readonly description = 'synthetic: share of the region left intact';
  readonly config: ModelConfig;
  readonly seen: Float32Array[] = [];
  readonly paddings: (Uint8Array | undefined)[] = [];
  reference: Float32Array = new Float32Array(0);
  evidence: number[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
    resize: ResizeMode = 'stretch',
  ) {
    this.config = config(resize);
  }
  async classify(batch: ImageBatch): Promise<Float32Array[]> {
    return batch.images.map((image) => {
      this.seen.push(Float32Array.from(image));
      this.paddings.push(batch.padding);
      let intact = 0;
      for (const p of this.evidence) {
        let same = true;
        for (let c = 0; c < 3; c++) same &&= Math.abs(image[3 * p + c]! - this.reference[3 * p + c]!) < 1e-3;
        if (same) intact++;
      }
      const share = intact / this.evidence.length;
      return Float32Array.of(share, 1 - share);
    });
  }
  async dispose(): Promise<void> {}
}

/** A 64x64 textured image seen by the black box at 32x32; the evidence is the region's canvas pixels. */
async function setUp(): Promise<{ scene: Scene; classifier: ShareOfOriginal }> {
  const classifier = new ShareOfOriginal(32, 32);
  const scene = await buildScene(texturedImage(SIZE, SIZE), classifier, {
    segmentation: 'grid',
    segments: 16,
    fill: 'mean',
  });
  classifier.reference = scene.model.original;
  for (let v = REGION.y / 2; v < (REGION.y + REGION.height) / 2; v++)
    for (let u = REGION.x / 2; u < (REGION.x + REGION.width) / 2; u++) classifier.evidence.push(v * 32 + u);
  return { scene, classifier };
}

describe('trapezoidAuc', () => {
  test('integrates evenly spaced samples of [0, 1]', () => {
    assert.equal(trapezoidAuc([1, 1, 1]), 1);
    assert.equal(trapezoidAuc([0, 0]), 0);
    assert.equal(trapezoidAuc([0, 1]), 0.5);
    assert.equal(trapezoidAuc([0, 0.25, 0.5, 0.75, 1]), 0.5);
    assert.equal(trapezoidAuc([1, 0, 0, 0, 0]), 0.125);
    assert.equal(trapezoidAuc([0, 1, 1]), 0.75);
  });

  test('refuses a curve of fewer than two points', () => {
    assert.throws(() => trapezoidAuc([1]), RangeError);
    assert.throws(() => trapezoidAuc([]), RangeError);
  });
});

describe('measureFaithfulness', () => {
  const perfect = Float32Array.from(regionMask(REGION, SIZE));
  const inverted = perfect.map((v) => 1 - v);

  for (const substrate of ['zero', 'blur'] as const) {
    test(`a map on the evidence beats an inverted and a random one (${substrate} substrate)`, async () => {
      const { scene, classifier } = await setUp();
      const measure = (map: Float32Array) =>
        measureFaithfulness(scene, classifier, map, 0, { steps: 16, substrate, queryBatchSize: 8 });
      const best = await measure(perfect);
      const worst = await measure(inverted);
      const random = await Promise.all([11, 12, 13].map((seed) => measure(randomMap(SIZE, seed))));
      // The region is 1/16 of the canvas: removing it first empties the probability within 1/16 of the curve.
      assert.ok(best.deletionAuc < 0.1, `perfect deletion ${best.deletionAuc}`);
      assert.ok(best.insertionAuc > 0.9, `perfect insertion ${best.insertionAuc}`);
      assert.ok(worst.deletionAuc > 0.9, `inverted deletion ${worst.deletionAuc}`);
      assert.ok(worst.insertionAuc < 0.1, `inverted insertion ${worst.insertionAuc}`);
      for (const r of random) {
        assert.ok(
          best.deletionAuc < r.deletionAuc - 0.05,
          `perfect deletion ${best.deletionAuc} vs random ${r.deletionAuc}`,
        );
        assert.ok(
          best.insertionAuc > r.insertionAuc + 0.05,
          `perfect insertion ${best.insertionAuc} vs random ${r.insertionAuc}`,
        );
      }
      for (const s of [best, worst, ...random]) {
        for (const auc of [s.deletionAuc, s.insertionAuc]) assert.ok(auc >= 0 && auc <= 1);
        assert.equal(s.substrate, substrate);
      }
    });
  }

  test('curves run from the input to the substrate and back, one query per point', async () => {
    const { scene, classifier } = await setUp();
    const steps = 8;
    const scores = await measureFaithfulness(scene, classifier, perfect, 0, {
      steps,
      substrate: 'zero',
      queryBatchSize: 5,
    });
    assert.equal(scores.queries, 2 * (steps + 1));
    assert.equal(classifier.seen.length, 2 * (steps + 1));
    assert.equal(scores.steps, steps);
    assert.deepEqual(scores.fractions, [0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1]);
    assert.equal(scores.deletionCurve.length, steps + 1);
    assert.equal(scores.insertionCurve.length, steps + 1);
    // Step 0 of deletion and the last step of insertion are the input itself; the other ends are all substrate.
    assert.deepEqual(classifier.seen[0], scene.model.original);
    assert.deepEqual(classifier.seen[2 * steps + 1], scene.model.original);
    assert.equal(scores.deletionCurve[0], 1);
    assert.equal(scores.insertionCurve[steps], 1);
    assert.ok(classifier.seen[steps]!.every((v) => v === 0));
    assert.ok(classifier.seen[steps + 1]!.every((v) => v === 0));
    assert.equal(scores.deletionCurve[steps], 0);
    assert.equal(scores.insertionCurve[0], 0);
    // The curve is the target's probability: class 1 is the complement here.
    const other = await measureFaithfulness(scene, classifier, perfect, 1, {
      steps,
      substrate: 'zero',
      queryBatchSize: 5,
    });
    other.deletionCurve.forEach((p, k) => assert.ok(Math.abs(p - (1 - scores.deletionCurve[k]!)) < 1e-6));
  });

  test('ranks only the image pixels of a letterboxed canvas, ties in canvas order, and leaves padding alone', async () => {
    // 64x32 into 32x32: the image fills rows 8..23, rows 0..7 and 24..31 are padding.
    const classifier = new ShareOfOriginal(32, 32, 'letterbox');
    const scene = await buildScene(texturedImage(64, 32), classifier, {
      segmentation: 'grid',
      segments: 8,
      fill: 'mean',
    });
    classifier.reference = scene.model.original;
    classifier.evidence = [16 * 32 + 16];
    const padding = scene.model.padding!;
    assert.ok(padding, 'the scene is letterboxed');
    const imagePixels = [...padding.keys()].filter((p) => padding[p] === 0);
    assert.equal(imagePixels.length, 32 * 16);
    const steps = 4;
    // A flat map, negative at that: padding would come first if it were ranked, and ties must go by index.
    await measureFaithfulness(scene, classifier, new Float32Array(64 * 32).fill(-2), 0, {
      steps,
      substrate: 'zero',
      queryBatchSize: 4,
    });
    const changed = (image: Float32Array, p: number) =>
      [0, 1, 2].some((c) => image[3 * p + c] !== scene.model.original[3 * p + c]);
    for (let k = 0; k <= steps; k++) {
      const cut = Math.round((k / steps) * imagePixels.length);
      const deletion = classifier.seen[k]!;
      const insertion = classifier.seen[steps + 1 + k]!;
      for (const [i, p] of imagePixels.entries()) {
        assert.equal(changed(deletion, p), i < cut, `deletion step ${k}, pixel ${p}`);
        assert.equal(changed(insertion, p), i >= cut, `insertion step ${k}, pixel ${p}`);
      }
      for (let p = 0; p < padding.length; p++) {
        if (padding[p] === 1)
          assert.ok(!changed(deletion, p) && !changed(insertion, p), `padding pixel ${p} at step ${k}`);
      }
    }
    assert.ok(
      classifier.paddings.every((p) => p === scene.model.padding),
      'the padding mask goes to the black box',
    );
  });

  test("deletion starts at the black box's answer on the input", async () => {
    const { scene, classifier } = await setUp();
    // Half the evidence rows (canvas rows 4..7 of 4..11) now differ from what the black box calls intact.
    classifier.reference = Float32Array.from(scene.model.original).fill(0, 0, 3 * 32 * 8);
    const [input] = await classifier.classify({ images: [scene.model.original] });
    assert.equal(input![0], 0.5);
    const scores = await measureFaithfulness(scene, classifier, perfect, 0, {
      steps: 8,
      substrate: 'zero',
      queryBatchSize: 8,
    });
    assert.equal(scores.deletionCurve[0], input![0]);
    assert.equal(scores.insertionCurve[8], input![0]);
  });

  test("reads the map at the image's resolution, also when the scene analyses a smaller copy", async () => {
    // 320x320 is analysed at 256x256; the black box sees 32x32, one canvas pixel per 10x10 image pixels.
    const classifier = new ShareOfOriginal(32, 32);
    const scene = await buildScene(texturedImage(320, 320), classifier, {
      segmentation: 'grid',
      segments: 16,
      fill: 'mean',
    });
    assert.equal(scene.analysis.width, 256);
    classifier.reference = scene.model.original;
    for (let v = 4; v < 8; v++) for (let u = 20; u < 24; u++) classifier.evidence.push(v * 32 + u);
    const map = Float32Array.from(regionMask({ x: 200, y: 40, width: 40, height: 40 }, 320));
    const scores = await measureFaithfulness(scene, classifier, map, 0, {
      steps: 16,
      substrate: 'blur',
      queryBatchSize: 34,
    });
    assert.ok(scores.deletionAuc < 0.05, `deletion ${scores.deletionAuc}`);
    assert.ok(scores.insertionAuc > 0.95, `insertion ${scores.insertionAuc}`);
  });

  test('a map of the wrong size is refused', async () => {
    const { scene, classifier } = await setUp();
    await assert.rejects(
      measureFaithfulness(scene, classifier, new Float32Array(10), 0, {
        steps: 32,
        substrate: 'zero',
        queryBatchSize: 8,
      }),
      /saliency map has 10 values/,
    );
    assert.equal(classifier.seen.length, 0);
  });
});
