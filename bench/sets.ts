// The benchmark's sets: real models on real inputs, each with the budgets, seeds and curve steps it is run at,
// and the fixed subset `npm run bench:quick` takes of it. Cases come from the JSON beside the assets, so adding a
// photo or a clip is a data change, not a code change.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { TimeInterval } from '../src/shared/report';

const root = path.join(__dirname, '..');

/** One input: a file, the class to explain, and the truth where it is known (a pixel mask, or an interval). */
export interface BenchCase {
  /** Stable across runs: the set and the file (and the class, where one file has several cases). */
  id: string;
  file: string;
  target: string;
  maskFile?: string;
  interval?: TimeInterval;
}

export type Mode = 'full' | 'quick';

/** How a set is run in one mode: each budget with its seeds (a second seed measures agreement between seeds). */
export interface SetPlan {
  runs: { budget: number; seeds: number[] }[];
  /** Points per deletion/insertion curve minus one. */
  steps: number;
}

export interface BenchSet {
  id: string;
  title: string;
  modality: 'image' | 'audio';
  /** Model description, relative to the repository. */
  model: string;
  /** Where the cases and their licences are, for the document. */
  source: string;
  /** What the ground truth is, or that there is none. */
  truth: string;
  /** Skip a case whose class is not the model's top-1 on the input (a wrong answer has no evidence to find). */
  requireTop1: boolean;
  full: SetPlan;
  quick: SetPlan & { cases: number };
  /** Rough seconds per case at the full plan on one core, to start the longest units first. */
  costPerCase: number;
  /** At most this many cases in the full run (evenly spread, as the quick subset), to keep it within the hour. */
  maxCases?: number;
  cases(): Promise<BenchCase[]>;
}

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/** Scene-text crops: `<stem>.jpg` with `<stem>.mask.png`; the class is "180" for the rotated copies, else "0". */
async function sceneTextCases(): Promise<BenchCase[]> {
  const fixtures = path.join(root, 'test/fixtures/scenetext');
  const stems = [1, 2, 3, 4, 5].flatMap((i) => [`word${i}`, `word${i}-180`]);
  const cases: BenchCase[] = stems.map((stem) => ({
    id: `fixtures/${stem}`,
    file: path.join(fixtures, `${stem}.jpg`),
    maskFile: path.join(fixtures, `${stem}.mask.png`),
    target: stem.endsWith('-180') ? '180' : '0',
  }));
  const extra = path.join(root, 'bench/sets/scenetext/cases.json');
  if (existsSync(extra)) {
    const { cases: listed } = await readJson<{ cases: { file: string; mask: string; label: string }[] }>(extra);
    for (const entry of listed) {
      cases.push({
        id: `sets/${path.parse(entry.file).name}`,
        file: path.resolve(path.dirname(extra), entry.file),
        maskFile: path.resolve(path.dirname(extra), entry.mask),
        target: entry.label,
      });
    }
  }
  return cases;
}

/** Photos with boxes annotated by hand; the mask of a case is the union of its boxes, drawn once into a temp folder. */
async function boxCases(listFile: string): Promise<BenchCase[]> {
  const { cases: annotated } = await readJson<{ cases: { file: string; label: string; boxes: number[][] }[] }>(
    listFile,
  );
  const masks = path.join(os.tmpdir(), 'dax-bench-masks');
  await mkdir(masks, { recursive: true });
  const cases: BenchCase[] = [];
  for (const entry of annotated) {
    const file = path.resolve(path.dirname(listFile), entry.file);
    const id = `${path.parse(file).name}:${entry.label}`;
    const { width, height } = await sharp(file).metadata();
    const maskFile = path.join(masks, `${id.replace(/[^a-z0-9]+/gi, '-')}-${width}x${height}.png`);
    await sharp({ create: { width: width!, height: height!, channels: 3, background: '#000' } })
      .composite(
        entry.boxes.map(([x0, y0, x1, y1]) => ({
          input: { create: { width: x1! - x0!, height: y1! - y0!, channels: 3 as const, background: '#fff' } },
          left: x0!,
          top: y0!,
        })),
      )
      .png()
      .toFile(maskFile);
    cases.push({ id, file, maskFile, target: entry.label });
  }
  return cases;
}

/** Photos without ground truth (deletion and insertion only). */
async function labelledCases(listFile: string): Promise<BenchCase[]> {
  if (!existsSync(listFile)) return [];
  const { cases } = await readJson<{ cases: { file: string; label: string }[] }>(listFile);
  return cases.map((entry) => ({
    id: `${path.parse(entry.file).name}:${entry.label}`,
    file: path.resolve(path.dirname(listFile), entry.file),
    target: entry.label,
  }));
}

/** Clips with the interval of the evidence: the fixtures' clips, then the benchmark's own. */
async function clipCases(folders: string[], target: string): Promise<BenchCase[]> {
  const cases: BenchCase[] = [];
  for (const folder of folders) {
    const list = path.join(root, folder, 'clips.json');
    if (!existsSync(list)) continue;
    for (const entry of await readJson<{ file: string; start: number; end: number }[]>(list)) {
      cases.push({
        id: `${folder.split('/')[0]}/${path.parse(entry.file).name}`,
        file: path.join(root, folder, entry.file),
        target,
        interval: { start: entry.start, end: entry.end },
      });
    }
  }
  return cases;
}

const cocoList = (): string => {
  const sets = path.join(root, 'bench/sets/coco/boxes.json');
  return existsSync(sets) ? sets : path.join(root, 'bench/photos/boxes.json');
};

export const SETS: BenchSet[] = [
  {
    id: 'scenetext',
    title: 'Text direction on real scene-text photos',
    modality: 'image',
    model: 'examples/text-direction.model.json',
    source:
      'test/fixtures/scenetext and bench/sets/scenetext (crops of opencv-doc street photos, upright and rotated by 180°)',
    truth: 'pixel masks of the text',
    requireTop1: true,
    full: {
      runs: [
        { budget: 500, seeds: [0, 1] },
        { budget: 1000, seeds: [0] },
      ],
      steps: 32,
    },
    quick: { runs: [{ budget: 500, seeds: [0] }], steps: 32, cases: 6 },
    maxCases: 24,
    costPerCase: 60,
    cases: sceneTextCases,
  },
  {
    id: 'coco',
    title: 'COCO classes on real photos (CenterNet)',
    modality: 'image',
    model: 'bench/photos/coco-detector.model.json',
    source:
      'bench/photos and bench/sets/coco (Debian darknet, scikit-image and opencv-doc photos; boxes annotated by hand)',
    truth: 'the union of the boxes of the explained class',
    // A photo shows several classes at once (a dog and a bicycle): each case names its class.
    requireTop1: false,
    // ~0.17 s per query with both cores busy: the expensive black box of the benchmark gets a small budget and short
    // curves, and 20 of its 27 cases in the full run (~75 s of queries per case for the four methods, ~12 minutes).
    full: { runs: [{ budget: 100, seeds: [0] }], steps: 8 },
    quick: { runs: [{ budget: 100, seeds: [0] }], steps: 8, cases: 3 },
    maxCases: 20,
    costPerCase: 120,
    cases: () => boxCases(cocoList()),
  },
  {
    id: 'nsfw',
    title: 'Content classes on ordinary photos (nsfwjs MobileNetV2)',
    modality: 'image',
    model: 'bench/sets/nsfw/mobilenet.model.json',
    source:
      'bench/sets/nsfw (photos of bench/photos and bench/sets/coco, and Debian opencv-doc and scikit-image photos; ImageNet-pretrained MobileNetV2 from npm nsfwjs, extracted by scripts/fixtures/extractNsfwModel.mjs)',
    truth:
      "none (deletion and insertion only); each case's class is the model's top-1 on the photo (Neutral or Drawing)",
    requireTop1: true,
    // ~70 ms per query with both cores busy (wasm): one budget, and 8 of the 17 cases in the full run (cases.json's
    // order decides; ~140 s per case for the four methods, ~10 minutes), 2 in the quick one (which stays within 10).
    full: { runs: [{ budget: 500, seeds: [0] }], steps: 16 },
    quick: { runs: [{ budget: 500, seeds: [0] }], steps: 16, cases: 2 },
    maxCases: 8,
    costPerCase: 230,
    cases: async () => {
      // The model's files are not committed: they are extracted from the nsfwjs package (a dev dependency) once.
      if (!existsSync(path.join(root, 'bench/sets/nsfw/model/model.json')))
        execFileSync(process.execPath, [path.join(root, 'scripts/fixtures/extractNsfwModel.mjs')], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
      return labelledCases(path.join(root, 'bench/sets/nsfw/cases.json'));
    },
  },
  {
    id: 'speech',
    title: 'Speech activity (Silero VAD) on speech in noise',
    modality: 'audio',
    model: 'examples/speech/speech-activity.model.json',
    source: 'test/fixtures/speech and bench/sets/speech (espeak-ng voices in pink noise, scripts/fixtures)',
    truth: 'the interval of the phrase',
    requireTop1: false,
    full: {
      runs: [
        { budget: 500, seeds: [0] },
        { budget: 1000, seeds: [0] },
      ],
      steps: 32,
    },
    quick: { runs: [{ budget: 500, seeds: [0] }], steps: 32, cases: 2 },
    costPerCase: 120,
    cases: () => clipCases(['test/fixtures/speech', 'bench/sets/speech'], 'speech'),
  },
  {
    id: 'wakeword',
    title: 'Wake word "hey jarvis" (openWakeWord) in longer sentences',
    modality: 'audio',
    model: 'test/fixtures/wakeword/hey-jarvis.model.json',
    source: 'test/fixtures/wakeword and bench/sets/wakeword (espeak-ng voices in pink noise, scripts/fixtures)',
    truth: 'the interval of "hey jarvis"',
    requireTop1: false,
    // The mel → embedding → head chain answers in ~40-110 ms per clip: 300 queries keep the set within minutes.
    full: { runs: [{ budget: 300, seeds: [0] }], steps: 16 },
    quick: { runs: [{ budget: 300, seeds: [0] }], steps: 16, cases: 2 },
    costPerCase: 200,
    cases: () => clipCases(['test/fixtures/wakeword', 'bench/sets/wakeword'], 'hey jarvis'),
  },
];

/** The quick subset: `count` cases evenly spread over the set's list, so it keeps the set's variety. */
export function quickSubset<T>(cases: readonly T[], count: number): T[] {
  if (cases.length <= count) return [...cases];
  return Array.from({ length: count }, (_, i) => cases[Math.floor(((i + 0.5) * cases.length) / count)]!);
}

export function planOf(set: BenchSet, mode: Mode): SetPlan {
  return mode === 'quick' ? set.quick : set.full;
}
