// The arithmetic of an audio result's pictures: where a time or a frequency lies on the spectrogram, the axes'
// ticks and labels, the intervals as x ranges, and where playback is. No DOM, so Node tests run it.
import type { DisplayAudio } from '../../src/shared/protocol';
import type { TimeInterval } from '../../src/shared/report';

/** The time span the spectrogram picture covers from its left edge to its right edge, in seconds. */
export interface TimeExtent {
  start: number;
  end: number;
}

/**
 * What the picture's x axis covers. The engine stretches one column per frame to the picture's width, and frame t is
 * centred at t · frameSeconds and stands for half a frame either side, so N frames cover [−f/2, (N − ½)·f]: the curve's
 * point t then sits over the middle of its column. Without a usable curve, the picture covers [0, duration].
 */
export function timeExtent(audio: Pick<DisplayAudio, 'timeSaliency' | 'frameSeconds' | 'durationSeconds'>): TimeExtent {
  const frames = audio.timeSaliency.length;
  const f = audio.frameSeconds;
  if (frames > 0 && Number.isFinite(f) && f > 0) return { start: -f / 2, end: (frames - 0.5) * f };
  const duration = Number.isFinite(audio.durationSeconds) && audio.durationSeconds > 0 ? audio.durationSeconds : 1;
  return { start: 0, end: duration };
}

/** Where `seconds` lies across the picture, 0 (left edge) .. 1 (right edge), clamped. */
export function timeToFraction(seconds: number, extent: TimeExtent): number {
  const span = extent.end - extent.start;
  if (!(span > 0) || !Number.isFinite(seconds)) return 0;
  return Math.min(1, Math.max(0, (seconds - extent.start) / span));
}

/** The time at `fraction` of the picture's width (clamped to the picture), never before 0 s. */
export function fractionToTime(fraction: number, extent: TimeExtent): number {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return Math.max(0, extent.start + f * (extent.end - extent.start));
}

/** An interval as the share of the picture's width it covers: `from` .. `to`, both in [0, 1], `from` <= `to`. */
export function intervalSpan(interval: TimeInterval, extent: TimeExtent): { from: number; to: number } {
  const a = timeToFraction(interval.start, extent);
  const b = timeToFraction(interval.end, extent);
  return { from: Math.min(a, b), to: Math.max(a, b) };
}

/** An interval in pixels of a `width`-pixel wide drawing: left edge and width (at least 1 pixel, so a blip shows). */
export function intervalPixels(
  interval: TimeInterval,
  extent: TimeExtent,
  width: number,
): { x: number; width: number } {
  const { from, to } = intervalSpan(interval, extent);
  const x = from * width;
  return { x, width: Math.max(1, (to - from) * width) };
}

/** The x fraction of each point of the time saliency (point t at t · frameSeconds). */
export function curveFractions(points: number, frameSeconds: number, extent: TimeExtent): Float64Array {
  const out = new Float64Array(points);
  for (let t = 0; t < points; t++) out[t] = timeToFraction(t * frameSeconds, extent);
  return out;
}

// ------------------------------------------------------------------------------------------------------ ticks

/** A labelled tick: its value, where it lies (0..1 along the axis), its text, and how the label sits on the tick. */
export interface Tick {
  value: number;
  fraction: number;
  label: string;
  /** The label starts at the tick, is centred on it, or ends at it (so the edge labels stay inside the axis). */
  anchor: 'start' | 'middle' | 'end';
}

/** Time steps a person reads easily, in seconds. */
const TIME_STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600,
];

/** How many labels fit on an axis `pixels` long when each needs about `labelPixels`. At least 2. */
export function ticksThatFit(pixels: number, labelPixels = 64): number {
  return Math.max(2, Math.floor((Number.isFinite(pixels) ? pixels : 0) / labelPixels));
}

/** The smallest easy step that puts at most `maxTicks` ticks on `span` seconds. */
export function timeStep(span: number, maxTicks: number): number {
  const most = Math.max(1, Math.floor(maxTicks));
  for (const step of TIME_STEPS) if (span / step + 1 <= most + 1e-9) return step;
  return TIME_STEPS[TIME_STEPS.length - 1]!;
}

/** Decimals needed to write `step` exactly (0 for whole seconds, 2 for 0.25 or 0.05, at most 3). */
function decimalsOf(step: number): number {
  for (let d = 0; d < 3; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return d;
  }
  return 3;
}

/** "0.25 s", "1 s"; "1:30" with `minutes` (for sounds a minute long or more, when the step is whole seconds). */
export function formatSeconds(seconds: number, step: number, minutes = false): string {
  if (minutes && step >= 1) {
    const whole = Math.round(seconds);
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
  }
  return `${Math.abs(seconds) < 1e-9 ? '0' : seconds.toFixed(decimalsOf(step))} s`;
}

/** The anchor that keeps a label near an axis end inside the axis. */
function anchorAt(fraction: number, edge: number): Tick['anchor'] {
  return fraction < edge ? 'start' : fraction > 1 - edge ? 'end' : 'middle';
}

/** Ticks at easy steps across the picture (from 0 s, never before it), at most `maxTicks`. */
export function timeTicks(extent: TimeExtent, maxTicks: number): Tick[] {
  const step = timeStep(extent.end - Math.max(0, extent.start), maxTicks);
  const minutes = extent.end >= 60;
  const ticks: Tick[] = [];
  // Integer multiples of the step, so 0.1 × 3 does not print as 0.30000000000000004.
  const first = Math.ceil(Math.max(0, extent.start) / step - 1e-9);
  const last = Math.floor(extent.end / step + 1e-9);
  for (let k = first; k <= last; k++) {
    const value = Number((k * step).toFixed(6));
    const fraction = timeToFraction(value, extent);
    ticks.push({ value, fraction, label: formatSeconds(value, step, minutes), anchor: anchorAt(fraction, 0.02) });
  }
  return ticks;
}

// ------------------------------------------------------------------------------------------------- frequency

/** Hz to mel on Slaney's scale (librosa's default, as the engine's filterbank): linear below 1 kHz, logarithmic above. */
export function hzToMel(hz: number): number {
  return hz < 1000 ? hz / (200 / 3) : 15 + Math.log(hz / 1000) / (Math.log(6.4) / 27);
}

/** Inverse of {@link hzToMel}. */
export function melToHz(mel: number): number {
  return mel < 15 ? mel * (200 / 3) : 1000 * Math.exp((mel - 15) * (Math.log(6.4) / 27));
}

/** The frequency axis of the picture: its bottom and top edges in Hz, and the spacing of its rows. */
export interface FrequencyAxis {
  lowHz: number;
  highHz: number;
  scale: 'linear' | 'mel';
}

/** The frequency at `fraction` of the picture's height, measured from the bottom (0 = lowHz, 1 = highHz). */
export function frequencyAt(fraction: number, axis: FrequencyAxis): number {
  const f = Math.min(1, Math.max(0, fraction));
  if (axis.scale === 'mel') {
    const low = hzToMel(axis.lowHz);
    return melToHz(low + f * (hzToMel(axis.highHz) - low));
  }
  return axis.lowHz + f * (axis.highHz - axis.lowHz);
}

/** Where `hz` lies on the picture's height, from the bottom (0) to the top (1), clamped. */
export function frequencyFraction(hz: number, axis: FrequencyAxis): number {
  const [low, high, value] =
    axis.scale === 'mel' ? [hzToMel(axis.lowHz), hzToMel(axis.highHz), hzToMel(hz)] : [axis.lowHz, axis.highHz, hz];
  if (!(high > low)) return 0;
  return Math.min(1, Math.max(0, (value - low) / (high - low)));
}

/** "0 Hz", "440 Hz", "1 kHz", "2.5 kHz", "22.05 kHz". */
export function formatHz(hz: number): string {
  if (!Number.isFinite(hz)) return '–';
  if (Math.abs(hz) < 1000) return `${Math.round(hz)} Hz`;
  return `${Number((hz / 1000).toFixed(2))} kHz`;
}

/** Round frequencies: 1, 2, 5 × 10^k Hz, and on a linear axis the multiples of an easy step. */
function roundFrequencies(axis: FrequencyAxis, maxTicks: number): number[] {
  const { lowHz, highHz } = axis;
  if (axis.scale === 'linear') {
    const span = highHz - lowHz;
    let step = 1;
    for (const magnitude of [1, 10, 100, 1000, 10_000, 100_000]) {
      const found = [1, 2, 2.5, 5].map((m) => m * magnitude).find((candidate) => span / candidate <= maxTicks);
      if (found !== undefined) {
        step = found;
        break;
      }
    }
    const values: number[] = [];
    for (let k = Math.ceil(lowHz / step); k * step <= highHz; k++) values.push(k * step);
    return values;
  }
  const values: number[] = [];
  for (let magnitude = 10; magnitude <= 100_000; magnitude *= 10) for (const m of [1, 2, 5]) values.push(m * magnitude);
  return values.filter((hz) => hz >= lowHz && hz <= highHz);
}

/**
 * Frequency ticks for an axis `maxTicks` labels tall: the bottom and top edges (lowHz, highHz), and between them
 * round frequencies placed where they lie on the axis (mel-spaced when the rows are), none closer than
 * 1 / maxTicks of the height to another, so labels never overlap. Bottom first.
 */
export function frequencyTicks(axis: FrequencyAxis, maxTicks: number): Tick[] {
  const most = Math.max(2, Math.floor(maxTicks));
  const gap = 1 / most;
  const edge = (value: number, fraction: number, anchor: Tick['anchor']): Tick => ({
    value,
    fraction,
    label: formatHz(value),
    anchor,
  });
  if (!(axis.highHz > axis.lowHz)) return [edge(axis.lowHz, 0, 'end')];
  const ticks: Tick[] = [edge(axis.lowHz, 0, 'end')];
  const top = edge(axis.highHz, 1, 'start');
  // Lowest first, each kept when it leaves room to the edges and to those already kept.
  const candidates = roundFrequencies(axis, most)
    .map((hz) => ({ hz, fraction: frequencyFraction(hz, axis) }))
    .filter(({ fraction }) => fraction >= gap && fraction <= 1 - gap);
  const chosen: { hz: number; fraction: number }[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= most - 2) break;
    const placed = [0, 1, ...chosen.map((c) => c.fraction)];
    if (placed.every((fraction) => Math.abs(fraction - candidate.fraction) >= gap - 1e-9)) chosen.push(candidate);
  }
  chosen.sort((a, b) => a.fraction - b.fraction);
  for (const { hz, fraction } of chosen) ticks.push({ value: hz, fraction, label: formatHz(hz), anchor: 'middle' });
  ticks.push(top);
  return ticks;
}

/** "0 Hz – 8 kHz, mel-spaced" for captions. */
export function describeFrequencyAxis(axis: FrequencyAxis): string {
  return `${formatHz(axis.lowHz)} to ${formatHz(axis.highHz)}, ${axis.scale === 'mel' ? 'mel-spaced' : 'linear'}`;
}

// ------------------------------------------------------------------------------------------------ intervals

/** "0.42–0.81 s" (two decimals; three for very short intervals). */
export function formatInterval(interval: TimeInterval): string {
  const decimals = interval.end - interval.start < 0.05 ? 3 : 2;
  return `${interval.start.toFixed(decimals)}–${interval.end.toFixed(decimals)} s`;
}

/** "0.39 s" */
export function formatLength(interval: TimeInterval): string {
  const length = Math.max(0, interval.end - interval.start);
  return `${length.toFixed(length < 0.05 ? 3 : 2)} s`;
}

// ------------------------------------------------------------------------------------------------- playback

/** When a sound started: the AudioContext time of its start, and where in the sound it started (seconds). */
export interface PlaybackStart {
  contextTime: number;
  offset: number;
}

/**
 * Where in the sound playback is at context time `now`: the offset plus the time since the start, less the output
 * latency (what is heard lags what is scheduled); undefined once past `duration`. Never before the offset.
 */
export function playbackPosition(start: PlaybackStart, now: number, duration: number, latency = 0): number | undefined {
  const lag = Number.isFinite(latency) ? Math.min(0.5, Math.max(0, latency)) : 0;
  const position = start.offset + Math.max(0, now - start.contextTime - lag);
  return position < duration ? position : undefined;
}

/** A start offset for seeking: clamped into the sound, and 0 when it would leave less than `tail` seconds to hear. */
export function seekOffset(seconds: number, duration: number, tail = 0.05): number {
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return seconds >= duration - tail ? 0 : seconds;
}

// ----------------------------------------------------------------------------------------------- validation

/** Rates an AudioBuffer can be made at (Web Audio requires at least 3 kHz; browsers allow up to 768 kHz). */
const MIN_RATE = 3000;
const MAX_RATE = 768_000;

/** Why the sounds of `audio` cannot be played (rate, lengths), or undefined when they can. */
export function audioProblem(audio: DisplayAudio): string | undefined {
  const { sampleRate } = audio;
  if (!Number.isFinite(sampleRate) || sampleRate < MIN_RATE || sampleRate > MAX_RATE)
    return `the sample rate ${sampleRate} Hz cannot be played (${MIN_RATE}–${MAX_RATE} Hz)`;
  const n = audio.original.length;
  if (n === 0) return 'the sound has no samples';
  for (const name of ['kept', 'removed'] as const) {
    if (audio[name].length !== n) return `the ${name} sound has ${audio[name].length} samples, the original ${n}`;
  }
  return undefined;
}

/** Whether a file name looks like a sound (the history only knows names). */
export function isAudioFileName(name: string): boolean {
  return /\.(wav|wave|mp3|flac|ogg|oga|opus|m4a|aac|aif|aiff|webm)$/i.test(name);
}
