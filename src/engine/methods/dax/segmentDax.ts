// DAX over the perturbation's own units (segments of an image, cells of a spectrogram), with the mask found
// through the student by the question the metrics ask.
//
// Why not pixels: every query switches whole segments, so a pixel-level student can only learn what the
// segments' on/off pattern tells it, at ~100 ms per training step on a CPU; the pixel map was averaged back over
// the segments anyway. Here the student S imitates the black box as a function of the segments' keep vector
// z ∈ [0,1]^K (a linear path plus one hidden ReLU layer, so that it can learn "either word suffices"), and a mask
// m is then optimised through S for several areas a, as extremal perturbations do (Fong et al. 2019) with a
// differentiable stand-in for the black box (Dabkowski & Gal 2017): keep S(m) high and push S(1 − m) low while
// mean(m) ≈ a. The map is Σ_a m_a: a segment inside the smallest sufficient masks ranks first.
//
// Active distillation: part of the budget is spent in rounds on copies built from the current map (its deletion
// and insertion orders, i.e. the copies the map will be judged on), so the student learns where it matters and
// the mask is corrected where the student was wrong. The first copies keep each segment with a probability
// drawn per copy from [0.1, 0.9], not a fixed 0.5, so that the student sees every density a deletion curve
// passes through.
import type { BlackBox } from '../../blackbox/classifier';
import { throwIfCancelled, yieldToEventLoop } from '../../core/cancellation';
import { gaussianBlur } from '../../core/gaussianBlur';
import { minMaxNormalise } from '../../core/minMax';
import type { ProgressListener } from '../../core/progress';
import type { Rng } from '../../core/rng';
import type { Samples } from '../../perturbation/sampler';
import type { PerturbationSpace } from '../../perturbation/scene';
import { queryPatterns, runQueries, type QueryStats } from '../queryRunner';
import type { Scene } from '../../perturbation/scene';
import { substrateCanvas } from '../../perturbation/substrate';
import type { DaxOutcome } from './daxMethod';
import type { DaxSettings } from './presets';
import { descendingRanks, judgeMaps, type MapCandidate } from './mapJudge';
import { fitLinear, LogitAdam, SegmentStudent } from './segmentStudent';
import {
  buildLayers,
  keptPixels,
  layeredSpace,
  pixelMap,
  unitEdges,
  type LayerKind,
  type UnitEdges,
  type UnitLayers,
} from './segmentLayers';
import { logOdds, median, SPARSE_MEDIAN, stretchedLogOdds, type LossRecord, type TrainingResult } from './trainDax';

/** Knobs of the segment-space variant (presets.ts holds the defaults). */
export interface SegmentDaxOptions {
  /** Hidden units of the student's nonlinear path. */
  hidden: number;
  /** Adam steps of the first fit of the student, and of each refit after an active round. */
  studentSteps: number;
  refitSteps: number;
  /** Areas (shares of the segments) the masks are optimised at. */
  areas: number[];
  maskSteps: number;
  /** Share of the budget spent in active rounds, and how many rounds. */
  activeShare: number;
  rounds: number;
  /** L2 penalty on the student's weights. */
  weightDecay: number;
  /**
   * How the map is read from the student: masks optimised at fixed areas (`masks`), or the order in which a
   * greedy deletion and a greedy insertion through the student take the segments (`greedy`), or both averaged.
   */
  readout: 'masks' | 'greedy' | 'both';
  /** Partitions switched besides the perturbation's own segments (segmentLayers.ts), and the grid's cells. */
  layers: LayerKind[];
  gridCells: number;
  /** How copies switch the layers' units: all at once (a pixel survives when all keep it), or one layer per copy. */
  layerMix: 'and' | 'alternate';
  /**
   * What a removed unit of an image shows, taken in turn copy by copy: the substrates the map is judged with
   * (blur, zero), or the scene's own fill (`scene`). Sounds always use the scene's (silence).
   */
  fills: ('scene' | 'blur' | 'zero')[];
  /**
   * `sigmoid`: S is a small network with a sigmoid output, trained end to end by Adam. `ridge`: S has no output
   * nonlinearity, its linear path is fitted in closed form (LIME's ridge regression), and Adam trains only the
   * hidden path on what the linear path leaves; the linear fit is redone after each Adam phase.
   */
  student: 'sigmoid' | 'ridge';
  /** Weight of the student's first-order effects (its linear path, normalised to [0, 1]) added to the sum of the masks (each in [0, 1]). */
  linearWeight: number;
  /** Range of the share of units a first-round copy keeps. */
  densities: [number, number];
  /**
   * Weight of a smoothness prior on the masks: Σ over touching units of their shared border's share × (m_a − m_b)²,
   * so that a mask prefers whole regions to scattered units (extremal perturbations' smooth masks); 0 = none.
   */
  smoothness: number;
  /** Gaussian smoothing of the pixel map, in typical segment sides (√(pixels / segments)); 0 = none. */
  smooth: number;
  /**
   * Share of the budget spent on judging readouts of the networks through the black box (mapJudge.ts), and the
   * readouts judged: the masks' map as it is, blurred by half a segment side or by 1.5, the student's
   * first-order effects, with more than one layer the own segments' scores alone (`cells`), and on request
   * (sounds) the masks' map averaged over each time column (`time`). 0 = no judging: the map is the masks' map
   * blurred by `smooth`.
   */
  judgeShare: number;
  judgeCandidates: ReadoutKind[];
  /** How much more faithful (insertion minus deletion, on the answers' scale) a readout must be than the first. */
  judgeMargin: number;
}

export const DEFAULT_SEGMENT_DAX: SegmentDaxOptions = {
  hidden: 32,
  studentSteps: 300,
  refitSteps: 150,
  areas: [0.05, 0.1, 0.2, 0.4],
  maskSteps: 150,
  activeShare: 0.3,
  rounds: 2,
  weightDecay: 1e-3,
  readout: 'masks',
  layers: ['time'],
  gridCells: 64,
  layerMix: 'and',
  fills: ['scene'],
  student: 'sigmoid',
  linearWeight: 1e-3,
  densities: [0.1, 0.9],
  smooth: 0,
  smoothness: 0,
  judgeShare: 0.15,
  judgeCandidates: ['masks', 'smooth', 'smoother', 'first-order', 'time'],
  judgeMargin: 0.03,
};

const STUDENT_BATCH = 128;
const STUDENT_LEARNING_RATE = 0.01;
const MASK_LEARNING_RATE = 0.1;
/** Weight of the area constraint against the student's answers (both in [0, 1]): 0.1 off the area costs 0.5. */
const AREA_WEIGHT = 50;
const BINARY_WEIGHT = 0.1;
const HELD_OUT = 0.1;
/** LIME's default ridge penalty. */
const RIDGE_ALPHA = 1;

/** Runs segment-space DAX on the scene. */
export async function runSegmentDax(
  scene: PerturbationSpace,
  blackBox: BlackBox,
  settings: DaxSettings,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<DaxOutcome> {
  const options = { ...DEFAULT_SEGMENT_DAX, ...settings.segmentDax };
  const units = buildLayers(scene, options.layers, options.gridCells);
  const space = layeredSpace(scene, units);
  const edges = options.smoothness > 0 ? unitEdges(units) : undefined;
  const K = units.units;
  const total = Math.max(2, settings.samples);
  const active = options.rounds > 0 ? Math.min(total - 2, Math.round(total * options.activeShare)) : 0;
  const perRound = options.rounds > 0 ? Math.floor(active / options.rounds) : 0;
  const readouts = options.judgeCandidates.filter(
    (kind) => (kind !== 'time' || isSound(scene)) && (kind !== 'cells' || units.layers.length > 1),
  );
  const judgeFills = isSound(scene) ? 1 : JUDGE_FILLS.length;
  const judgePoints =
    readouts.length < 2
      ? 0
      : judgingPoints(total, total - perRound * options.rounds, readouts.length * judgeFills, options.judgeShare);
  const first = total - perRound * options.rounds - 2 * judgePoints * judgeFills * readouts.length;
  const patternRng = rng.fork('patterns');

  hooks.onProgress?.({ type: 'phase', phase: 'querying', message: `querying the model on ${first} perturbed copies` });
  const initial = mixedDensityPatterns(first, units, options.layerMix, options.densities, patternRng);
  const stats: QueryStats = { queries: 0, modelMs: 0, totalMs: 0 };
  const composer = await fillComposer(scene, units, options.fills);
  const queryOptions = { batchSize: settings.queryBatchSize, signal: hooks.signal, onProgress: hooks.onProgress };
  /** Asks the black box about `count` copies written by `write`, counting them in the run's query statistics. */
  const askWritten = async (
    count: number,
    write: (i: number, out: Float32Array) => unknown,
  ): Promise<Float32Array[]> => {
    const { rows, stats: s } = await runQueries(blackBox, count, write, {
      ...queryOptions,
      padding: scene.model.padding,
      inputLength: scene.model.original.length,
    });
    tally(s);
    return rows;
  };
  const tally = (s: QueryStats): void => {
    stats.queries += s.queries;
    stats.modelMs += s.modelMs;
    stats.totalMs += s.totalMs;
  };
  let asked = 0;
  const ask = async (patterns: Samples): Promise<Float32Array[]> => {
    const first = asked;
    asked += patterns.count;
    if (composer)
      return askWritten(patterns.count, (i, out) =>
        composer(patterns.keep.subarray(i * K, (i + 1) * K), first + i, out),
      );
    const { rows, stats: s } = await queryPatterns(space, blackBox, patterns, queryOptions);
    tally(s);
    return rows;
  };
  const rows = await ask(initial);
  const inputProbabilities = rows[0]!;
  const target = chooseTarget(inputProbabilities);

  let trainMs = 0;
  const keeps: Uint8Array[] = [initial.keep];
  const answers: number[] = rows.map((row) => row[target]!);
  const history: LossRecord[] = [];
  const validation: TrainingResult['validation'] = [];
  const sparse = median(Float32Array.from(answers)) < SPARSE_MEDIAN;
  const scale =
    settings.targetScale === 'logit' || (settings.targetScale === 'auto' && sparse) ? 'logit' : 'probability';
  const student = new SegmentStudent(
    K,
    options.hidden,
    rng.fork('student'),
    options.student === 'ridge' ? 'identity' : 'sigmoid',
  );
  // A tenth of the copies (never the input) is held out of every round's training, to measure fidelity.
  const holdRng = rng.fork('held-out');
  const heldOut: number[] = answers.map((_, i) => (i > 0 && holdRng.next() < HELD_OUT ? 1 : 0));
  let fidelity: StudentFidelity | undefined;
  let step = 0;
  let saliency: Float32Array = new Float32Array(K);
  const epochs = options.rounds + 1;
  for (let round = 0; round <= options.rounds; round++) {
    throwIfCancelled(hooks.signal);
    if (round > 0) {
      hooks.onProgress?.({
        type: 'phase',
        phase: 'querying',
        message: `asking the model about the map's own deletion and insertion copies (round ${round} of ${options.rounds})`,
      });
      const probes = curvePatterns(saliency, perRound, round, patternRng);
      const probeRows = await ask(probes);
      keeps.push(probes.keep);
      answers.push(...probeRows.map((row) => row[target]!));
      for (let i = 0; i < probeRows.length; i++) heldOut.push(holdRng.next() < HELD_OUT ? 1 : 0);
    }
    hooks.onProgress?.({
      type: 'phase',
      phase: 'training',
      message: `training the student and the masks over ${K} segments`,
    });
    const trainStarted = performance.now();
    const data = stack(keeps, K);
    const held = Uint8Array.from(heldOut);
    const y = scale === 'logit' ? stretchedLogOdds(Float32Array.from(answers)) : Float32Array.from(answers);
    const fitted = await fitStudent(
      student,
      data,
      y,
      held,
      round === 0 ? options.studentSteps : options.refitSteps,
      options.weightDecay,
      options.student === 'ridge',
      rng.fork(`fit${round}`),
      (loss) => {
        step++;
        history.push({ step, epoch: round + 1, total: loss, distillation: loss });
        // The panel redraws per message; every tenth step is as smooth to watch and far cheaper to send.
        if (step % 10 === 0)
          hooks.onProgress?.({
            type: 'step',
            step,
            epoch: round + 1,
            epochs,
            stepsPerEpoch: Math.max(1, options.studentSteps),
            losses: { total: loss, distillation: loss },
          });
      },
      hooks.signal,
    );
    const previous = saliency;
    saliency = readMap(student, options, edges);
    trainMs += performance.now() - trainStarted;
    const change = meanAbsoluteChange(previous, saliency);
    validation.push({ step, epoch: round + 1, validation: fitted.validationMse, maskChange: change });
    fidelity = fitted.fidelity;
    hooks.onProgress?.({
      type: 'epoch',
      epoch: round + 1,
      epochs,
      validation: fitted.validationMse,
      maskChange: change,
    });
    if (hooks.onProgress) {
      const { width, height } = units.layers[0]!;
      const values = minMaxNormalise(pixelMap(units, saliency));
      hooks.onProgress({
        type: 'map',
        epoch: round + 1,
        epochs,
        width,
        height,
        values: Uint8Array.from(values, (v) => Math.round(v * 255)),
      });
    }
    await yieldToEventLoop();
  }
  const { width, height } = scene.segmentation;
  const side = Math.sqrt((width * height) / Math.max(1, scene.segmentation.count));
  const masksMap = pixelMap(units, saliency);
  let map = gaussianBlur(masksMap, width, height, options.smooth * side);
  let readout: TrainingResult['readout'];
  if (judgePoints > 0) {
    throwIfCancelled(hooks.signal);
    const candidates: MapCandidate[] = readouts.map((kind) => ({
      name: kind,
      map: readoutMap(kind, masksMap, width, height, side, {
        firstOrder: () => pixelMap(units, minMaxNormalise(student.linear)),
        cells: () => ownLayerMap(units, saliency),
      }),
    }));
    hooks.onProgress?.({
      type: 'phase',
      phase: 'querying',
      message: `asking the model which of ${candidates.length} readouts of the networks is the most faithful`,
    });
    const fills = await pixelComposer(scene, JUDGE_FILLS);
    const judgement = await judgeMaps(
      candidates,
      judgePoints,
      judgeFills,
      async (count, write) => {
        const kept = new Uint8Array(width * height);
        const rows = await askWritten(count, (i, out) => fills(kept, write(i, kept), out));
        return rows.map((row) => (scale === 'logit' ? logOdds(row[target]!) : row[target]!));
      },
      options.judgeMargin,
    );
    map = candidates[judgement.chosen]!.map;
    readout = {
      candidates: candidates.map((c) => c.name),
      scores: judgement.scores,
      chosen: candidates[judgement.chosen]!.name,
    };
  }
  const training: TrainingResult = {
    mask: map,
    gridWidth: width,
    gridHeight: height,
    history,
    validation,
    steps: step,
    epochs,
    stoppedEarly: false,
    lambda1Effective: 0,
    targetScaleUsed: scale,
    maskReadoutUsed: 'input',
    trainMs,
    fidelity,
    ...(readout ? { readout } : {}),
  };
  return { inputProbabilities, target, query: stats, training, working: { width, height } };
}

/**
 * For an image with fills other than the scene's own: writes copy `index` of a keep vector over the units, its
 * removed pixels showing the fills in turn. Undefined where the scene's own compose applies.
 */
async function fillComposer(
  space: PerturbationSpace,
  units: UnitLayers,
  fills: SegmentDaxOptions['fills'],
): Promise<((keep: Uint8Array, index: number, out: Float32Array) => Float32Array) | undefined> {
  const scene = space as Partial<Scene>;
  if (!scene.placement || !scene.model?.sourceOf || fills.every((f) => f === 'scene')) return undefined;
  const compose = await pixelComposer(space, fills);
  const { width, height } = units.layers[0]!;
  const kept = new Uint8Array(width * height);
  return (keep, index, out) => compose(keptPixels(units, keep, kept), index % fills.length, out);
}

export type ReadoutKind = 'masks' | 'smooth' | 'smoother' | 'first-order' | 'cells' | 'time';

/** A readout's map over the units' plane, from the masks' map (`side`: a typical segment's side in pixels). */
function readoutMap(
  kind: ReadoutKind,
  masks: Float32Array,
  width: number,
  height: number,
  side: number,
  from: { firstOrder: () => Float32Array; cells: () => Float32Array },
): Float32Array {
  switch (kind) {
    case 'masks':
      return masks;
    case 'smooth':
      return gaussianBlur(masks, width, height, 0.5 * side);
    case 'smoother':
      return gaussianBlur(masks, width, height, 1.5 * side);
    case 'first-order':
      return from.firstOrder();
    case 'cells':
      return from.cells();
    case 'time': {
      const out = new Float32Array(masks.length);
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let y = 0; y < height; y++) sum += masks[y * width + x]!;
        for (let y = 0; y < height; y++) out[y * width + x] = sum / height;
      }
      return out;
    }
  }
}

/**
 * The scores of the perturbation's own segments alone (a sound's cells without its time strips): finer than the
 * mean over the layers, which is what insertion rewards where the strips' scores spread over whole moments.
 */
function ownLayerMap(units: UnitLayers, scores: Float32Array): Float32Array {
  const own = units.layers[0]!;
  return pixelMap({ layers: [own], offsets: [0], units: own.count }, scores.subarray(0, own.count));
}

/** Sounds are spaces without an image placement; their only fill is silence. */
function isSound(space: PerturbationSpace): boolean {
  return !(space as Partial<Scene>).placement;
}

/** The metrics' substrates (faithfulness.ts), which the judging copies match. */
const JUDGE_FILLS: SegmentDaxOptions['fills'] = ['blur', 'zero'];

/**
 * Writes a copy whose pixels of the units' plane with `kept[p] === 0` show fill `fill` (images) or are silenced
 * (sounds, whose only fill is silence).
 */
async function pixelComposer(
  space: PerturbationSpace,
  fills: SegmentDaxOptions['fills'],
): Promise<(kept: Uint8Array, fill: number, out: Float32Array) => Float32Array> {
  const scene = space as Partial<Scene>;
  if (!scene.placement || !scene.model?.sourceOf) {
    const mask = new Float32Array(space.segmentation.width * space.segmentation.height);
    return (kept, _fill, out) => {
      for (let p = 0; p < mask.length; p++) mask[p] = kept[p]!;
      return space.blend(mask, out);
    };
  }
  const image = space as Scene;
  const canvases = await Promise.all(
    fills.map((fill) => (fill === 'scene' ? image.model.fill : substrateCanvas(image, fill))),
  );
  const { original, sourceOf } = image.model;
  return (kept, fill, out) => {
    const canvas = canvases[fill % canvases.length]!;
    for (let p = 0, i = 0; p < sourceOf.length; p++, i += 3) {
      const source = sourceOf[p]! < 0 || kept[sourceOf[p]!] === 1 ? original : canvas;
      out[i] = source[i]!;
      out[i + 1] = source[i + 1]!;
      out[i + 2] = source[i + 2]!;
    }
    return out;
  };
}

/**
 * Judging points per candidate, fill and curve: `share` of the budget over 2 · candidates · fills copies a point,
 * at least one, and none where that would leave the training under half the budget.
 */
function judgingPoints(total: number, training: number, copiesPerPoint: number, share: number): number {
  if (!(share > 0)) return 0;
  const points = Math.max(1, Math.floor((total * share) / (2 * copiesPerPoint)));
  return training - 2 * points * copiesPerPoint >= total / 2 ? points : 0;
}

/**
 * Sample 0 keeps everything; copy i keeps a share of the pixels drawn from [0.1, 0.9]. With `and`, a pixel is
 * kept when every layer keeps its unit, so each unit is kept with that share's L-th root; with `alternate`,
 * copy i switches the units of layer i mod L only and keeps every other layer whole.
 */
function mixedDensityPatterns(
  count: number,
  units: UnitLayers,
  mix: SegmentDaxOptions['layerMix'],
  [low, high]: [number, number],
  rng: Rng,
): Samples {
  const segments = units.units;
  const L = units.layers.length;
  const keep = new Uint8Array(count * segments);
  keep.fill(1, 0, segments);
  for (let n = 1; n < count; n++) {
    const share = low + (high - low) * rng.next();
    if (mix === 'and' || L === 1) {
      const p = share ** (1 / L);
      for (let k = 0; k < segments; k++) keep[n * segments + k] = rng.next() < p ? 1 : 0;
    } else {
      const layer = (n - 1) % L;
      const from = units.offsets[layer]!;
      const to = from + units.layers[layer]!.count;
      for (let k = 0; k < segments; k++) keep[n * segments + k] = k < from || k >= to || rng.next() < share ? 1 : 0;
    }
  }
  return { count, segments, keep, weights: new Float32Array(count).fill(1) };
}

/**
 * Copies along the map's deletion order (its top j segments removed) and insertion order (only its top j kept),
 * at cut points spread over [0, K] and shifted each round, each with a few segments flipped at random so the
 * student learns the neighbourhood of the curve, not only the curve.
 */
function curvePatterns(saliency: Float32Array, count: number, round: number, rng: Rng): Samples {
  const K = saliency.length;
  const rankOf = descendingRanks(saliency);
  const keep = new Uint8Array(count * K);
  const shift = (round * 0.618) % 1;
  for (let n = 0; n < count; n++) {
    const deleting = n % 2 === 0;
    const point = Math.floor(n / 2);
    const points = Math.ceil(count / 2);
    // Cut points denser at the start of the curves, where the areas differ most.
    const t = ((point + shift) / points) ** 1.5;
    const cut = Math.max(1, Math.min(K - 1, Math.round(t * K)));
    for (let k = 0; k < K; k++) {
      const top = rankOf[k]! < cut;
      let on = deleting ? !top : top;
      if (rng.next() < 0.05) on = !on;
      keep[n * K + k] = on ? 1 : 0;
    }
  }
  return { count, segments: K, keep, weights: new Float32Array(count).fill(1) };
}

/** How well the student imitates the black box on copies it never trained on. */
export interface StudentFidelity {
  /** Held-out copies the figures come from. */
  heldOut: number;
  /** 1 − squared error / variance of the answers, on the scale the student imitated. */
  r2: number;
  /** Spearman's rank correlation of the student's and the black box's answers. */
  spearman: number;
}

/**
 * Mini-batch Adam on the squared error over the rows not held out (`held[i] === 1`); the held-out rows (never
 * the input, never trained on in any round) measure fidelity.
 */
async function fitStudent(
  student: SegmentStudent,
  data: Float32Array,
  y: Float32Array,
  held: Uint8Array,
  steps: number,
  weightDecay: number,
  ridge: boolean,
  rng: Rng,
  onStep: (loss: number) => void,
  signal: AbortSignal | undefined,
): Promise<{ validationMse: number; fidelity: StudentFidelity }> {
  const K = student.inputs;
  const trainingSet = Int32Array.from(Array.from(y.keys()).filter((i) => !held[i]));
  const validationSet = Int32Array.from(Array.from(y.keys()).filter((i) => held[i]));
  const batch = new Int32Array(Math.min(STUDENT_BATCH, trainingSet.length));
  if (ridge) fitLinear(student, data, y, trainingSet, RIDGE_ALPHA);
  for (let s = 0; s < steps; s++) {
    if (s % 50 === 0) {
      throwIfCancelled(signal);
      await yieldToEventLoop();
    }
    for (let b = 0; b < batch.length; b++) batch[b] = trainingSet[rng.int(trainingSet.length)]!;
    onStep(student.step(data, y, batch, STUDENT_LEARNING_RATE, weightDecay, ridge));
  }
  if (ridge) fitLinear(student, data, y, trainingSet, RIDGE_ALPHA);
  const predicted = Array.from(validationSet, (row) => student.predict(data, row * K));
  const actual = Array.from(validationSet, (row) => y[row]!);
  let squared = 0;
  predicted.forEach((p, i) => (squared += (p - actual[i]!) ** 2));
  const mse = validationSet.length === 0 ? Number.NaN : squared / validationSet.length;
  const mean = actual.reduce((a, b) => a + b, 0) / Math.max(1, actual.length);
  const variance = actual.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, actual.length);
  return {
    validationMse: mse,
    fidelity: {
      heldOut: validationSet.length,
      r2: variance > 0 ? 1 - mse / variance : Number.NaN,
      spearman: spearman(predicted, actual),
    },
  };
}

function ranks(values: readonly number[]): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let t = i; t <= j; t++) out[order[t]!] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation of the ranks (ties share their mean rank); NaN without spread. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  if (n < 2) return Number.NaN;
  const mean = (n - 1) / 2;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i]! - mean) * (rb[i]! - mean);
    saa += (ra[i]! - mean) ** 2;
    sbb += (rb[i]! - mean) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

function readMap(student: SegmentStudent, options: SegmentDaxOptions, edges: UnitEdges | undefined): Float32Array {
  if (options.readout === 'masks') return optimiseMasks(student, options, edges);
  const greedy = greedyOrder(student);
  if (options.readout === 'greedy') return greedy;
  const masks = optimiseMasks(student, options, edges);
  return minMaxNormalise(Float32Array.from(masks, (v, k) => v + greedy[k]!));
}

/**
 * The deletion and insertion games played through the student: from everything kept, remove the segment whose
 * removal lowers S most, and repeat; from nothing kept, add the segment that raises S most, and repeat. A
 * segment's score is how early each game takes it (1 for the first, 0 for the last), averaged over the games.
 * With a linear student this is the order of its weights; with the hidden path it sees redundancy (after one
 * of two words is gone, the other one matters).
 */
function greedyOrder(student: SegmentStudent): Float32Array {
  const { inputs: K, hidden: H, linear, w1, b1, w2 } = student;
  const score = new Float32Array(K);
  const a = new Float64Array(H);
  for (const deleting of [true, false]) {
    // The hidden pre-activations and the linear logit of the current z, updated as units are taken, so that
    // trying a unit costs O(hidden) rather than a full forward pass.
    a.set(b1);
    let base = student.bias[0]!;
    if (deleting)
      for (let k = 0; k < K; k++) {
        base += linear[k]!;
        for (let j = 0; j < H; j++) a[j]! += w1[k * H + j]!;
      }
    const sign = deleting ? -1 : 1;
    const taken = new Uint8Array(K);
    for (let rank = 0; rank < K; rank++) {
      let best = -1;
      let bestValue = -Infinity;
      for (let k = 0; k < K; k++) {
        if (taken[k]) continue;
        let logit = base + sign * linear[k]!;
        const row = k * H;
        for (let j = 0; j < H; j++) {
          const v = a[j]! + sign * w1[row + j]!;
          if (v > 0) logit += w2[j]! * v;
        }
        // Deleting: the unit whose removal leaves the lowest logit; inserting: the highest.
        const value = deleting ? -logit : logit;
        if (value > bestValue) {
          bestValue = value;
          best = k;
        }
      }
      taken[best] = 1;
      base += sign * linear[best]!;
      for (let j = 0; j < H; j++) a[j]! += sign * w1[best * H + j]!;
      score[best]! += (K - 1 - rank) / Math.max(1, K - 1) / 2;
    }
  }
  return score;
}

/**
 * Masks at each area through the student: keep S(m) high (what is kept suffices), S(1 − m) low (what is taken
 * away was needed), mean(m) near the area; summed over the areas, normalised to [0, 1].
 */
function optimiseMasks(
  student: SegmentStudent,
  options: SegmentDaxOptions,
  edges: UnitEdges | undefined,
): Float32Array {
  const K = student.inputs;
  const summed = new Float64Array(K);
  const m = new Float64Array(K);
  const complement = new Float64Array(K);
  const gKept = new Float64Array(K);
  const gRemoved = new Float64Array(K);
  const grad = new Float64Array(K);
  for (const area of options.areas) {
    const logits = new Float64Array(K);
    const adam = new LogitAdam(K);
    for (let s = 0; s < options.maskSteps; s++) {
      let mean = 0;
      for (let k = 0; k < K; k++) {
        m[k] = 1 / (1 + Math.exp(-logits[k]!));
        complement[k] = 1 - m[k]!;
        mean += m[k]!;
      }
      mean /= K;
      student.inputGradient(m, gKept);
      student.inputGradient(complement, gRemoved);
      // d/dm of −S(m) + S(1 − m) + AREA_WEIGHT·(mean − a)² + BINARY_WEIGHT·mean(m(1 − m)), through σ to the logits.
      for (let k = 0; k < K; k++)
        grad[k] =
          -gKept[k]! - gRemoved[k]! + (2 * AREA_WEIGHT * (mean - area)) / K + (BINARY_WEIGHT * (1 - 2 * m[k]!)) / K;
      if (edges) {
        for (let e = 0; e < edges.a.length; e++) {
          const a = edges.a[e]!;
          const b = edges.b[e]!;
          const g = 2 * options.smoothness * edges.weight[e]! * (m[a]! - m[b]!);
          grad[a]! += g;
          grad[b]! -= g;
        }
      }
      for (let k = 0; k < K; k++) grad[k]! *= m[k]! * (1 - m[k]!);
      adam.step(logits, grad, MASK_LEARNING_RATE);
    }
    for (let k = 0; k < K; k++) summed[k]! += 1 / (1 + Math.exp(-logits[k]!));
  }
  // Ties (segments no mask took) are broken by the student's own first-order effect, scaled far below a mask step.
  const tie = minMaxNormalise(student.linear);
  return minMaxNormalise(Float32Array.from(summed, (v, k) => v + options.linearWeight * tie[k]!));
}

function stack(keeps: Uint8Array[], K: number): Float32Array {
  const total = keeps.reduce((n, k) => n + k.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const k of keeps) {
    out.set(k, offset);
    offset += k.length;
  }
  return out.subarray(0, Math.floor(total / K) * K);
}

function meanAbsoluteChange(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / Math.max(1, a.length);
}
