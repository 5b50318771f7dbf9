// Band-limited sample-rate conversion: a Kaiser-windowed sinc evaluated as a polyphase filter bank.
//
// libsamplerate's WebAssembly port (@alexanderolsen/libsamplerate-js) was measured and set aside: 2 MB of code,
// 6 s (medium) to 21 s (best) for a 10-minute 44.1 kHz file, and an output length that misses the exact ratio by
// tens of samples. This filter keeps the length exact (round(n · to / from)) and converts a 10-minute 44.1 kHz
// file to 16 kHz in about 2.3 s. Its response (44.1 → 16 kHz, measured): flat within 0.01 dB to 6 kHz, -1 dB at
// 7 kHz, -6 dB at the 7.36 kHz cut-off, below -85 dB from 8.2 kHz; tests hold the pass band and the stop band.

/** Filter design of {@link resample}; the defaults suit speech and music classifiers. */
export interface ResampleOptions {
  /** Half-length of the kernel in zero crossings of the lower rate's sinc: more is sharper and slower. Default 24. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. Default 0.92 (7.36 kHz when going to 16 kHz). */
  rolloff?: number;
  /** Kaiser window β: higher trades a wider transition band for a deeper stop band. Default 8.6 (about -86 dB). */
  beta?: number;
}

/** Phases kept in the filter table; rate pairs with more (coprime rates) round to the nearest of these. */
const MAX_PHASES = 2048;

/**
 * Converts `input` (one channel) from `fromRate` to `toRate` Hz. The output has exactly
 * `Math.round(input.length * toRate / fromRate)` samples, output sample n sits at input time n · from / to, and
 * samples outside the input count as zeros. Returns `input` itself when the rates are equal.
 */
export function resample(
  input: Float32Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Float32Array {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0)
      throw new RangeError(`resample: ${name} must be a positive integer, got ${rate}`);
  }
  if (fromRate === toRate) return input;
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor; // L: output samples per `down` input samples
  const down = fromRate / divisor; // M
  const outLength = Math.round((input.length * up) / down);
  const output = new Float32Array(outLength);
  if (outLength === 0 || input.length === 0) return output;

  const zeroCrossings = options.zeroCrossings ?? 24;
  const rolloff = options.rolloff ?? 0.92;
  const beta = options.beta ?? 8.6;
  if (!(zeroCrossings >= 1) || !(rolloff > 0 && rolloff <= 1) || !(beta >= 0)) {
    throw new RangeError(`resample: invalid filter options ${JSON.stringify(options)}`);
  }
  // Cut-off in cycles per input sample, and the kernel's half-width in input samples.
  const cutoff = 0.5 * Math.min(1, up / down) * rolloff;
  const halfWidth = zeroCrossings / (2 * cutoff);
  const reach = Math.ceil(halfWidth); // taps j = -reach+1 .. reach around floor(t)
  const taps = 2 * reach;
  const phases = Math.min(up, MAX_PHASES);

  // table[p * taps + (j + reach - 1)] = h(j - p / phases), each phase normalised to unit DC gain.
  const table = new Float32Array(phases * taps);
  const i0Beta = besselI0(beta);
  for (let p = 0; p < phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = -reach + 1; j <= reach; j++) {
      const x = j - frac;
      const r = x / halfWidth;
      const h =
        Math.abs(r) >= 1 ? 0 : 2 * cutoff * sinc(2 * cutoff * x) * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
      table[p * taps + j + reach - 1] = h;
      sum += h;
    }
    for (let k = 0; k < taps; k++) table[p * taps + k]! /= sum;
  }

  const last = input.length - 1;
  for (let n = 0; n < outLength; n++) {
    const position = n * down; // exact integer: input time t = position / up
    let base = Math.floor(position / up);
    let phase = position - base * up;
    if (phases !== up) {
      phase = Math.round((phase * phases) / up);
      if (phase === phases) {
        phase = 0;
        base++;
      }
    }
    const row = phase * taps;
    const start = base - reach + 1;
    let acc = 0;
    if (start >= 0 && start + taps - 1 <= last) {
      for (let k = 0; k < taps; k++) acc += table[row + k]! * input[start + k]!;
    } else {
      for (let k = 0; k < taps; k++) {
        const i = start + k;
        if (i >= 0 && i <= last) acc += table[row + k]! * input[i]!;
      }
    }
    output[n] = acc;
  }
  return output;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
