// The audio part of `npm run bench`: DAX on sounds, per preset (time querying vs training, and the time IoU of a
// full-band time-segment occlusion at the same number of queries), then every method at one budget on real clips
// with known intervals (time IoU of the top interval, deletion and insertion AUC over the spectrogram's cells,
// queries, wall time) and the DAX / baseline ratios. Figures, not pass/fail.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { AudioClassifier } from '../src/engine/blackbox/classifier';
import { loadModelConfig } from '../src/engine/blackbox/modelConfig';
import { openAudioClassifier } from '../src/engine/blackbox/openAudioClassifier';
import { explainAudio } from '../src/engine/explainAudio';
import { PRESETS, type PresetName } from '../src/engine/methods/dax/presets';
import { METHOD_NAMES, methodForBudget, type MethodName } from '../src/engine/methods/method';
import type { ExplanationReport, TimeInterval } from '../src/shared/report';

const root = path.join(__dirname, '..');

/** The file the audio section is written to, and the pointer docs/benchmarks.md carries to it. */
export const AUDIO_DOC = 'benchmarks-audio.md';
export const AUDIO_POINTER = `## Audio\n\nSounds (speech activity and a wake word on clips with known intervals): [${AUDIO_DOC}](${AUDIO_DOC}), written by the same \`npm run bench\` (\`DAX_BENCH_AUDIO_ONLY=1\` runs and rewrites only that part).\n`;

/** One real clip with the interval where the evidence is. */
interface Clip {
  file: string;
  truth: TimeInterval;
}

/** A model with its clips and the budget every method gets on them. */
interface AudioSet {
  title: string;
  model: string;
  fixtures: string;
  target: string;
  budget: number;
}

const SPEECH: AudioSet = {
  title: 'Speech activity (Silero VAD) on speech in noise',
  model: 'examples/speech/speech-activity.model.json',
  fixtures: 'test/fixtures/speech',
  target: 'speech',
  budget: Number(process.env.DAX_BENCH_AUDIO_BUDGET ?? 1000),
};

const WAKE_WORD: AudioSet = {
  title: 'Wake word "hey jarvis" (openWakeWord) in longer sentences',
  model: 'test/fixtures/wakeword/hey-jarvis.model.json',
  fixtures: 'test/fixtures/wakeword',
  target: 'hey jarvis',
  // The mel → embedding → head chain answers in ~40-110 ms per clip: half the budget keeps the run in minutes.
  budget: Number(process.env.DAX_BENCH_WAKEWORD_BUDGET ?? 500),
};

/** Deletion/insertion over the spectrogram's cells: silence as substrate, 32 steps as for the photos. */
const FAITHFULNESS = { steps: 32, queryBatchSize: 64 };

interface Row {
  queries: number[];
  timeIou: number[];
  deletion: number[];
  insertion: number[];
  ms: number[];
}

/** The model's description without this checkout's absolute path, so the committed document reads the same anywhere. */
const describe = (classifier: AudioClassifier): string => classifier.description.split(root + path.sep).join('');
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Runs the audio benchmark and returns its Markdown (title included). `machine` is the run's machine line from
 * bench/run.ts, so both documents describe the machine alike.
 */
export async function audioBenchmarks(machine: string, log: (line: string) => void = () => undefined): Promise<string> {
  const started = performance.now();
  const presets = (process.env.DAX_BENCH_PRESETS?.split(',').filter(Boolean) ?? ['fast', 'balanced', 'thorough']) as PresetName[];
  const seeds = (process.env.DAX_BENCH_SEEDS ?? '0,1').split(',').map(Number);
  const out = [
    '# Benchmarks: audio',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${machine}). Figures from one run on a shared machine: compare ratios, not absolute times. The image benchmarks are in [benchmarks.md](benchmarks.md).`,
    '',
  ];
  const speech = await openAudioClassifier(await loadModelConfig(path.join(root, SPEECH.model)));
  try {
    const clips = await readClips(SPEECH.fixtures);
    out.push(await presetTable(speech, clips[0]!, presets, log));
    if (process.env.DAX_BENCH_COMPARE !== '0') out.push(await methodTable(speech, SPEECH, clips, seeds, log));
  } finally {
    await speech.dispose();
  }
  if (process.env.DAX_BENCH_COMPARE !== '0' && process.env.DAX_BENCH_WAKEWORD !== '0') {
    const wake = await openAudioClassifier(await loadModelConfig(path.join(root, WAKE_WORD.model)));
    try {
      out.push(await methodTable(wake, WAKE_WORD, await readClips(WAKE_WORD.fixtures), seeds, log));
    } finally {
      await wake.dispose();
    }
  }
  out.push(`The audio part took ${((performance.now() - started) / 60000).toFixed(1)} minutes.`);
  return out.join('\n') + '\n';
}

async function readClips(fixtures: string): Promise<Clip[]> {
  const dir = path.join(root, fixtures);
  const entries = JSON.parse(await readFile(path.join(dir, 'clips.json'), 'utf8')) as { file: string; start: number; end: number }[];
  return entries.map((entry) => ({ file: path.join(dir, entry.file), truth: { start: entry.start, end: entry.end } }));
}

/** One explanation of a clip; `faithful` also measures deletion and insertion (its queries are not counted). */
async function explainClip(classifier: AudioClassifier, clip: Clip, method: MethodName, budget: number, preset: PresetName, seed: number, target: string, faithful: boolean): Promise<ExplanationReport> {
  const settings = { ...PRESETS[preset], samples: budget };
  const { report } = await explainAudio({
    audioFile: clip.file,
    classifier,
    method: methodForBudget(method, budget, settings),
    preset: method === 'dax' ? preset : 'custom',
    seed,
    target,
    groundTruth: clip.truth,
    faithfulness: faithful ? FAITHFULNESS : undefined,
  });
  if (report.target.label !== target) throw new Error(`${clip.file}: explained "${report.target.label}", not "${target}"`);
  return report;
}

/** Wall time of the explanation itself: its faithfulness measurement runs in the finishing phase, left out. */
const explanationMs = (report: ExplanationReport): number => report.timing.totalMs - report.timing.finishMs;

/** DAX's presets on one clip: where the time goes, and its time IoU against occlusion's at the same queries. */
async function presetTable(classifier: AudioClassifier, clip: Clip, presets: readonly PresetName[], log: (line: string) => void): Promise<string> {
  // Warm the black box up (its sessions open on the first call), so that no row pays for it.
  await explainClip(classifier, clip, 'occlusion', 20, 'fast', 0, SPEECH.target, false);
  const lines = [
    '## Time per explanation (DAX presets, sounds)',
    '',
    `${describe(classifier)}; one 3-second clip (${path.relative(root, clip.file)}, speech at ${clip.truth.start}-${clip.truth.end} s in pink noise), seed 0. ` +
      'Query s is the whole query phase (re-synthesising each masked clip and the model); model s is the black box alone within it. ' +
      'Time IoU: the top interval of the map against the speech interval. Occlusion: full-band time segments (0.2 s) given the same number of queries; at its finest stride (one frame) it needs only the queries shown, so a larger budget cannot refine it.',
    '',
    '| preset | queries | query s | model s | query / model | train s | total s | steps | epochs | time IoU ↑ | occlusion queries | occlusion time IoU ↑ | backend |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const preset of presets) {
    const budget = PRESETS[preset].samples;
    const dax = await explainClip(classifier, clip, 'dax', budget, preset, 0, SPEECH.target, false);
    const occlusion = await explainClip(classifier, clip, 'occlusion', budget, preset, 0, SPEECH.target, false);
    const t = dax.timing;
    log(`  audio preset ${preset}: ${seconds(t.totalMs)} s, time IoU ${dax.audio!.groundTruth!.timeIou.toFixed(3)} (occlusion ${occlusion.audio!.groundTruth!.timeIou.toFixed(3)})`);
    lines.push(
      `| ${preset} | ${dax.queries} | ${seconds(t.queryMs)} | ${seconds(t.modelMs)} | ${(t.queryMs / t.modelMs).toFixed(2)} | ${seconds(t.trainMs)} | ${seconds(t.totalMs)} | ${dax.trainingSteps} | ${dax.epochs}${dax.stoppedEarly ? ' (early stop)' : ''} | ${dax.audio!.groundTruth!.timeIou.toFixed(3)} | ${occlusion.queries} | ${occlusion.audio!.groundTruth!.timeIou.toFixed(3)} | ${dax.backend.name} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * Every method at the set's budget on each clip: DAX once per seed, the baselines once (with the first seed; RISE
 * and LIME at a second seed would add ~25 % to the run, the wake word's queries being slow).
 */
async function methodTable(classifier: AudioClassifier, set: AudioSet, clips: readonly Clip[], seeds: readonly number[], log: (line: string) => void): Promise<string> {
  const rows = new Map<MethodName, Row>(METHOD_NAMES.map((method) => [method, { queries: [], timeIou: [], deletion: [], insertion: [], ms: [] }]));
  for (const clip of clips) {
    for (const method of METHOD_NAMES) {
      for (const seed of method === 'dax' ? seeds : [seeds[0]!]) {
        const report = await explainClip(classifier, clip, method, set.budget, 'balanced', seed, set.target, true);
        const row = rows.get(method)!;
        row.queries.push(report.queries);
        row.timeIou.push(report.audio!.groundTruth!.timeIou);
        row.deletion.push(report.faithfulness!.deletionAuc);
        row.insertion.push(report.faithfulness!.insertionAuc);
        row.ms.push(explanationMs(report));
        const top = report.audio!.intervals[0];
        log(
          `  ${path.basename(clip.file)} seed ${seed} ${method}: time IoU ${report.audio!.groundTruth!.timeIou.toFixed(3)} (top ${top ? `${top.start.toFixed(2)}-${top.end.toFixed(2)}` : 'none'} s, truth ${clip.truth.start}-${clip.truth.end}), ` +
            `deletion ${report.faithfulness!.deletionAuc.toFixed(3)}, insertion ${report.faithfulness!.insertionAuc.toFixed(3)}, ${seconds(explanationMs(report))} s`,
        );
      }
    }
  }
  const lines = [
    `## ${set.title}`,
    '',
    `${describe(classifier)}; ${clips.length} real clips with the "${set.target}" interval known (${set.fixtures}/clips.json); ` +
      `${set.budget} queries per method; DAX preset balanced with seeds ${seeds.join(', ')}, the baselines with seed ${seeds[0]} (occlusion: full-band time segments, deterministic). ` +
      `Time IoU: the map's top interval against the known interval. Deletion/insertion AUC: the "${set.target}" probability as the spectrogram's cells are silenced (deletion; lower is better) ` +
      `or restored onto silence (insertion; higher is better) in the map's order, ${FAITHFULNESS.steps} steps. Wall time: the explanation alone, not its deletion/insertion curves. Means.`,
    '',
    '| method | queries | time IoU ↑ | deletion AUC ↓ | insertion AUC ↑ | s per explanation |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, row] of rows) {
    lines.push(`| ${name} | ${Math.round(mean(row.queries))} | ${mean(row.timeIou).toFixed(3)} | ${mean(row.deletion).toFixed(3)} | ${mean(row.insertion).toFixed(3)} | ${seconds(mean(row.ms))} |`);
  }
  const dax = rows.get('dax')!;
  const ratio = (a: number[], b: number[]): string => (mean(b) === 0 ? '–' : (mean(a) / mean(b)).toFixed(2));
  lines.push('', 'DAX / baseline (deletion and time: below 1 favours DAX; time IoU and insertion: above 1 favours DAX):', '');
  lines.push('| baseline | time IoU | deletion AUC | insertion AUC | time |', '|---|---|---|---|---|');
  for (const [name, row] of rows) {
    if (name !== 'dax') lines.push(`| ${name} | ${ratio(dax.timeIou, row.timeIou)} | ${ratio(dax.deletion, row.deletion)} | ${ratio(dax.insertion, row.insertion)} | ${ratio(dax.ms, row.ms)} |`);
  }
  return lines.join('\n') + '\n';
}
