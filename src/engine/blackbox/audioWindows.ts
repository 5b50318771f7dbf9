// How every audio adapter feeds a model: clips (or spectrogram planes) cut into the model's windows, the windows of
// a whole query batched together, the windows' scores turned back into one row per clip; and how an audio input
// shape is read against its description. No runtime here, so a served model never loads a native one.
import { throwIfCancelled } from '../core/cancellation';
import { DaxError } from '../core/errors';
import { callModel } from '../core/modelCalls';
import { frameCount, powerToDb, type SpectrogramConfig } from '../audio/spectrogram';
import type { CallLimits } from './classifier';
import type { AudioInputConfig, ModelConfig } from './modelConfig';
import { fixedDim, type Dim } from './tensorLayout';

/** The description's `audio` object; an image description opened as a sound classifier is a usage error. */
export function requireAudio(config: ModelConfig): AudioInputConfig {
  if (!config.audio)
    throw new DaxError(
      'usage',
      'describes an image model; an audio model needs an "audio" object in its description.',
      config.path,
    );
  return config.audio;
}

/**
 * An output with more than [batch, classes] (frame-level scores, say) is refused rather than misread; `advice` ends
 * the message (a served model has none: its export is not the user's to change).
 */
export function checkWindowOutput(
  dims: readonly Dim[],
  what: string,
  file: string,
  advice = 'Export the model with its clip-level output (set "output.name"), or wrap it in a predict module.',
): void {
  if (dims.slice(1, -1).some((d) => typeof d === 'number' && d > 1)) {
    throw new DaxError(
      'model',
      `${what} has shape [${dims.join(', ')}]; an audio classifier must give one row of class scores per window, [batch, classes].` +
        (advice === '' ? '' : ` ${advice}`),
      file,
    );
  }
}

/** Rows of a `config` spectrogram plane: the FFT's bins (linear) or the mel bands. */
export function spectrogramRows(config: SpectrogramConfig): number {
  return config.scale === 'mel' ? (config.melBands ?? 64) : config.fftSize / 2 + 1;
}

/** Frames a model sees in a window of `samples` samples: those of a clip that long on its own. */
export function framesOfSamples(samples: number, config: SpectrogramConfig): number {
  return frameCount(samples, config.hop);
}

/**
 * Where the windows of an input `length` long start: 0, hop, 2·hop, … while a window ends inside the input, then
 * one window aligned with the input's end, so the last samples are always seen by a whole window (never by a
 * zero-padded one). An input no longer than the window has one window at 0 (zero-padded when shorter).
 */
export function windowStarts(length: number, window: number, hop: number): number[] {
  if (!(window > 0 && hop > 0)) throw new RangeError(`windowStarts: window ${window} and hop ${hop} must be positive`);
  if (length <= window) return [0];
  const starts: number[] = [];
  for (let start = 0; start + window < length; start += hop) starts.push(start);
  starts.push(length - window);
  return starts;
}

/**
 * How inputs are cut and packed. An input is a plane `rows x span` (row-major): a waveform is one row of samples,
 * a spectrogram `rows` frequency rows of frames. Windows cut along the span.
 */
export interface AudioFraming {
  rows: number;
  /** Window length along the span (samples or frames); undefined: each input whole, in one call. */
  window?: number;
  /** Distance between windows along the span. */
  hop: number;
  /** `v → v · scale + shift`, into the model's units. */
  scale: number;
  shift: number;
  /** The dB floor of a dB spectrogram: cells at or below it stay at it (silence stays silence), none go below it. */
  floor?: number;
  /** What fills a window past the input's end, in model units (silence). */
  padValue: number;
  /** Pack windows frame-major (`span x rows`, as models that take [frames, bands] patches) instead of `rows x span`. */
  transpose?: boolean;
  aggregate: AudioInputConfig['aggregate'];
}

/**
 * The framing of a model description for inputs of `feature` at a window and hop along the span. `scale`
 * multiplies samples in [-1, 1]; on a spectrogram plane that is ×scale² on power and +20·log10|scale| dB on a dB
 * plane, where cells at the -100 dB floor (silence, see powerToDb) stay at the floor.
 */
export function audioFraming(audio: AudioInputConfig, window: number | undefined, hop: number): AudioFraming {
  const common = { window, hop, aggregate: audio.aggregate };
  if (audio.feature === 'waveform') return { ...common, rows: 1, scale: audio.scale, shift: 0, padValue: 0 };
  const rows = spectrogramRows(audio.spectrogram);
  if (!audio.spectrogram.log) return { ...common, rows, scale: audio.scale * audio.scale, shift: 0, padValue: 0 };
  const floor = powerToDb(new Float32Array(1))[0]!;
  return { ...common, rows, scale: 1, shift: 20 * Math.log10(Math.abs(audio.scale)), floor, padValue: floor };
}

/** Runs one call: `count` windows of `rows x span` values, packed one after another. Returns one row per window. */
export type RunWindows = (data: Float32Array, count: number, span: number) => Promise<Float32Array[]>;

/**
 * Classifies a batch of inputs through windows: all windows of all inputs are sent together, `batchSize` per call
 * (checking for cancellation between calls), and each input's row is the aggregate of its windows' rows:
 * - `max`: per class, the highest score of any window (the event anywhere in the clip);
 * - `mean`: per class, the mean over the windows (how much of the clip).
 * Rows are not renormalised after `max`: the score of a class is then that class's best window, independent of the
 * other classes' scores in other windows, which is what a saliency map of that class should explain (a sigmoid
 * tagger's rows never summed to 1 either). `mean` of distributions is a distribution already.
 */
export async function classifyWindows(
  inputs: readonly Float32Array[],
  framing: AudioFraming,
  batchSize: number,
  signal: AbortSignal | undefined,
  source: string,
  run: RunWindows,
  limits?: CallLimits,
): Promise<Float32Array[]> {
  const { rows } = framing;
  const windows: { input: number; start: number; span: number }[] = [];
  const spans = inputs.map((input, i) => {
    if (input.length % rows !== 0) {
      throw new DaxError(
        'input',
        `input ${i} has ${input.length} values, which is not a spectrogram plane of ${rows} rows.`,
        source,
      );
    }
    const span = input.length / rows;
    if (framing.window === undefined) {
      if (span === 0)
        throw new DaxError(
          'input',
          `input ${i} is empty; a model that takes whole clips needs at least one ${rows === 1 ? 'sample' : 'frame'}.`,
          source,
        );
      windows.push({ input: i, start: 0, span });
    } else {
      for (const start of windowStarts(span, framing.window, framing.hop))
        windows.push({ input: i, start, span: framing.window });
    }
    return span;
  });
  const scores: Float32Array[][] = inputs.map(() => []);
  for (let first = 0; first < windows.length;) {
    throwIfCancelled(signal);
    // Consecutive windows of the same span (always, but for whole inputs of different lengths) make one call.
    const span = windows[first]!.span;
    let end = first + 1;
    while (end < windows.length && end - first < batchSize && windows[end]!.span === span) end++;
    const chunk = windows.slice(first, end);
    const data = new Float32Array(chunk.length * rows * span);
    chunk.forEach((w, n) =>
      packWindow(inputs[w.input]!, spans[w.input]!, w.start, span, framing, data, n * rows * span),
    );
    const answer = limits
      ? await callModel(() => run(data, chunk.length, span), { ...limits, signal, inputs: chunk.length })
      : await run(data, chunk.length, span);
    if (answer.length !== chunk.length)
      throw new DaxError('model', `returned ${answer.length} rows for ${chunk.length} windows.`, source);
    chunk.forEach((w, n) => scores[w.input]!.push(answer[n]!));
    first = end;
  }
  return scores.map((rowsOfInput) => aggregateRows(rowsOfInput, framing.aggregate, source));
}

/**
 * Copies window [start, start + span) of every row of `input` (`rows x inputSpan`) into `out` at `offset`, in model
 * units, padded past the input's end; `rows x span`, or `span x rows` when the framing transposes.
 */
function packWindow(
  input: Float32Array,
  inputSpan: number,
  start: number,
  span: number,
  framing: AudioFraming,
  out: Float32Array,
  offset: number,
): void {
  const { rows, scale, shift, floor, padValue } = framing;
  const available = Math.max(0, Math.min(span, inputSpan - start));
  const [rowStride, stepStride] = framing.transpose ? [1, rows] : [span, 1];
  for (let r = 0; r < rows; r++) {
    const from = r * inputSpan + start;
    const to = offset + r * rowStride;
    for (let t = 0; t < span; t++) {
      let value = padValue;
      if (t < available) {
        const v = input[from + t]!;
        value = floor === undefined ? v * scale + shift : v <= floor ? floor : Math.max(floor, v * scale + shift);
      }
      out[to + t * stepStride] = value;
    }
  }
}

/** One row from the rows of an input's windows (see classifyWindows). */
export function aggregateRows(
  rows: readonly Float32Array[],
  mode: AudioInputConfig['aggregate'],
  source: string,
): Float32Array {
  const classes = rows[0]!.length;
  if (rows.some((row) => row.length !== classes))
    throw new DaxError('model', 'returned rows of different lengths for the windows of one clip.', source);
  if (rows.length === 1) return rows[0]!;
  const out = new Float32Array(classes);
  if (mode === 'max') {
    out.fill(-Infinity);
    for (const row of rows) for (let c = 0; c < classes; c++) out[c] = Math.max(out[c]!, row[c]!);
  } else {
    for (const row of rows) for (let c = 0; c < classes; c++) out[c]! += row[c]!;
    for (let c = 0; c < classes; c++) out[c]! /= rows.length;
  }
  return out;
}

/** How a model's audio input tensor is read: which axis is what, and how clips are cut for it. */
export interface AudioInputLayout {
  /** The input has a dynamic batch axis (a fixed batch of 1, or none, means one window per call). */
  batched: boolean;
  /** The tensor dims of a call of `count` windows of `span` samples or frames. */
  dims(count: number, span: number): number[];
  framing: AudioFraming;
  /** For descriptions, e.g. "log-mel 64 rows, window 100 frames hop 50 max ×32768". */
  text: string;
}

type Axis = 'batch' | 'channel' | 'rows' | 'span';

/**
 * Reads an audio input shape against the description (throws DaxError naming `file` and saying what to change):
 * - waveform: [samples], [batch, samples], [batch, 1, samples] or [batch, samples, 1];
 * - spectrogram: [batch, rows, frames], with a channel axis of 1 first or last ([batch, 1, rows, frames],
 *   [batch, rows, frames, 1]); frame-major [batch, frames, rows] when only the last axis has the description's rows.
 * Where a shape does not tell (dynamic dims), the channel axis is `prefer`red first (ONNX) or last (TF.js).
 * A fixed length is the window (`audio.window`, if given, must agree); a dynamic one takes `audio.window` or each
 * input whole. `audio.window` and `audio.hop` are in samples; for a spectrogram model they count as the frames a
 * clip that long has (1 + floor(samples / spectrogram hop)) and the hop in spectrogram hops.
 */
export function audioInputLayout(
  shape: readonly Dim[],
  audio: AudioInputConfig,
  what: string,
  file: string,
  prefer: 'first' | 'last',
): AudioInputLayout {
  const shown = `${what} [${shape.join(', ')}]`;
  const spectrogramInput = audio.feature === 'spectrogram';
  const rows = spectrogramInput ? spectrogramRows(audio.spectrogram) : 1;
  // The axis of size 1 in [batch, 1, x] or [batch, x, 1] (or [batch, 1, r, f], [batch, r, f, 1]).
  const channelAxis = (first: number, last: number): number => {
    const [a, b] = [fixedDim(shape[first]), fixedDim(shape[last])];
    const axis = b === 1 && a !== 1 ? last : a === 1 && b !== 1 ? first : prefer === 'first' ? first : last;
    const size = fixedDim(shape[axis]);
    if (size !== undefined && size !== 1) {
      throw new DaxError(
        'model',
        `${shown} takes ${size} channels; only ${spectrogramInput ? 'one spectrogram plane' : 'mono audio'} (a channel axis of 1) is supported.`,
        file,
      );
    }
    return axis;
  };
  let axes: Axis[];
  if (!spectrogramInput) {
    if (shape.length === 1) axes = ['span'];
    else if (shape.length === 2) axes = ['batch', 'span'];
    else if (shape.length === 3)
      axes = channelAxis(1, 2) === 1 ? ['batch', 'channel', 'span'] : ['batch', 'span', 'channel'];
    else {
      throw new DaxError(
        'model',
        `${shown}: a waveform classifier needs [samples], [batch, samples] or [batch, 1, samples]` +
          `${shape.length === 4 ? ' (if it takes a spectrogram, set "audio.feature": "spectrogram")' : ''}.`,
        file,
      );
    }
  } else {
    if (shape.length !== 3 && shape.length !== 4) {
      throw new DaxError(
        'model',
        `${shown}: a spectrogram classifier needs [batch, rows, frames] or [batch, 1, rows, frames]` +
          `${shape.length <= 2 ? ' (if it takes samples, set "audio.feature": "waveform")' : ''}.`,
        file,
      );
    }
    const channel = shape.length === 4 ? channelAxis(1, 3) : undefined;
    const [a, b] = [1, 2, 3].filter((axis) => axis < shape.length && axis !== channel) as [number, number];
    const [sizeA, sizeB] = [fixedDim(shape[a]), fixedDim(shape[b])];
    const frameMajor = sizeA !== rows && sizeB === rows;
    if (!frameMajor && sizeA !== undefined && sizeA !== rows) {
      const given =
        audio.spectrogram.scale === 'mel'
          ? `${rows} mel bands`
          : `${rows} rows (fftSize ${audio.spectrogram.fftSize} / 2 + 1)`;
      const fix = audio.spectrogram.scale === 'mel' ? `"melBands": ${sizeA}` : `"fftSize": ${2 * (sizeA - 1)}`;
      throw new DaxError(
        'usage',
        `${shown} takes spectrograms of ${sizeA} rows${sizeB !== undefined ? ` (or ${sizeB}, frame-major)` : ''}, but "audio.spectrogram" gives ${given}. ` +
          `Set "audio.spectrogram" to the model's (${fix}).`,
        file,
      );
    }
    axes = shape.map(() => 'channel');
    axes[0] = 'batch';
    axes[a] = frameMajor ? 'span' : 'rows';
    axes[b] = frameMajor ? 'rows' : 'span';
  }
  const batchAxis = axes.indexOf('batch');
  const fixedBatch = batchAxis < 0 ? 1 : fixedDim(shape[batchAxis]);
  if (fixedBatch !== undefined && fixedBatch !== 1) {
    throw new DaxError(
      'model',
      `${shown} has a fixed batch of ${fixedBatch}; only 1 or a dynamic batch is supported.`,
      file,
    );
  }

  const unit = spectrogramInput ? 'frames' : 'samples';
  const toSpan = (samples: number): number =>
    spectrogramInput ? framesOfSamples(samples, audio.spectrogram) : samples;
  const fixedSpan = fixedDim(shape[axes.indexOf('span')]);
  let window: number | undefined;
  if (fixedSpan !== undefined) {
    if (audio.window !== undefined && toSpan(audio.window) !== fixedSpan) {
      const given = spectrogramInput
        ? `${audio.window} samples (${toSpan(audio.window)} frames at hop ${audio.spectrogram.hop})`
        : `${audio.window}`;
      throw new DaxError(
        'usage',
        `${shown} takes windows of exactly ${fixedSpan} ${unit}, but "audio.window" is ${given}. Remove "audio.window" (the model's length is used) or make it match.`,
        file,
      );
    }
    window = fixedSpan;
  } else if (audio.window !== undefined) {
    window = toSpan(audio.window);
  }
  let hop = 1;
  if (window !== undefined) {
    hop =
      audio.hop === undefined
        ? Math.max(1, Math.floor(window / 2))
        : spectrogramInput
          ? Math.max(1, Math.round(audio.hop / audio.spectrogram.hop))
          : audio.hop;
    if (hop > window) {
      throw new DaxError(
        'usage',
        `"audio.hop" (${audio.hop}) is longer than the model's window of ${window} ${unit} (${shown}); windows would leave gaps. Make it at most the window.`,
        file,
      );
    }
  } else if (audio.hop !== undefined) {
    throw new DaxError(
      'usage',
      `"audio.hop" needs "audio.window": ${shown} takes clips of any length, so without a window each clip is one call.`,
      file,
    );
  }
  const framing = { ...audioFraming(audio, window, hop), transpose: axes.indexOf('span') < axes.indexOf('rows') };
  const feature = spectrogramInput
    ? `${audio.spectrogram.log ? 'log-' : ''}${audio.spectrogram.scale === 'mel' ? 'mel' : 'linear'} ${rows} rows${framing.transpose ? ' frame-major' : ''}, `
    : '';
  const windowText =
    window === undefined ? 'whole clip' : `window ${window}${spectrogramInput ? ' frames' : ''} hop ${hop}`;
  return {
    batched: fixedBatch === undefined,
    dims: (count, span) =>
      axes.map((axis) => (axis === 'batch' ? count : axis === 'channel' ? 1 : axis === 'rows' ? rows : span)),
    framing,
    text: `${feature}${windowText} ${audio.aggregate}${audio.scale !== 1 ? ` ×${audio.scale}` : ''}`,
  };
}
