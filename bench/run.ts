// `npm run bench`: time per explanation for each preset, split into querying and training, against the time the
// black box alone needs for the same queries. Figures, not pass/fail; run it on an idle machine.
import path from 'node:path';
import os from 'node:os';
import sharp from 'sharp';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import { openClassifier } from '../src/engine/blackbox/openClassifier';
import type { ImageClassifier } from '../src/engine/blackbox/classifier';
import { explainImage } from '../src/engine/explainImage';
import { METHOD_NAMES } from '../src/engine/methods/method';
import { PRESETS, type PresetName } from '../src/engine/methods/dax/presets';
import { initBackend } from '../src/engine/tf/runtime';
import { decodeImage, decodeMask } from '../src/engine/io/image';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { compareOnCases, tabulate, type BenchCase } from './compare';
import { buildScene } from '../src/engine/perturbation/scene';
import { AUDIO_DOC, AUDIO_POINTER, audioBenchmarks } from './audio';

const root = path.join(__dirname, '..');
const presets = (process.env.DAX_BENCH_PRESETS?.split(',').filter(Boolean) ?? ['fast', 'balanced', 'thorough']) as PresetName[];

interface Case {
  name: string;
  image: string;
  mask?: string;
}

/** The machine line both documents start with. */
function machine(backendName: string): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.versions.node}; training backend: ${backendName}`;
}

async function main(): Promise<void> {
  const backend = await initBackend((process.env.DAX_BACKEND as 'auto') ?? 'auto');
  // DAX_BENCH_AUDIO_ONLY=1 runs and rewrites only docs/benchmarks-audio.md; DAX_BENCH_AUDIO=0 skips it.
  if (process.env.DAX_BENCH_AUDIO_ONLY === '1') return runAudio(backend.name, true);
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
  print(`# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine(backend.name)}). Figures from one run on a shared machine: compare ratios, not absolute times.`);
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
  if (process.env.DAX_BENCH_COMPARE !== '0') print('\n' + (await compareOnSceneText(classifier, backend.name)));
  await classifier.dispose();
  if (process.env.DAX_BENCH_COMPARE !== '0' && process.env.DAX_BENCH_PHOTOS !== '0') print('\n' + (await compareOnPhotos(backend.name)));
  print('\n' + AUDIO_POINTER);
  // A partial run (presets or comparison switched off) prints but does not overwrite the committed figures.
  const partial = process.env.DAX_BENCH_PRESETS || process.env.DAX_BENCH_COMPARE === '0' || process.env.DAX_BENCH_PHOTOS === '0' || process.env.DAX_BENCH_SEEDS;
  const target = process.env.DAX_BENCH_OUT ?? (partial ? '' : path.join(root, 'docs/benchmarks.md'));
  if (target) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, out.join('\n') + '\n');
    console.log(`\nwritten to ${path.relative(process.cwd(), target)}`);
  }
  if (process.env.DAX_BENCH_AUDIO !== '0') await runAudio(backend.name, false);
}

/**
 * The audio part, written to its own file (docs/benchmarks.md links to it), so that it can be rerun alone without
 * touching the image figures. A partial run prints but does not write, as above.
 */
async function runAudio(backendName: string, only: boolean): Promise<void> {
  const text = await audioBenchmarks(machine(backendName), progress);
  console.log('\n' + text);
  const partial = process.env.DAX_BENCH_PRESETS || process.env.DAX_BENCH_COMPARE === '0' || process.env.DAX_BENCH_SEEDS || process.env.DAX_BENCH_WAKEWORD === '0' || process.env.DAX_BENCH_AUDIO_BUDGET || process.env.DAX_BENCH_WAKEWORD_BUDGET;
  const target = process.env.DAX_BENCH_AUDIO_OUT ?? (partial ? '' : path.join(root, 'docs', AUDIO_DOC));
  if (!target) return;
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, text);
  console.log(`written to ${path.relative(process.cwd(), target)}`);
  // Run alone, the audio part still leaves docs/benchmarks.md pointing to it (the full run writes the pointer).
  const images = path.join(root, 'docs/benchmarks.md');
  if (only && !process.env.DAX_BENCH_AUDIO_OUT) {
    const current = await readFile(images, 'utf8').catch(() => '');
    if (current && !current.includes(`](${AUDIO_DOC})`)) await writeFile(images, current.replace(/\n*$/, '\n\n') + AUDIO_POINTER);
  }
}

/**
 * Every method at the same query budget on the real scene-text photos with pixel masks (the six the model
 * classifies correctly), and RISE at its usual 4000 masks. Means over photos and seeds.
 */
async function compareOnSceneText(classifier: ImageClassifier, backendName: string): Promise<string> {
  const budget = Number(process.env.DAX_BENCH_BUDGET ?? 1000);
  const seeds = (process.env.DAX_BENCH_SEEDS ?? '0,1').split(',').map(Number);
  const stems = ['word2', 'word2-180', 'word3', 'word3-180', 'word4', 'word4-180'];
  const cases: BenchCase[] = stems.map((stem) => ({ file: path.join(root, 'test/fixtures/scenetext', `${stem}.jpg`), maskFile: path.join(root, 'test/fixtures/scenetext', `${stem}.mask.png`) }));
  const faithfulness = { steps: 32, substrate: 'blur' as const, queryBatchSize: 64 };
  const rows = await compareOnCases(classifier, cases, seeds, [{ suffix: '', methods: METHOD_NAMES, budget }, { suffix: ' (4000 masks)', methods: ['rise'], budget: 4000 }], faithfulness, progress);
  return tabulate(
    rows,
    'Text direction on real scene-text photos',
    `The text-direction classifier; ${stems.length} real scene-text photos with pixel text masks (test/fixtures/scenetext) x seeds ${seeds.join(', ')}; ` +
      `${budget} queries per method (RISE also at 4000); deletion/insertion: ${faithfulness.steps} steps, blurred substrate; ` +
      `top-k IoU: the most salient pixels, as many as there are text pixels; DAX preset balanced on ${backendName}. Means.`,
  );
}

/**
 * A general photo model: the CenterNet COCO detector used as an 80-class image scorer, on real photos with boxes
 * annotated for this project (bench/photos). At ~0.2 s per query on CPU it gets a smaller budget and one seed.
 */
async function compareOnPhotos(backendName: string): Promise<string> {
  const budget = Number(process.env.DAX_BENCH_PHOTO_BUDGET ?? 300);
  const photos = path.join(root, 'bench/photos');
  const { cases: annotated } = JSON.parse(await readFile(path.join(photos, 'boxes.json'), 'utf8')) as { cases: { file: string; label: string; boxes: number[][] }[] };
  const maskDir = await mkdtemp(path.join(os.tmpdir(), 'dax-bench-masks-'));
  const cases: BenchCase[] = [];
  for (const [i, entry] of annotated.entries()) {
    const file = path.join(photos, entry.file);
    const { width, height } = await sharp(file).metadata();
    const maskFile = path.join(maskDir, `${i}.png`);
    await sharp({ create: { width: width!, height: height!, channels: 3, background: '#000' } })
      .composite(entry.boxes.map(([x0, y0, x1, y1]) => ({ input: { create: { width: x1! - x0!, height: y1! - y0!, channels: 3 as const, background: '#fff' } }, left: x0!, top: y0! })))
      .png()
      .toFile(maskFile);
    cases.push({ file, maskFile, target: entry.label });
  }
  const classifier = await openClassifier(await loadModelConfig(path.join(photos, 'coco-detector.model.json')));
  const faithfulness = { steps: 16, substrate: 'blur' as const, queryBatchSize: 1 };
  try {
    const rows = await compareOnCases(classifier, cases, [0], [{ suffix: '', methods: METHOD_NAMES, budget }], faithfulness, progress);
    return tabulate(
      rows,
      'COCO classes on real photos',
      `${classifier.description}; ${cases.length} cases on ${new Set(annotated.map((c) => c.file)).size} real photos (bench/photos, boxes in boxes.json; ` +
        `the class to explain is given, e.g. "bicycle" and "dog" in the same photo), seed 0; ${budget} queries per method; ` +
        `deletion/insertion: ${faithfulness.steps} steps, blurred substrate; top-k IoU: as many pixels as the boxes cover; DAX preset balanced on ${backendName}. Means.`,
    );
  } finally {
    await classifier.dispose();
  }
}

function progress(line: string): void {
  process.stderr.write(line + '\n');
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
