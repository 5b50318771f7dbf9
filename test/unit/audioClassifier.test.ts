import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import * as tfl from '@tensorflow/tfjs-layers';
import { parseModelConfig, type ModelConfig } from '../../src/engine/blackbox/modelConfig';
import type { AudioClassifier } from '../../src/engine/blackbox/classifier';
import { openAudioClassifier } from '../../src/engine/blackbox/openAudioClassifier';
import { windowStarts } from '../../src/engine/blackbox/audioWindows';
import { fileModelWriter } from '../../src/engine/blackbox/tfjsFiles';
import { spectrogram } from '../../src/engine/audio/spectrogram';
import { DaxError } from '../../src/engine/core/errors';
import { initBackend, tf } from '../../src/engine/tf/runtime';
import { tempDir } from '../helpers/files';
import {
  bandDetectorModel,
  energyDetectorModel,
  PROBE,
  probeModel,
  writeOnnxModel,
  type OnnxGraph,
} from '../helpers/onnxModels';

let dir: string;
before(async () => {
  dir = await tempDir('dax-audio-');
});

let counter = 0;
/** Writes the model and opens it through a description with this "audio" object (and any other keys). */
async function open(
  graph: OnnxGraph,
  audio: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<AudioClassifier> {
  const file = await writeOnnxModel(dir, `model-${counter++}.onnx`, graph);
  return openAudioClassifier(await describe_(file, audio, extra));
}

function describe_(
  file: string,
  audio: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<ModelConfig> {
  return parseModelConfig(
    { path: file, audio: { sampleRate: 16000, ...audio }, output: { activation: 'none' }, ...extra },
    dir,
    'test.model.json',
  );
}

/** Column `c` of every row. */
function column(rows: Float32Array[], c: number): number[] {
  return rows.map((row) => row[c]!);
}

function clip(length: number, value: (i: number) => number = () => 0): Float32Array {
  return Float32Array.from({ length }, (_, i) => value(i));
}

/** Expects a DaxError of `kind` whose message names the model file and matches `message`. */
async function rejectsWith(promise: Promise<unknown>, kind: DaxError['kind'], message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DaxError, `expected a DaxError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.match(error.message, /model-\d+\.onnx: |\.mjs: /);
    assert.match(error.message, message);
    return true;
  });
}

describe('where the windows of a clip start', () => {
  test('a clip no longer than the window is one window at 0', () => {
    assert.deepEqual(windowStarts(5, 8, 4), [0]);
    assert.deepEqual(windowStarts(8, 8, 4), [0]);
  });
  test('a longer clip: hop apart, and the last window ends with the clip', () => {
    assert.deepEqual(windowStarts(22, 8, 4), [0, 4, 8, 12, 14]);
  });
  test('when the hops land on the end exactly, no window is repeated', () => {
    assert.deepEqual(windowStarts(20, 8, 4), [0, 4, 8, 12]);
  });
  test('windows a whole window apart still cover the end', () => {
    assert.deepEqual(windowStarts(20, 8, 8), [0, 8, 12]);
  });
});

describe('ONNX waveform classifiers', () => {
  // 22 samples through windows of 8 every 4: windows at 0, 4, 8, 12 and 14.
  const event = clip(22, (i) => (i === 21 ? 1 : 0));

  test('with max, an event in the last samples is found by the window aligned with the clip end', async () => {
    // Listens to samples 4..7 of its window: only the window at 14 hears sample 21, at its last position.
    const detector = await open(
      energyDetectorModel({ shape: ['batch', 8], from: 4, to: 8, threshold: 0.5 }),
      { aggregate: 'max' },
      { output: { activation: 'softmax' } },
    );
    const [row] = await detector.classify({ images: [event] });
    assert.ok(row![1]! > 0.999, `P(event) ${row![1]}`);
    const probe = await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'max' });
    const [seen] = await probe.classify({ images: [event] });
    // A zero-padded window at 16 would have had the event at position 5 and a padded zero last.
    assert.equal(seen![PROBE.last], 1);
    assert.equal(seen![PROBE.length], 8);
  });

  test('with mean, a class scores the mean of its windows', async () => {
    const detector = await open(
      energyDetectorModel({ shape: ['batch', 8], from: 4, to: 8, threshold: 0.5 }),
      { aggregate: 'mean' },
      { output: { activation: 'softmax' } },
    );
    const [row] = await detector.classify({ images: [event] });
    // One window of five hears the event: energy 1 → logit 5, energy 0 → logit −5; P(event) = sigmoid(2·logit).
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    assert.ok(Math.abs(row![1]! - (sigmoid(10) + 4 * sigmoid(-10)) / 5) < 1e-5, `P(event) ${row![1]}`);
    assert.ok(Math.abs(row![0]! + row![1]! - 1) < 1e-5, 'the mean of distributions is a distribution');

    const ramp = clip(22, (i) => i);
    const probe = await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'mean' });
    const [seen] = await probe.classify({ images: [ramp] });
    const windowSum = (start: number) => Array.from(ramp.subarray(start, start + 8)).reduce((a, b) => a + b, 0);
    const expected = [0, 4, 8, 12, 14].map(windowSum).reduce((a, b) => a + b, 0) / 5;
    assert.ok(Math.abs(seen![PROBE.sum]! - expected) < 1e-4, `${seen![PROBE.sum]} vs ${expected}`);
  });

  test('max is taken per class and not renormalised: two events of two classes both score high', async () => {
    // Class 0 is the first sample of a window, class 1 the last, [first, last]: the clip has 1 at sample 0 and 1 at 21.
    const probe = await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'max' });
    const [row] = await probe.classify({ images: [clip(22, (i) => (i === 0 || i === 21 ? 1 : 0))] });
    assert.equal(row![PROBE.first], 1);
    assert.equal(row![PROBE.last], 1);
  });

  test('a model of free length gets each clip whole, all clips of a query in one call', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'n'] }));
    const rows = await probe.classify({ images: [clip(1000, () => 0.5), clip(1000, () => 0.25), clip(1000)] });
    assert.deepEqual(column(rows, PROBE.length), [1000, 1000, 1000]);
    assert.deepEqual(column(rows, PROBE.sum), [500, 250, 0]);
    assert.deepEqual(column(rows, PROBE.batch), [3, 3, 3]);
  });

  test('a model of free length with "audio.window" gets windows of that length', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'n'] }), { window: 8, hop: 4, aggregate: 'max' });
    const [row] = await probe.classify({ images: [event] });
    assert.equal(row![PROBE.length], 8);
    assert.equal(row![PROBE.last], 1);
    assert.match(probe.description, /window 8 hop 4 max/);
  });

  test('a clip shorter than the window is zero-padded at its end', async () => {
    const probe = await open(probeModel({ shape: ['batch', 8] }));
    const [row] = await probe.classify({ images: [Float32Array.from([1, 2, 3, 4, 5])] });
    assert.deepEqual([row![PROBE.first], row![PROBE.sum], row![PROBE.last], row![PROBE.length]], [1, 15, 0, 8]);
  });

  test('windows of all clips of a query go to the model together', async () => {
    // 2 clips × 5 windows.
    const probe = await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'max' });
    const rows = await probe.classify({ images: [event, event] });
    assert.deepEqual(column(rows, PROBE.batch), [10, 10]);
  });

  test('a query larger than batchSize is sent in calls of batchSize, its answers in order', async () => {
    const probe = await open(probeModel({ shape: ['batch', 4] }), {}, { batchSize: 3 });
    const clips = Array.from({ length: 7 }, (_, i) => clip(4, () => i));
    const rows = await probe.classify({ images: clips });
    assert.deepEqual(column(rows, PROBE.sum), [0, 4, 8, 12, 16, 20, 24]);
    assert.deepEqual(column(rows, PROBE.batch), [3, 3, 3, 3, 3, 3, 1]);

    const windowed = await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'max' }, { batchSize: 3 });
    const ramp = clip(22, (i) => i);
    const [row] = await windowed.classify({ images: [ramp] });
    assert.ok(row![PROBE.batch]! <= 3);
    assert.equal(row![PROBE.last], 21);
  });

  test('a model with a fixed batch of 1 gets one window per call', async () => {
    const probe = await open(probeModel({ shape: [1, 8] }), { aggregate: 'mean' });
    const rows = await probe.classify({ images: [event, event] });
    assert.deepEqual(column(rows, PROBE.batch), [1, 1]);
    assert.deepEqual(
      column(rows, PROBE.sum),
      [0.2, 0.2].map((v) => Math.fround(v)),
    );
  });

  test('[samples], [batch, 1, samples] and [batch, samples, 1] inputs see what [batch, samples] sees', async () => {
    const ramp = clip(22, (i) => i / 22);
    const reference = await (
      await open(probeModel({ shape: ['batch', 8] }), { aggregate: 'mean' })
    ).classify({ images: [ramp] });
    for (const shape of [[8], ['batch', 1, 8], ['batch', 8, 1]]) {
      const rows = await (await open(probeModel({ shape }), { aggregate: 'mean' })).classify({ images: [ramp] });
      assert.deepEqual(
        [rows[0]![PROBE.sum], rows[0]![PROBE.last]],
        [reference[0]![PROBE.sum], reference[0]![PROBE.last]],
        `shape [${shape}]`,
      );
    }
  });

  test('"audio.scale" multiplies the samples', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'n'] }), { scale: 32768 });
    const [row] = await probe.classify({ images: [clip(10, () => 0.5)] });
    assert.equal(row![PROBE.sum], 10 * 0.5 * 32768);
  });

  test('it says what it is: modality, rate, feature and a description', async () => {
    const probe = await open(probeModel({ shape: ['batch', 16000] }), { sampleRate: 16000, aggregate: 'max' });
    assert.equal(probe.modality, 'audio');
    assert.equal(probe.sampleRate, 16000);
    assert.equal(probe.feature, 'waveform');
    assert.equal(probe.description, 'onnx: x float32[batch,16000] window 16000 hop 8000 max → y');
  });

  test('a cancelled query stops before its next call', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'n'] }));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      probe.classify({ images: [clip(10)] }, controller.signal),
      (error: unknown) => error instanceof DaxError && error.kind === 'cancelled',
    );
  });

  test('an empty query is answered without calling the model', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'n'] }));
    assert.deepEqual(await probe.classify({ images: [] }), []);
  });
});

describe('ONNX spectrogram classifiers', () => {
  // 4 mel bands in power: planes are 4 rows x frames.
  const mel4 = { feature: 'spectrogram', spectrogram: { melBands: 4, log: false } };
  /** A plane whose cell (row r, frame t) is 100·r + t. */
  const plane = (frames: number) =>
    Float32Array.from({ length: 4 * frames }, (_, i) => 100 * Math.floor(i / frames) + (i % frames));

  test('a plane goes in row-major, row 0 first: [batch, 1, rows, frames]', async () => {
    const probe = await open(probeModel({ shape: ['batch', 1, 4, 'frames'] }), mel4);
    const [row] = await probe.classify({ images: [plane(6)] });
    assert.deepEqual([row![PROBE.first], row![PROBE.second], row![PROBE.last], row![PROBE.length]], [0, 1, 305, 24]);
    assert.equal(probe.feature, 'spectrogram');
  });

  test('a model whose last axis has the rows gets the plane frame-major', async () => {
    const probe = await open(probeModel({ shape: ['batch', 'frames', 4] }), mel4);
    const [row] = await probe.classify({ images: [plane(6)] });
    // (frame 0, row 1) follows (frame 0, row 0).
    assert.deepEqual([row![PROBE.first], row![PROBE.second], row![PROBE.last]], [0, 100, 305]);
    assert.match(probe.description, /frame-major/);
  });

  test('a fixed number of frames slides over the plane, the last window ending with it', async () => {
    // 10 frames, windows of 4 every 2: at frames 0, 2, 4 and 6.
    const probe = await open(probeModel({ shape: ['batch', 1, 4, 4] }), { ...mel4, aggregate: 'mean' });
    const [row] = await probe.classify({ images: [plane(10)] });
    assert.equal(row![PROBE.first], (0 + 2 + 4 + 6) / 4);
    assert.equal(row![PROBE.last], (303 + 305 + 307 + 309) / 4);
    assert.equal(row![PROBE.length], 16);
  });

  test('"audio.window" in samples is the frames a clip that long has', async () => {
    // 512 samples at the spectrogram's hop of 128: 1 + 512/128 = 5 frames.
    const probe = await open(probeModel({ shape: ['batch', 4, 'frames'] }), {
      ...mel4,
      spectrogram: { ...mel4.spectrogram, hop: 128 },
      window: 512,
    });
    const [row] = await probe.classify({ images: [plane(12)] });
    assert.equal(row![PROBE.length], 4 * 5);
  });

  test('a dB plane shorter than the window is padded with silence, and scale shifts it by 20·log10(scale) dB', async () => {
    const probe = await open(probeModel({ shape: ['batch', 1, 4, 4] }), {
      feature: 'spectrogram',
      spectrogram: { melBands: 4, log: true },
      scale: 10,
    });
    // Two frames: -100 dB (silence, the floor) then -30 dB in every row.
    const twoFrames = Float32Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? -100 : -30));
    const [row] = await probe.classify({ images: [twoFrames] });
    assert.deepEqual([row![PROBE.first], row![PROBE.second], row![PROBE.last]], [-100, -10, -100]);
  });

  test('a power plane is multiplied by scale²', async () => {
    const probe = await open(probeModel({ shape: ['batch', 4, 'frames'] }), { ...mel4, scale: 3 });
    const [row] = await probe.classify({ images: [plane(2)] });
    assert.equal(row![PROBE.second], 9);
  });

  test('a band detector hears a 1 kHz tone in its band and not a 4 kHz one', async () => {
    const sampleRate = 16000;
    const config = { fftSize: 512, hop: 128, window: 'hann', scale: 'mel', melBands: 64, log: true } as const;
    const tone = (hz: number) => clip(sampleRate / 2, (i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
    const centres = spectrogram(tone(1000), sampleRate, config).frequencies;
    const band = Array.from(centres).flatMap((f, i) => (f > 900 && f < 1100 ? [i] : []));
    const detector = await open(
      bandDetectorModel({
        shape: ['batch', 1, 64, 'frames'],
        from: band[0]!,
        to: band.at(-1)! + 1,
        threshold: -40,
        gain: 0.2,
      }),
      { feature: 'spectrogram', spectrogram: config },
      { output: { activation: 'softmax' } },
    );
    const rows = await detector.classify({
      images: [spectrogram(tone(1000), sampleRate, config).values, spectrogram(tone(4000), sampleRate, config).values],
    });
    assert.ok(rows[0]![1]! > 0.99, `1 kHz: ${rows[0]![1]}`);
    assert.ok(rows[1]![1]! < 0.01, `4 kHz: ${rows[1]![1]}`);
  });

  test('a model whose rows differ from the description is refused, naming both numbers', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 1, 40, 'frames'] }), { feature: 'spectrogram' }),
      'usage',
      /takes spectrograms of 40 rows, but "audio.spectrogram" gives 64 mel bands.*"melBands": 40/,
    );
    await rejectsWith(
      open(probeModel({ shape: ['batch', 40, 101] }), {
        feature: 'spectrogram',
        spectrogram: { scale: 'linear', fftSize: 512 },
      }),
      'usage',
      /40 rows \(or 101, frame-major\), but "audio.spectrogram" gives 257 rows \(fftSize 512/,
    );
  });

  test('a waveform model described as a spectrogram model (and the other way round) is refused with a hint', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 'n'] }), { feature: 'spectrogram' }),
      'model',
      /set "audio.feature": "waveform"/,
    );
    await rejectsWith(
      open(probeModel({ shape: ['batch', 1, 64, 'f'] })),
      'model',
      /set "audio.feature": "spectrogram"/,
    );
  });

  test('a plane that does not divide into the rows is an input error', async () => {
    const probe = await open(probeModel({ shape: ['batch', 4, 'frames'] }), mel4);
    await assert.rejects(
      probe.classify({ images: [new Float32Array(10)] }),
      (error: unknown) =>
        error instanceof DaxError && error.kind === 'input' && /not a spectrogram plane of 4 rows/.test(error.message),
    );
  });
});

describe('ONNX audio models that cannot be used are refused before any query', () => {
  test('an input of the wrong rank', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 1, 1, 1, 'n'] })),
      'model',
      /a waveform classifier needs \[samples\], \[batch, samples\] or \[batch, 1, samples\]/,
    );
  });
  test('an int64 input', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 'n'], type: 'int64' })),
      'model',
      /input "x" \[batch, n\] is int64; only float32 audio inputs are supported/,
    );
  });
  test('stereo input', async () => {
    await rejectsWith(open(probeModel({ shape: ['batch', 2, 'n'] })), 'model', /takes 2 channels; only mono audio/);
  });
  test('"audio.window" that contradicts the model\'s fixed length', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 8] }), { window: 16 }),
      'usage',
      /takes windows of exactly 8 samples, but "audio.window" is 16\. Remove "audio.window"/,
    );
  });
  test('"audio.hop" longer than the model\'s fixed window', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 8] }), { hop: 9 }),
      'usage',
      /"audio.hop" \(9\) is longer than the model's window of 8 samples/,
    );
  });
  test('"audio.hop" for a model of free length without a window', async () => {
    await rejectsWith(
      open(probeModel({ shape: ['batch', 'n'] }), { hop: 100 }),
      'usage',
      /"audio.hop" needs "audio.window"/,
    );
  });
  test('a fixed batch other than 1', async () => {
    await rejectsWith(open(probeModel({ shape: [4, 'n'] })), 'model', /fixed batch of 4; only 1 or a dynamic batch/);
  });
  test('an output of frame-level scores', async () => {
    const graph = probeModel({ shape: ['batch', 'n'] });
    graph.initializers!.push({ name: 'axis2', type: 'int64', dims: [1], values: [2] });
    graph.nodes.push({ op: 'Unsqueeze', inputs: ['y', 'axis2'], outputs: ['frames'] });
    graph.outputs = [{ name: 'frames', type: 'float32', shape: ['batch', 6, 1] }];
    await rejectsWith(
      open(graph),
      'model',
      /output "frames" has shape \[batch, 6, 1\]; an audio classifier must give one row of class scores per window/,
    );
  });
  test('a file that is not a model', async () => {
    const file = path.join(dir, `model-${counter++}.onnx`);
    await writeFile(file, 'not a model at all');
    await rejectsWith(
      openAudioClassifier(await describe_(file, {})),
      'model',
      /is not an ONNX model that onnxruntime can load/,
    );
  });
  test('a description without "audio"', async () => {
    const file = await writeOnnxModel(dir, `model-${counter++}.onnx`, probeModel({ shape: ['batch', 'n'] }));
    const config = await parseModelConfig({ path: file }, dir);
    await rejectsWith(openAudioClassifier(config), 'usage', /the description needs an "audio" object/);
  });
});

describe('ONNX audio models that answer nonsense', () => {
  test('NaN in any window is a model error naming the file', async () => {
    const probe = await open(probeModel({ shape: ['batch', 8], bias: [0, 0, 0, Number.NaN, 0, 0] }));
    await rejectsWith(probe.classify({ images: [clip(22)] }), 'model', /returned NaN in its output/);
  });
});

describe('audio predict modules', () => {
  /** A module whose rows report what each clip was: [values, sampleRate, first value, clips in the call, rows, frames]. */
  async function writeModule(body: string): Promise<string> {
    const file = path.join(dir, `module-${counter++}.mjs`);
    await writeFile(file, body);
    return file;
  }
  const reporter = `export function predict(clips) {
    return clips.map((c) => {
      const values = c.samples ?? c.values;
      return [values.length, c.sampleRate, values[0], clips.length, c.rows ?? -1, c.frames ?? -1];
    });
  }`;

  test('a waveform module gets whole clips in [-1, 1] (no scale), in calls of batchSize, rows in order', async () => {
    const file = await writeModule(reporter);
    const classifier = await openAudioClassifier(
      await describe_(file, { sampleRate: 22050, scale: 32768, window: 8 }, { batchSize: 2 }),
    );
    assert.equal(classifier.modality, 'audio');
    const rows = await classifier.classify({
      images: [clip(100, () => 0.5), clip(100, () => 0.25), clip(100, () => -1)],
    });
    assert.deepEqual(column(rows, 0), [100, 100, 100]);
    assert.deepEqual(column(rows, 1), [22050, 22050, 22050]);
    assert.deepEqual(column(rows, 2), [0.5, 0.25, -1]);
    assert.deepEqual(column(rows, 3), [2, 2, 1]);
  });

  test('a spectrogram module gets {rows, frames, values}', async () => {
    const file = await writeModule(reporter);
    const classifier = await openAudioClassifier(
      await describe_(file, { feature: 'spectrogram', spectrogram: { melBands: 4 } }),
    );
    const [row] = await classifier.classify({ images: [new Float32Array(4 * 7).fill(-20)] });
    assert.deepEqual(Array.from(row!), [28, 16000, -20, 1, 4, 7]);
  });

  test('the wrong number of rows is a model error', async () => {
    const file = await writeModule('export function predict(clips) { return [[0.5, 0.5]]; }');
    const classifier = await openAudioClassifier(await describe_(file, {}));
    await rejectsWith(
      classifier.classify({ images: [clip(10), clip(10)] }),
      'model',
      /predict returned 1 rows for 2 clips; it must return one row of scores per clip/,
    );
  });

  test('rows of different lengths are a model error', async () => {
    const file = await writeModule(
      'export function predict(clips) { return clips.map((_, i) => new Array(i + 1).fill(0)); }',
    );
    const classifier = await openAudioClassifier(await describe_(file, {}));
    await rejectsWith(classifier.classify({ images: [clip(10), clip(10)] }), 'model', /different or zero lengths/);
  });

  test('a predict that throws is a model error that says so', async () => {
    const file = await writeModule("export function predict() { throw new Error('service unavailable'); }");
    const classifier = await openAudioClassifier(await describe_(file, {}));
    await rejectsWith(classifier.classify({ images: [clip(10)] }), 'model', /predict threw: service unavailable/);
  });

  test("a predict that stops on the run's signal is a cancellation, not a model error", async () => {
    const file = await writeModule(`export async function predict(clips, { signal }) {
      await new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(new Error('This operation was aborted'))));
    }`);
    const classifier = await openAudioClassifier(await describe_(file, {}));
    const controller = new AbortController();
    const pending = classifier.classify({ images: [clip(10)] }, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await assert.rejects(pending, (error: unknown) => error instanceof DaxError && error.kind === 'cancelled');
  });

  test('a module without predict is refused when opened', async () => {
    const file = await writeModule('export const labels = ["a"];');
    await rejectsWith(
      openAudioClassifier(await describe_(file, {})),
      'model',
      /does not export a `predict\(clips, context\)` function/,
    );
  });
});

describe('TF.js audio models', () => {
  test('a layers model is windowed like an ONNX one', async () => {
    await initBackend('cpu');
    // Dense [8 → 2]: column 0 sums the window, column 1 is its last sample.
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ inputShape: [8], units: 2, useBias: false }));
    const weights = new Float32Array(16);
    for (let i = 0; i < 8; i++) weights[2 * i] = 1;
    weights[2 * 7 + 1] = 1;
    model.layers[0]!.setWeights([tf.tensor2d(weights, [8, 2])]);
    const modelDir = path.join(dir, `tfjs-${counter++}`);
    await model.save(fileModelWriter(modelDir));
    const config = await describe_(path.join(modelDir, 'model.json'), { aggregate: 'max' });
    const classifier = await openAudioClassifier(config);
    const rows = await classifier.classify({ images: [clip(22, (i) => (i === 21 ? 1 : 0)), clip(5, () => 1)] });
    // The event is seen last in the window aligned with the end; the short clip is zero-padded (sum 5, last 0).
    assert.deepEqual(
      rows.map((row) => Array.from(row)),
      [
        [1, 1],
        [5, 0],
      ],
    );
    assert.match(classifier.description, /^tfjs-layers: \S+ float32\[-1,8\] window 8 hop 4 max/);
    await classifier.dispose();
  });
});
