// `npm run bench`: time per explanation for each preset, split into querying and training, against the time the
// black box alone needs for the same queries. Figures, not pass/fail; run it on an idle machine.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import sharp from 'sharp';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import { openClassifier } from '../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../src/engine/blackbox/classifier';
import { explainImage, normalise, upsampleMask } from '../src/engine/explainImage';
import { PRESETS, type PresetName } from '../src/engine/methods/dax/presets';
import { initBackend } from '../src/engine/tf/runtime';
import { decodeImage, decodeMask } from '../src/engine/io/image';
import { iouAtThreshold, iouOfTopFraction } from '../src/engine/metrics/groundTruth';
import { runRise } from '../src/engine/methods/rise';
import { runLime } from '../src/engine/methods/lime';
import { createRng } from '../src/engine/core/rng';
import type { Scene } from '../src/engine/perturbation/scene';
import { buildScene } from '../src/engine/perturbation/scene';

const root = path.join(__dirname, '..');
const presets = (process.env.DAX_BENCH_PRESETS?.split(',').filter(Boolean) ?? ['fast', 'balanced', 'thorough']) as PresetName[];

interface Case {
  name: string;
  image: string;
  mask?: string;
}

async function main(): Promise<void> {
  const backend = await initBackend((process.env.DAX_BACKEND as 'auto') ?? 'auto');
  const classifier = await openClassifier(await loadModelConfig(path.join(root, 'examples/text-direction.model.json')));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'dax-bench-'));
  // A 224x224 input: the centre of another real scene-text photo, so the image side matches ImageNet-sized inputs.
  const square = path.join(tmp, 'square224.png');
  await sharp(path.join(root, 'test/fixtures/scenetext/word2.jpg')).resize(224, 224, { fit: 'cover' }).png().toFile(square);
  const cases: Case[] = [
    { name: 'bundled example (stationery-sign.jpg, 610x152)', image: path.join(root, 'examples/stationery-sign.jpg'), mask: path.join(root, 'examples/stationery-sign.mask.png') },
    { name: '224x224 input', image: square },
  ];
  console.log(`# DAX benchmark\n\nmachine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend: ${backend.name}`);
  console.log(`model: ${classifier.description}\n`);
  console.log('| input | preset | queries | total s | query s | black box alone s | query / alone | train s | steps | ms/step | epochs | IoU@0.2 | best IoU |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const testCase of cases) {
    // Warm the black box up, so that neither our query phase nor the floor pays for the first call.
    await blackBoxAlone(classifier, testCase.image, 2, 2);
    for (const preset of presets) {
      const settings = PRESETS[preset];
      const { report } = await explainImage({ imageFile: testCase.image, classifier, settings, preset, seed: 0, groundTruthFile: testCase.mask });
      const alone = await blackBoxAlone(classifier, testCase.image, settings.samples, settings.queryBatchSize);
      const t = report.timing;
      const s = (ms: number): string => (ms / 1000).toFixed(2);
      console.log(
        `| ${testCase.name} | ${preset} | ${report.queries} | ${s(t.totalMs)} | ${s(t.queryMs)} | ${s(alone)} | ${(t.queryMs / alone).toFixed(2)} | ${s(t.trainMs)} | ${report.trainingSteps} | ${(t.trainMs / report.trainingSteps).toFixed(0)} | ${report.epochs}${report.stoppedEarly ? ' (early stop)' : ''} | ${report.groundTruth ? report.groundTruth.iouAt02.toFixed(3) : '–'} | ${report.groundTruth ? report.groundTruth.bestIou.toFixed(3) : '–'} |`,
      );
    }
  }
  if (process.env.DAX_BENCH_COMPARE !== '0') await compareMethods(classifier);
  await classifier.dispose();
}

/**
 * DAX against RISE and LIME at the same query budget on the real scene-text photos with pixel masks (the six the
 * model classifies correctly), and RISE at its usual 4000 masks for time. Means over photos and seeds 0 and 1.
 */
async function compareMethods(classifier: ImageClassifier): Promise<void> {
  const budget = Number(process.env.DAX_BENCH_BUDGET ?? 1000);
  const stems = ['word2', 'word2-180', 'word3', 'word3-180', 'word4', 'word4-180'];
  type Row = { topk: number[]; at02: number[]; ms: number[]; queries: number };
  const rows = new Map<string, Row>();
  const add = (method: string, topk: number, at02: number, ms: number, queries: number): void => {
    const row = rows.get(method) ?? { topk: [], at02: [], ms: [], queries };
    row.topk.push(topk);
    row.at02.push(at02);
    row.ms.push(ms);
    rows.set(method, row);
  };
  const settings = { ...PRESETS.balanced, samples: budget };
  for (const seed of [0, 1]) {
    for (const stem of stems) {
      const file = path.join(root, 'test/fixtures/scenetext', `${stem}.jpg`);
      const image = await decodeImage(file);
      const mask = await decodeMask(file.replace('.jpg', '.mask.png'), image.width, image.height);
      const share = mask.reduce((a, b) => a + b, 0) / mask.length;
      const score = (saliency: Float32Array): [number, number] => [iouOfTopFraction(saliency, mask, share), iouAtThreshold(saliency, mask, 0.2)];
      const dax = await explainImage({ imageFile: file, classifier, settings, preset: 'balanced', seed });
      add(`DAX (balanced, ${budget} queries)`, ...score(dax.saliency), dax.report.timing.totalMs, dax.report.queries);
      const top1 = (p: Float32Array): number => p.indexOf(Math.max(...p));
      for (const [name, run] of [
        [`RISE (${budget} masks)`, (scene: Scene) => runRise(scene, classifier, { masks: budget - 1, grid: 8, keepProbability: 0.5, queryBatchSize: 64 }, createRng(seed), top1)],
        [`LIME (${budget} samples)`, (scene: Scene) => runLime(scene, classifier, { samples: budget, keepProbability: 0.5, alpha: 1, queryBatchSize: 64 }, createRng(seed), top1)],
        ['RISE (4000 masks)', (scene: Scene) => runRise(scene, classifier, { masks: 3999, grid: 8, keepProbability: 0.5, queryBatchSize: 64 }, createRng(seed), top1)],
      ] as const) {
        const started = performance.now();
        const scene = await buildScene(image, classifier, settings.perturbation);
        const outcome = await run(scene);
        const saliency = normalise(upsampleMask(outcome.map, outcome.width, outcome.height, image.width, image.height));
        add(name, ...score(saliency), performance.now() - started, outcome.query.queries);
      }
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const daxRow = rows.values().next().value as Row;
  console.log(`\n## DAX against RISE and LIME (6 real scene-text photos x seeds 0 and 1; top-k IoU: the most salient pixels, as many as text pixels)\n`);
  console.log('| method | queries | top-k IoU | IoU@0.2 | s per explanation | DAX top-k IoU / this | this time / DAX time |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, row] of rows) {
    console.log(
      `| ${name} | ${row.queries} | ${mean(row.topk).toFixed(3)} | ${mean(row.at02).toFixed(3)} | ${(mean(row.ms) / 1000).toFixed(2)} | ${(mean(daxRow.topk) / mean(row.topk)).toFixed(2)} | ${(mean(row.ms) / mean(daxRow.ms)).toFixed(2)} |`,
    );
  }
}

/** Wall time of the black box on `count` ready-made images in batches: the floor of any query phase. */
async function blackBoxAlone(classifier: ImageClassifier, image: string, count: number, batchSize: number): Promise<number> {
  const scene = await buildScene(await decodeImage(image), classifier, PRESETS.fast.perturbation);
  const batch = Array.from({ length: batchSize }, () => scene.model.original.slice());
  await classifier.classify({ images: batch.slice(0, 2), padding: scene.model.padding });
  const started = performance.now();
  for (let done = 0; done < count; done += batchSize) {
    await classifier.classify({ images: batch.slice(0, Math.min(batchSize, count - done)), padding: scene.model.padding });
  }
  return performance.now() - started;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
