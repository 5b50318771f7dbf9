// DAX on a real model and real data: PaddleOCR's text-direction classifier on street photos with pixel masks.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { explainImage } from '../../src/engine/explainImage';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { decodeMask } from '../../src/engine/io/image';
import { iouAtThreshold, iouOfTopFraction } from '../../src/engine/metrics/groundTruth';
import { createRng } from '../../src/engine/core/rng';

const fixtures = path.join(__dirname, '..', 'fixtures', 'scenetext');
// Like the DAX paper's evaluation, only images the model classifies correctly: word5 is misread
// (p(upright) = 0.04) and word1 ("HOTEL", nearly the same upside down) sits at p ≈ 0.5 either way round.
// Each upright crop also appears rotated by 180°, the other class.
const cases = ['word2', 'word3', 'word4'].flatMap((word) => [
  { stem: word, label: '0' },
  { stem: `${word}-180`, label: '180' },
]);
let classifier: ImageClassifier;

before(async () => {
  classifier = await openClassifier(
    await loadModelConfig(path.join(__dirname, '..', '..', 'examples', 'text-direction.model.json')),
  );
});

describe('DAX on the text-direction classifier and real scene-text photos', () => {
  test('the text is more salient than the rest, on average over the six photos', async (t) => {
    const dax: number[] = [];
    const random: number[] = [];
    const at02: number[] = [];
    // Two seeds per photo: a single DAX run on this data varies a lot (see below), their mean much less.
    for (const [i, { stem, label }] of [...cases, ...cases].entries()) {
      const imageFile = path.join(fixtures, `${stem}.jpg`);
      const seed = i < cases.length ? 0 : 1;
      const { saliency, report } = await explainImage({
        imageFile,
        classifier,
        method: { method: 'dax', settings: PRESETS.fast },
        preset: 'fast',
        seed,
      });
      assert.equal(report.target.label, label, `${stem} is classified ${label}`);
      const mask = await decodeMask(path.join(fixtures, `${stem}.mask.png`), report.input.width, report.input.height);
      const textShare = mask.reduce((a, b) => a + b, 0) / mask.length;
      // Threshold-free: the most salient pixels, as many as there are text pixels, against the text.
      dax.push(iouOfTopFraction(saliency, mask, textShare));
      random.push(iouOfTopFraction(randomPixels(saliency.length, i), mask, textShare));
      at02.push(iouAtThreshold(saliency, mask, 0.2));
    }
    const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
    const detail = [...cases, ...cases]
      .map(({ stem }, i) => `${stem}/${i < cases.length ? 0 : 1} ${dax[i]!.toFixed(2)}`)
      .join(', ');
    t.diagnostic(
      `top-k IoU: ${detail}; mean ${mean(dax).toFixed(3)} vs random ${mean(random).toFixed(3)}; mean IoU@0.2 ${mean(at02).toFixed(3)}`,
    );
    // Measured with the fast preset on wasm: mean 0.320 over the 12 runs (single runs 0.01 to 0.53) against 0.11
    // for random maps; before the KL term was switched off and the mask read over the training copies, 0.185.
    // Since the black box judges DAX's readouts (mapJudge.ts), 0.232 (0.261 without judging): a smoothed readout
    // wins some photos on deletion and insertion and covers thin strokes less tightly, the trade the full
    // benchmark measured (scene-text top-k IoU −0.02, insertion +0.05). The floor (0.22) fails a method that
    // ignores the text (random maps 0.11) and the defaults before the KL change (0.185). A centre-band prior scores
    // about 0.4 on these centred crops, so this is a floor on finding text, not a claim of precision.
    assert.ok(mean(dax) >= 0.22, `mean top-k IoU ${mean(dax).toFixed(3)} (${detail})`);
    assert.ok(
      mean(dax) > mean(random) + 0.04,
      `beats random maps: ${mean(dax).toFixed(3)} vs ${mean(random).toFixed(3)}`,
    );
  });
});

function randomPixels(length: number, seed: number): Float32Array {
  const rng = createRng(1000 + seed);
  return Float32Array.from({ length }, () => rng.next());
}
