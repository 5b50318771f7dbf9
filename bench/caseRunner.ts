// One case of a set, every method at every budget and seed of the plan, each map scored the same way: the
// explanation alone is timed; its deletion and insertion curves (both substrates) and its IoUs come after.
import type { AudioClassifier, BlackBox, ImageClassifier } from '../src/engine/blackbox/classifier';
import { explainAudio } from '../src/engine/explainAudio';
import { explainImage } from '../src/engine/explainImage';
import { decodeImage, decodeMask } from '../src/engine/io/image';
import { PRESETS, type DaxSettings } from '../src/engine/methods/dax/presets';
import { METHOD_NAMES, methodForBudget, type MethodName } from '../src/engine/methods/registry';
import { measureCellFaithfulness, measureFaithfulness } from '../src/engine/metrics/faithfulness';
import { bestIou, iouAtThreshold, iouOfTopFraction, pointingHit } from '../src/engine/metrics/groundTruth';
import { buildScene } from '../src/engine/perturbation/scene';
import type { ExplanationReport } from '../src/shared/report';
import type { AnswerCounts } from './answerStore';
import type { AgreementRecord, CaseRecord, Metrics, SkippedCase } from './records';
import type { BenchCase, BenchSet, SetPlan } from './sets';
import { methodTrains } from '../src/shared/methods';

export interface CaseOutcome {
  records: CaseRecord[];
  agreements: AgreementRecord[];
  skipped?: SkippedCase;
}

export interface CaseContext {
  set: BenchSet;
  plan: SetPlan;
  blackBox: BlackBox;
  counts: AnswerCounts;
  /** DAX's settings: the balanced preset, with the run's overrides. */
  dax: DaxSettings;
  methods: readonly MethodName[];
}

/** Share of the top pixels (or cells) two maps are compared on when there is no mask to size k by. */
const DEFAULT_TOP_SHARE = 0.1;
const QUERY_BATCH = 64;

export async function runCase(context: CaseContext, testCase: BenchCase): Promise<CaseOutcome> {
  const { set, plan } = context;
  const mask = await caseMask(context, testCase);
  if (set.requireTop1 && set.modality === 'image') {
    const wrong = await notTopOne(context.blackBox as ImageClassifier, testCase);
    if (wrong) return { records: [], agreements: [], skipped: { set: set.id, case: testCase.id, reason: wrong } };
  }
  const topShare = mask ? mask.reduce((a, b) => a + b, 0) / mask.length : DEFAULT_TOP_SHARE;
  const records: CaseRecord[] = [];
  const agreements: AgreementRecord[] = [];
  for (const { budget, seeds } of plan.runs) {
    const maps = new Map<string, Float32Array[]>();
    for (const seed of seeds) {
      for (const method of context.methods) {
        const { record, saliency } = await runMethodOnCase(context, testCase, method, budget, seed, mask, topShare);
        records.push(record);
        maps.set(method, [...(maps.get(method) ?? []), saliency]);
      }
    }
    for (const [method, [first, second]] of maps) {
      if (!first || !second) continue;
      agreements.push({
        set: set.id,
        case: testCase.id,
        budget,
        method,
        seeds: [seeds[0]!, seeds[1]!],
        topIou: iouOfTopFraction(first, topMask(second, topShare), topShare),
      });
    }
  }
  return { records, agreements };
}

async function runMethodOnCase(
  context: CaseContext,
  testCase: BenchCase,
  method: MethodName,
  budget: number,
  seed: number,
  mask: Uint8Array | undefined,
  topShare: number,
): Promise<{ record: CaseRecord; saliency: Float32Array }> {
  const { set, plan, counts } = context;
  const spec = methodForBudget(method, budget, context.dax);
  const preset = methodTrains(method) ? 'balanced' : 'custom';
  const cachedBefore = counts.cached;
  const curves = { steps: plan.steps, queryBatchSize: QUERY_BATCH };
  let report: ExplanationReport;
  let saliency: Float32Array;
  const metrics: Partial<Metrics> = {};
  if (set.modality === 'image') {
    const classifier = context.blackBox as ImageClassifier;
    const explanation = await explainImage({
      imageFile: testCase.file,
      classifier,
      method: spec,
      preset,
      seed,
      target: testCase.target,
    });
    ({ report, saliency } = explanation);
    const cached = counts.cached - cachedBefore;
    const blur = await measureFaithfulness(explanation.scene, classifier, saliency, report.target.index, {
      ...curves,
      substrate: 'blur',
    });
    const zero = await measureFaithfulness(explanation.scene, classifier, saliency, report.target.index, {
      ...curves,
      substrate: 'zero',
    });
    Object.assign(metrics, {
      deletionBlur: blur.deletionAuc,
      insertionBlur: blur.insertionAuc,
      deletionZero: zero.deletionAuc,
      insertionZero: zero.insertionAuc,
    });
    if (mask) {
      Object.assign(metrics, {
        topkIou: iouOfTopFraction(saliency, mask, topShare),
        bestIou: bestIou(saliency, mask).iou,
        iouAt02: iouAtThreshold(saliency, mask, 0.2),
        pointing: pointingHit(saliency, mask) ? 1 : 0,
      });
    }
    return { record: recordOf(context, testCase, method, budget, seed, report, metrics as Metrics, cached), saliency };
  }
  const classifier = context.blackBox as AudioClassifier;
  const explanation = await explainAudio({
    audioFile: testCase.file,
    classifier,
    method: spec,
    preset,
    seed,
    target: testCase.target,
    groundTruth: testCase.interval,
  });
  ({ report, saliency } = explanation);
  const cached = counts.cached - cachedBefore;
  if (report.target.label !== testCase.target)
    throw new Error(`${testCase.file}: explained "${report.target.label}", not "${testCase.target}"`);
  const cells = await measureCellFaithfulness(explanation.scene, classifier, saliency, report.target.index, curves);
  Object.assign(metrics, {
    deletionZero: cells.deletionAuc,
    insertionZero: cells.insertionAuc,
    timeIou: explanation.findings.groundTruth?.timeIou,
  });
  return { record: recordOf(context, testCase, method, budget, seed, report, metrics as Metrics, cached), saliency };
}

function recordOf(
  context: CaseContext,
  testCase: BenchCase,
  method: MethodName,
  budget: number,
  seed: number,
  report: ExplanationReport,
  metrics: Metrics,
  cachedQueries: number,
): CaseRecord {
  const t = report.timing;
  return {
    set: context.set.id,
    case: testCase.id,
    budget,
    seed,
    method,
    target: report.target.label ?? String(report.target.index),
    probability: report.target.probability,
    metrics,
    queries: report.queries,
    wallMs: t.totalMs - t.finishMs,
    queryMs: t.queryMs,
    modelMs: t.modelMs,
    trainMs: report.training?.ms ?? 0,
    trainingSteps: report.training?.steps ?? 0,
    backend: report.backend.name,
    cachedQueries,
    ...(typeof report.config.mapReadout === 'string' ? { readout: report.config.mapReadout } : {}),
  };
}

async function caseMask(context: CaseContext, testCase: BenchCase): Promise<Uint8Array | undefined> {
  if (!testCase.maskFile || context.set.modality !== 'image') return undefined;
  const { width, height } = await decodeImage(testCase.file);
  return decodeMask(testCase.maskFile, width, height);
}

/** Why the case is left out when the model's top-1 class on the input is not the case's class; else undefined. */
async function notTopOne(classifier: ImageClassifier, testCase: BenchCase): Promise<string | undefined> {
  const scene = await buildScene(await decodeImage(testCase.file), classifier, PRESETS.balanced.perturbation);
  const [probabilities] = await classifier.classify({ images: [scene.model.original], padding: scene.model.padding });
  let best = 0;
  for (let i = 1; i < probabilities!.length; i++) if (probabilities![i]! > probabilities![best]!) best = i;
  const label = classifier.labels?.[best] ?? String(best);
  return label === testCase.target
    ? undefined
    : `the model answers "${label}" (${probabilities![best]!.toFixed(2)}), not "${testCase.target}"`;
}

/** The `share` most salient entries of a map as a 0/1 mask. */
function topMask(map: Float32Array, share: number): Uint8Array {
  const count = Math.max(1, Math.round(map.length * share));
  const order = Array.from(map.keys()).sort((a, b) => map[b]! - map[a]! || a - b);
  const out = new Uint8Array(map.length);
  for (let i = 0; i < count; i++) out[order[i]!] = 1;
  return out;
}

export { METHOD_NAMES };
