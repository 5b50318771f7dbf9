// `npm run bench`: time per explanation for each preset, split into querying and training, against the time the
// black box alone needs for the same queries. Figures, not pass/fail; run it on an idle machine.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import sharp from 'sharp';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import { openClassifier } from '../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../src/engine/blackbox/classifier';
import { explainImage } from '../src/engine/explainImage';
import { PRESETS, type PresetName } from '../src/engine/methods/dax/presets';
import { initBackend } from '../src/engine/tf/runtime';
import { decodeImage } from '../src/engine/io/image';
import { buildScene } from '../src/engine/perturbation/scene';

const root = path.join(__dirname, '..');
const presets = (process.env.DAX_BENCH_PRESETS?.split(',') ?? ['fast', 'balanced', 'thorough']) as PresetName[];

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
  await classifier.dispose();
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
