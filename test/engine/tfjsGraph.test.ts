// A real TF.js graph model as a black box: the facial-expression model shipped in @vladmandic/human (MIT).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { explainImage } from '../../src/engine/explainImage';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { initBackend } from '../../src/engine/tf/runtime';
import { tempDir } from '../helpers/files';

const emotionModel = path.join(__dirname, '..', '..', 'node_modules', '@vladmandic', 'human', 'models', 'emotion.json');
const labels = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
let classifier: ImageClassifier;
let dir: string;

before(async () => {
  await initBackend('auto');
  dir = await tempDir();
  const config = path.join(dir, 'emotion.model.json');
  // Grey 64x64, (g/255 - 0.5) * 2, as human's own preprocessing does it.
  await writeFile(
    config,
    JSON.stringify({ path: emotionModel, input: { channels: 'grey', scale: 255, mean: 0.5, std: 0.5 }, labels }),
  );
  classifier = await openClassifier(await loadModelConfig(config));
});

describe('TF.js graph models', () => {
  test('the input size, layout and channels are read from the graph', () => {
    assert.deepEqual([classifier.width, classifier.height], [64, 64]);
    assert.match(classifier.description, /^tfjs-graph: input_1 float32\[-1,64,64,1\] NHWC/);
  });

  test('a batch of images gives one probability row per image', async () => {
    const image = new Float32Array(64 * 64 * 3).fill(128);
    const rows = await classifier.classify({ images: [image, image, image] });
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.length, 7);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    }
  });

  test('DAX explains a graph model end to end', async () => {
    const imageFile = path.join(__dirname, '..', 'fixtures', 'scenetext', 'word1.jpg');
    const { saliency, report } = await explainImage({
      imageFile,
      classifier,
      method: { method: 'dax', settings: { ...PRESETS.fast, samples: 96, epochs: 2 } },
      preset: 'fast',
      seed: 0,
    });
    assert.equal(report.queries, 96);
    assert.ok(labels.includes(report.target.label!));
    assert.equal(saliency.length, report.input.width * report.input.height);
  });
});
