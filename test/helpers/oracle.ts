// Test oracles: synthetic images and tiny black boxes whose answer depends only on a known region.
import sharp from 'sharp';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { fileModelWriter } from '../../src/engine/blackbox/tfjsFiles';
import { tf } from '../../src/engine/tf/runtime';
import { createRng } from '../../src/engine/core/rng';
import type { ImageClassifier } from '../../src/engine/blackbox/classifier';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { decodeImage } from '../../src/engine/io/image';
import { PRESETS } from '../../src/engine/methods/dax/presets';
import { buildScene, type Scene } from '../../src/engine/perturbation/scene';
import { tempDir } from './files';

/** A rectangle in pixels. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The oracle's layout: a 96x96 picture, the evidence in `region`, a look-alike decoy elsewhere. */
export const ORACLE = {
  size: 96,
  region: { x: 56, y: 16, width: 24, height: 24 } satisfies Region,
  decoy: { x: 12, y: 60, width: 24, height: 24 } satisfies Region,
};

/**
 * A textured picture with two identical red squares: the oracle's region and a decoy. A model that looked for
 * "red" would need both; the oracle looks only at its region, so a faithful map must pick that one.
 */
export async function writeOracleImage(file: string, seed = 7): Promise<void> {
  const { size, region, decoy } = ORACLE;
  const rng = createRng(seed);
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = 3 * (y * size + x);
      // Soft blue-green texture in 8x8 tiles, so the background has structure of its own.
      const tile = ((x >> 3) + (y >> 3)) % 3;
      data[i] = 40 + tile * 10 + rng.int(20);
      data[i + 1] = 110 + tile * 25 + rng.int(20);
      data[i + 2] = 150 + tile * 20 + rng.int(20);
      if (inside(region, x, y) || inside(decoy, x, y)) {
        data[i] = 230;
        data[i + 1] = 40;
        data[i + 2] = 30;
      }
    }
  }
  await sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

/** 1 inside the region, 0 elsewhere, at the oracle image's size. */
export function regionMask(region: Region = ORACLE.region, size = ORACLE.size): Uint8Array {
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) mask[y * size + x] = inside(region, x, y) ? 1 : 0;
  return mask;
}

function inside(r: Region, x: number, y: number): boolean {
  return x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
}

/**
 * A TF.js layers model: crop the region, average it, and score "red minus blue" with a softmax over two classes.
 * Written to `dir/model.json` + weights; its answer cannot depend on any pixel outside the region.
 */
export async function writeOracleTfjsModel(dir: string): Promise<string> {
  const { size, region } = ORACLE;
  const model = tfl.sequential();
  model.add(
    tfl.layers.cropping2D({
      inputShape: [size, size, 3],
      cropping: [
        [region.y, size - region.y - region.height],
        [region.x, size - region.x - region.width],
      ],
    }),
  );
  model.add(tfl.layers.globalAveragePooling2d({}));
  const dense = tfl.layers.dense({ units: 2 });
  model.add(dense);
  // Inputs are 0..1 (scale 255): logit(class 0) = 12·(red − blue) − 3, logit(class 1) = 0.
  dense.setWeights([
    tf.tensor2d([
      [12, 0],
      [0, 0],
      [-12, 0],
    ]),
    tf.tensor1d([-3, 0]),
  ]);
  model.add(tfl.layers.softmax());
  await model.save(fileModelWriter(dir));
  model.dispose();
  return path.join(dir, 'model.json');
}

/** A model description for the oracle model, written beside it. */
export async function writeOracleConfig(
  dir: string,
  modelPath: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const file = path.join(dir, 'oracle.model.json');
  await writeFile(
    file,
    JSON.stringify(
      {
        name: 'oracle',
        path: modelPath,
        input: { scale: 255, layout: 'NHWC' },
        labels: ['red-region', 'other'],
        batchSize: 64,
        ...extra,
      },
      null,
      2,
    ),
  );
  return file;
}

/** A `predict` module with the oracle's rule in plain JavaScript (CommonJS). */
export async function writeOraclePredictModule(dir: string, body?: string): Promise<string> {
  const { size, region } = ORACLE;
  const file = path.join(dir, 'oracle-predict.cjs');
  const rule =
    body ??
    `let red = 0, blue = 0, n = 0;
    for (let y = ${region.y}; y < ${region.y + region.height}; y++) for (let x = ${region.x}; x < ${region.x + region.width}; x++) {
      const i = 3 * (y * ${size} + x); red += image.data[i]; blue += image.data[i + 2]; n++;
    }
    const logit = 12 * (red - blue) / (255 * n) - 3;
    const p = 1 / (1 + Math.exp(-logit));
    return [p, 1 - p];`;
  await writeFile(
    file,
    `exports.labels = ['red-region', 'other'];\nexports.predict = async (images) => images.map((image) => {\n${rule}\n});\n`,
  );
  return file;
}

/** A smooth random map (block noise upsampled), the "random explanation" a real one must beat. */
export function randomMap(size: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const cells = 8;
  const grid = Float32Array.from({ length: cells * cells }, () => rng.next());
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      out[y * size + x] = grid[Math.floor((y * cells) / size) * cells + Math.floor((x * cells) / size)]!;
  return out;
}

/**
 * The held-out oracle of the DAX issue: grey pixel noise with two squares brighter on average but as noisy, one
 * of them a decoy. SLIC's superpixels follow the noise, not the squares, so a method bound to one segmentation
 * cannot isolate the square; the model reads only the mean brightness of `ORACLE.region`.
 */
export async function writeNoisyOracleImage(file: string, seed = 3): Promise<void> {
  const { size, region, decoy } = ORACLE;
  const rng = createRng(seed);
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = (inside(region, x, y) || inside(decoy, x, y) ? 110 : 50) + rng.int(120);
      data.fill(v, 3 * (y * size + x), 3 * (y * size + x) + 3);
    }
  }
  await sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

/** The rule of the noisy oracle's model: a sigmoid of the region's mean brightness (p ≈ 0.9 on the image). */
export const NOISY_ORACLE_RULE = `let s = 0, n = 0;
    for (let y = ${ORACLE.region.y}; y < ${ORACLE.region.y + ORACLE.region.height}; y++) for (let x = ${ORACLE.region.x}; x < ${ORACLE.region.x + ORACLE.region.width}; x++) { s += image.data[3 * (y * ${ORACLE.size} + x)]; n++; }
    const p = 1 / (1 + Math.exp(-(12 * (s / (255 * n)) - 6)));
    return [p, 1 - p];`;

/**
 * The oracle picture as the baselines and the method contract see it: the `predict` module behind a classifier at
 * the oracle's size, and the scene built with the fast preset's perturbation. Needs a backend (initBackend) first.
 */
export async function oracleScene(): Promise<{ classifier: ImageClassifier; scene: Scene }> {
  const dir = await tempDir();
  const imageFile = path.join(dir, 'oracle.png');
  await writeOracleImage(imageFile);
  const config = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
  const classifier = await openClassifier(await loadModelConfig(config));
  return { classifier, scene: await buildScene(await decodeImage(imageFile), classifier, PRESETS.fast.perturbation) };
}

/** The share of the picture the oracle's region covers (the top fraction its IoU is measured at). */
export const ORACLE_FRACTION = (ORACLE.region.width * ORACLE.region.height) / (ORACLE.size * ORACLE.size);
