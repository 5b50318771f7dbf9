import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from '../../src/engine/audio/resample';

function tone(hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

/** RMS away from the edges (where the zero padding outside the signal shows), in dB relative to `reference` RMS. */
function levelDb(samples: Float32Array, referenceRms: number): number {
  let sum = 0;
  let n = 0;
  const skip = Math.floor(samples.length / 10);
  for (let i = skip; i < samples.length - skip; i++, n++) sum += samples[i]! ** 2;
  return 20 * Math.log10(Math.sqrt(sum / n) / referenceRms);
}

const rms = 0.5 / Math.SQRT2;

describe('resampling', () => {
  test('the output has exactly round(n · to / from) samples', () => {
    for (const [from, to, n] of [
      [44100, 16000, 44100],
      [44100, 16000, 1000],
      [48000, 16000, 7],
      [8000, 16000, 333],
      [22050, 16000, 22051],
      [44099, 16000, 4410],
    ]) {
      assert.equal(
        resample(new Float32Array(n!), from!, to!).length,
        Math.round((n! * to!) / from!),
        `${from} -> ${to}, ${n} samples`,
      );
    }
  });

  test('equal rates return the input itself', () => {
    const input = tone(440, 16000, 0.1);
    assert.equal(resample(input, 16000, 16000), input);
  });

  test('44.1 kHz to 16 kHz: the pass band is flat (440 Hz to 6 kHz within 0.05 dB)', () => {
    for (const hz of [440, 1000, 3000, 6000]) {
      const level = levelDb(resample(tone(hz, 44100, 0.5), 44100, 16000), rms);
      assert.ok(Math.abs(level) < 0.05, `${hz} Hz: ${level.toFixed(3)} dB`);
    }
  });

  test('44.1 kHz to 16 kHz: tones above the new Nyquist frequency do not alias (below -70 dB from 8.5 kHz)', () => {
    for (const hz of [8500, 10000, 12000, 15000, 20000]) {
      const level = levelDb(resample(tone(hz, 44100, 0.5), 44100, 16000), rms);
      assert.ok(level < -70, `${hz} Hz leaks at ${level.toFixed(1)} dB`);
    }
  });

  test('a resampled tone stays in phase: sample n of the output is the input at time n / to', () => {
    const out = resample(tone(440, 48000, 0.5), 48000, 16000);
    const expected = tone(440, 16000, 0.5);
    let max = 0;
    for (let i = 500; i < out.length - 500; i++) max = Math.max(max, Math.abs(out[i]! - expected[i]!));
    assert.ok(max < 1e-3, `max deviation ${max}`);
  });

  test('upsampling 8 kHz to 16 kHz keeps a 1 kHz tone and creates no image above 4 kHz', () => {
    const out = resample(tone(1000, 8000, 0.5), 8000, 16000);
    const expected = tone(1000, 16000, 0.5);
    let max = 0;
    for (let i = 500; i < out.length - 500; i++) max = Math.max(max, Math.abs(out[i]! - expected[i]!));
    assert.ok(max < 1e-3, `max deviation ${max}`);
  });

  test('rates without a small common divisor (44 099 Hz) use the quantised phase table and stay accurate', () => {
    const out = resample(tone(440, 44099, 0.5), 44099, 16000);
    const expected = tone(440, 16000, 0.5);
    let max = 0;
    for (let i = 500; i < out.length - 500; i++) max = Math.max(max, Math.abs(out[i]! - expected[i]!));
    assert.ok(max < 2e-3, `max deviation ${max}`);
  });

  test('a constant stays constant (unit DC gain) away from the edges', () => {
    const out = resample(new Float32Array(4410).fill(0.25), 44100, 16000);
    for (let i = 100; i < out.length - 100; i++) assert.ok(Math.abs(out[i]! - 0.25) < 1e-6, `${i}: ${out[i]}`);
  });

  test('bad rates are refused', () => {
    assert.throws(() => resample(new Float32Array(4), 0, 16000), RangeError);
    assert.throws(() => resample(new Float32Array(4), 44100, 16000.5), RangeError);
  });
});
