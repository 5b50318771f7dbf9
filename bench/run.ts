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
import { compareImage } from '../src/engine/compareImage';
import { METHOD_NAMES } from '../src/engine/methods/method';
import { PRESETS, type PresetName } from '../src/engine/methods/dax/presets';
import { initBackend } from '../src/engine/tf/runtime';
import { decodeImage, decodeMask } from '../src/engine/io/image';
import { iouOfTopFraction } from '../src/engine/metrics/groundTruth';
import { mkdir, writeFile } from 'node:fs/promises';
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
  const out: string[] = [];
  const print = (line: string): void => {
    console.log(line);
    out.push(line);
  };
  print(`# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend: ${backend.name}). Figures from one run on a shared machine: compare ratios, not absolute times.`);
  print(`\nmodel: ${classifier.description}\n\n## Time per explanation (DAX presets)\n`);
  print('| input | preset | queries | total s | query s | black box alone s | query / alone | train s | steps | ms/step | epochs | IoU@0.2 | best IoU |');
  print('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const testCase of cases) {
    // Warm the black box up, so that neither our query phase nor the floor pays for the first call.
    await blackBoxAlone(classifier, testCase.image, 2, 2);
    for (const preset of presets) {
      const settings = PRESETS[preset];
      const { report } = await explainImage({ imageFile: testCase.image, classifier, method: { method: 'dax', settings }, preset, seed: 0, groundTruthFile: testCase.mask });
      const alone = await blackBoxAlone(classifier, testCase.image, settings.samples, settings.queryBatchSize);
      const t = report.timing;
      const s = (ms: number): string => (ms / 1000).toFixed(2);
      print(
        `| ${testCase.name} | ${preset} | ${report.queries} | ${s(t.totalMs)} | ${s(t.queryMs)} | ${s(alone)} | ${(t.queryMs / alone).toFixed(2)} | ${s(t.trainMs)} | ${report.trainingSteps} | ${(t.trainMs / report.trainingSteps).toFixed(0)} | ${report.epochs}${report.stoppedEarly ? ' (early stop)' : ''} | ${report.groundTruth ? report.groundTruth.iouAt02.toFixed(3) : '–'} | ${report.groundTruth ? report.groundTruth.bestIou.toFixed(3) : '–'} |`,
      );
    }
  }
  if (process.env.DAX_BENCH_COMPARE !== '0') print('\n' + (await compareMethods(classifier, backend.name)));
  await classifier.dispose();
  // A partial run (presets or comparison switched off) prints but does not overwrite the committed figures.
  const target = process.env.DAX_BENCH_OUT ?? (process.env.DAX_BENCH_PRESETS || process.env.DAX_BENCH_COMPARE === '0' ? '' : path.join(root, 'docs/benchmarks.md'));
  if (target) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, out.join('\n') + '\n');
    console.log(`\nwritten to ${path.relative(process.cwd(), target)}`);
  }
}

/**
 * Every method at the same query budget on the real scene-text photos with pixel masks (the six the model
 * classifies correctly), and RISE at its usual 4000 masks, measured alike: deletion and insertion AUC through the
 * black box, IoU with the text pixels, the pointing game, queries and time. Means over photos and seeds 0 and 1.
 */
async function compareMethods(classifier: ImageClassifier, backendName: string): Promise<string> {
  const budget = Number(process.env.DAX_BENCH_BUDGET ?? 1000);
  const seeds = (process.env.DAX_BENCH_SEEDS ?? '0,1').split(',').map(Number);
  const stems = ['word2', 'word2-180', 'word3', 'word3-180', 'word4', 'word4-180'];
  type Row = { deletion: number[]; insertion: number[]; topk: number[]; at02: number[]; best: number[]; pointing: number[]; ms: number[]; queries: number };
  const rows = new Map<string, Row>();
  const faithfulness = { steps: 32, substrate: 'blur' as const, queryBatchSize: 64 };
  for (const seed of seeds) {
    for (const stem of stems) {
      const file = path.join(root, 'test/fixtures/scenetext', `${stem}.jpg`);
      const maskFile = file.replace('.jpg', '.mask.png');
      const image = await decodeImage(file);
      const mask = await decodeMask(maskFile, image.width, image.height);
      const share = mask.reduce((a, b) => a + b, 0) / mask.length;
      const topk = new Map<string, number>();
      for (const [suffix, methods, methodBudget] of [
        ['', METHOD_NAMES, budget],
        [' (4000 masks)', ['rise'], 4000],
      ] as const) {
        const comparison = await compareImage({
          imageFile: file,
          classifier,
          methods,
          budget: methodBudget,
          dax: PRESETS.balanced,
          preset: 'balanced',
          seed,
          groundTruthFile: maskFile,
          faithfulness,
          onExplained: async (method, explanation) => {
            topk.set(method, iouOfTopFraction(explanation.saliency, mask, share));
            return undefined;
          },
        });
        for (const result of comparison.rows) {
          const name = `${result.method}${suffix}`;
          const row = rows.get(name) ?? { deletion: [], insertion: [], topk: [], at02: [], best: [], pointing: [], ms: [], queries: result.queries };
          row.deletion.push(result.deletionAuc);
          row.insertion.push(result.insertionAuc);
          row.topk.push(topk.get(result.method)!);
          row.at02.push(result.iouAt02!);
          row.best.push(result.bestIou!);
          row.pointing.push(result.pointingHit ? 1 : 0);
          row.ms.push(result.totalMs);
          rows.set(name, row);
        }
      }
    }
  }
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
  const dax = rows.get('dax')!;
  const lines = [
    `## DAX against RISE, LIME and occlusion`,
    '',
    `${stems.length} real scene-text photos (test/fixtures/scenetext) x seeds ${seeds.join(', ')}; the text-direction classifier; ` +
      `${budget} queries per method (RISE also at 4000); deletion/insertion: ${faithfulness.steps} steps, blurred substrate; ` +
      `top-k IoU: the most salient pixels, as many as there are text pixels; training backend ${backendName}. Means.`,
    '',
    '| method | queries | deletion AUC ↓ | insertion AUC ↑ | top-k IoU ↑ | IoU@0.2 ↑ | best IoU ↑ | pointing ↑ | s per explanation |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, row] of rows) {
    lines.push(`| ${name} | ${row.queries} | ${mean(row.deletion).toFixed(3)} | ${mean(row.insertion).toFixed(3)} | ${mean(row.topk).toFixed(3)} | ${mean(row.at02).toFixed(3)} | ${mean(row.best).toFixed(3)} | ${mean(row.pointing).toFixed(2)} | ${(mean(row.ms) / 1000).toFixed(2)} |`);
  }
  lines.push('', 'Ratios DAX / baseline (deletion: below 1 means DAX is better; the others: above 1 means DAX is better; time: below 1 means DAX is faster):', '');
  lines.push('| baseline | deletion AUC | insertion AUC | top-k IoU | best IoU | pointing | time |', '|---|---|---|---|---|---|---|');
  for (const [name, row] of rows) {
    if (name === 'dax') continue;
    const ratio = (a: number[], b: number[]): string => (mean(b) === 0 ? '–' : (mean(a) / mean(b)).toFixed(2));
    lines.push(`| ${name} | ${ratio(dax.deletion, row.deletion)} | ${ratio(dax.insertion, row.insertion)} | ${ratio(dax.topk, row.topk)} | ${ratio(dax.best, row.best)} | ${ratio(dax.pointing, row.pointing)} | ${ratio(dax.ms, row.ms)} |`);
  }
  return lines.join('\n') + '\n';
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
