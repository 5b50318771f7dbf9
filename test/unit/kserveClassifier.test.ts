// A black box served over the Open Inference Protocol (KServe v2 REST), against a protocol server started here on
// 127.0.0.1 (test/helpers/kserveServer.ts) that serves real ONNX models through onnxruntime-node, with faults.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, readdir } from 'node:fs/promises';
import { loadModelConfig, parseModelConfig, type ModelConfig } from '../../src/engine/blackbox/modelConfig';
import type { AudioClassifier, ImageClassifier } from '../../src/engine/blackbox/classifier';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { openAudioClassifier } from '../../src/engine/blackbox/openAudioClassifier';
import { remoteStats, type KserveOpenOptions } from '../../src/engine/blackbox/kserve/adapters';
import { DaxError } from '../../src/engine/core/errors';
import { tempDir } from '../helpers/files';
import { encodeOnnxModel, energyDetectorModel, probeModel, writeOnnxModel } from '../helpers/onnxModels';
import { startKserveServer, unusedPort, type KserveTestServer } from '../helpers/kserveServer';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'text-direction.model.json');
const TOKEN = 'dax-s3cret-token-0123456789';

let server: KserveTestServer;
let example: Record<string, unknown>;
let local: ImageClassifier;
let dir: string;

before(async () => {
  dir = await tempDir('dax-kserve-');
  const localConfig = await loadModelConfig(EXAMPLE);
  example = JSON.parse(await readFile(EXAMPLE, 'utf8')) as Record<string, unknown>;
  server = await startKserveServer([
    { name: 'direction', version: '1', model: localConfig.path },
    {
      name: 'energy',
      model: encodeOnnxModel(energyDetectorModel({ shape: ['batch', 'n'], from: 0, to: 400, threshold: 4 })),
    },
    { name: 'nan', model: encodeOnnxModel(probeModel({ shape: ['batch', 'n'], bias: [NaN, 0, 0, 0, 0, 0] })) },
  ]);
  local = await openClassifier(localConfig);
});

after(async () => {
  await local?.dispose();
  await server?.close();
});

beforeEach(() => {
  const { faults } = server;
  Object.assign(faults, {
    inferDelayMs: 0,
    delayMs: 0,
    unavailable: 0,
    retryAfter: undefined,
    unavailableMessage: 'server is busy',
    serverNotReady: false,
  });
  faults.dropInfers.clear();
  faults.failInfers.clear();
  faults.metadataShape.clear();
  faults.metadataDatatype.clear();
  faults.notReady.clear();
  faults.unloaded.clear();
  server.resetCounts();
});

/** The text-direction example, served as "direction", with these endpoint keys (and other keys). */
function describeRemote(
  endpoint: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<ModelConfig> {
  const { path: _path, name: _name, ...rest } = example;
  return parseModelConfig(
    {
      ...rest,
      name: 'remote direction',
      kind: 'kserve',
      endpoint: { url: server.url, model: 'direction', retries: 0, ...endpoint },
      batchSize: 4,
      ...extra,
    },
    dir,
    'remote.model.json',
  );
}

async function openRemote(
  endpoint: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
  options: KserveOpenOptions = {},
): Promise<ImageClassifier> {
  return openClassifier(await describeRemote(endpoint, extra), { backoffMs: 5, ...options });
}

/** `count` pictures at the model's 192 x 48, RGB 0..255, different for each seed. */
function pictures(count: number, seed: number): Float32Array[] {
  let state = seed * 7919 + 17;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  return Array.from({ length: count }, () =>
    Float32Array.from({ length: 192 * 48 * 3 }, () => Math.floor(next() * 256)),
  );
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((row, i) => row.forEach((v, c) => (max = Math.max(max, Math.abs(v - b[i]![c]!)))));
  return max;
}

/**
 * The sizes of the requests one classify() of `n` distinct new inputs is cut into, written out from the rule:
 * requests of min(batchSize, ceil(n / concurrency)) inputs, the last one smaller.
 */
function cut(n: number, batchSize: number, concurrency: number): number[] {
  const size = Math.min(batchSize, Math.ceil(n / concurrency));
  return Array.from({ length: Math.ceil(n / size) }, (_, k) => Math.min(size, n - k * size));
}

/** Request sizes as the server saw them, in a fixed order (requests in flight together arrive in any order). */
const sorted = (sizes: readonly number[]): number[] => [...sizes].sort((a, b) => a - b);

/** Expects a DaxError of `kind` whose message matches every pattern. */
async function rejectsWith(
  promise: Promise<unknown>,
  kind: DaxError['kind'],
  ...patterns: RegExp[]
): Promise<DaxError> {
  let caught: DaxError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DaxError, `expected a DaxError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    for (const pattern of patterns) assert.match(error.message, pattern);
    caught = error;
    return true;
  });
  return caught!;
}

describe('a model served over the Open Inference Protocol', () => {
  test('answers as onnxruntime does in process on the same inputs', async () => {
    const remote = await openRemote();
    const images = pictures(6, 1);
    const padding = new Uint8Array(192 * 48);
    padding.fill(1, 192 * 40);
    const [a, b] = [await remote.classify({ images, padding }), await local.classify({ images, padding })];
    assert.ok(maxAbsDiff(a, b) < 1e-5, `max abs diff ${maxAbsDiff(a, b)}`);
    assert.ok(maxAbsDiff(await remote.classify({ images }), await local.classify({ images })) < 1e-5);
    assert.deepEqual([remote.width, remote.height], [192, 48]);
    assert.equal(
      remote.description,
      `kserve: ${server.url} model "direction": x FP32[-1,3,-1,-1] NCHW → softmax_0.tmp_0; up to 4 per request, 2 in flight`,
    );
    // 6 images, 2 in flight: 2 requests of 3 (not 4 + 2), both sent at once.
    assert.deepEqual(server.counts.batches, [...cut(6, 4, 2), ...cut(6, 4, 2)]);
    assert.deepEqual(cut(6, 4, 2), [3, 3]);
    assert.equal(remote.config.path, `${server.url}/v2/models/direction`);
    await remote.dispose();
  });

  test('with "binary": true, tensors go as raw bytes (the binary tensor extension), with the same answers', async () => {
    const remote = await openRemote({ binary: true, retries: 1 }, { batchSize: 3 });
    server.faults.dropInfers.add(1);
    const images = pictures(5, 18);
    const rows = await remote.classify({ images });
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    assert.deepEqual(cut(5, 3, 2), [3, 2]);
    assert.equal(server.counts.infers, cut(5, 3, 2).length + 1, 'a dropped request, retried, and the second');
    assert.deepEqual([server.counts.binaryInputs, server.counts.binaryOutputs], [2, 2]);
    assert.match(remote.description, /, binary tensors$/);
  });

  test('a version is part of every route', async () => {
    const remote = await openRemote({ version: 1 });
    await remote.classify({ images: pictures(1, 2) });
    assert.equal(server.counts.routes.get('POST /v2/models/direction/versions/1/infer'), 1);
    await rejectsWith(
      openRemote({ version: '7' }),
      'model',
      /model "direction" version 7 is not served at http:\/\/127\.0\.0\.1:\d+ \(HTTP 404: Model with name direction and version 7 does not exist\.\); the server has direction v1 \(READY\)/,
    );
  });

  test('a batch is cut into requests of min(batchSize, ceil(n / concurrency)), exactly `concurrency` in flight, answers in order', async () => {
    const remote = await openRemote({ concurrency: 3 }, { batchSize: 3 });
    server.faults.inferDelayMs = 80;
    const images = pictures(11, 3);
    const rows = await remote.classify({ images });
    // More inputs than concurrency x batchSize: batchSize caps the requests.
    assert.deepEqual(sorted(server.counts.batches), sorted(cut(11, 3, 3)));
    assert.deepEqual(sorted(cut(11, 3, 3)), [2, 3, 3, 3]);
    assert.equal(server.counts.maxInFlight, 3);
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    assert.deepEqual(remoteStats(remote), {
      requests: 3 + 4,
      inferRequests: 4,
      retries: 0,
      sentInputs: 11,
      cachedAnswers: 0,
      journalAnswers: 0,
    });

    // The engine's pattern: one call of 64 queries at a time, with batchSize 64. Cut by batchSize alone this was
    // one request whatever the concurrency; now every slot gets one, and 2 and 4 in flight are reached.
    const engineCall = pictures(64, 19);
    const expected = await local.classify({ images: engineCall });
    // Long enough that every request is sent before the first is answered, even on a loaded machine (encoding 16
    // pictures as JSON can take longer than 80 ms there).
    server.faults.inferDelayMs = 400;
    for (const [concurrency, sizes] of [
      [1, [64]],
      [2, [32, 32]],
      [4, [16, 16, 16, 16]],
    ] as const) {
      server.resetCounts();
      const wide = await openRemote({ concurrency }, { batchSize: 64 });
      const answered = await wide.classify({ images: engineCall });
      assert.deepEqual(cut(64, 64, concurrency), sizes);
      assert.deepEqual(server.counts.batches, sizes, `concurrency ${concurrency}`);
      assert.equal(server.counts.maxInFlight, concurrency, `concurrency ${concurrency}: requests in flight at once`);
      assert.ok(maxAbsDiff(answered, expected) < 1e-5);
      assert.equal(remoteStats(wide)!.inferRequests, concurrency);
      await wide.dispose();
    }
  });

  test('one request at a time with concurrency 1', async () => {
    const remote = await openRemote({ concurrency: 1 }, { batchSize: 2 });
    server.faults.inferDelayMs = 30;
    await remote.classify({ images: pictures(6, 4) });
    assert.deepEqual(server.counts.batches, [2, 2, 2]);
    assert.equal(server.counts.maxInFlight, 1);
  });

  test('a slow server trips the timeout: a model error that names it and the key to change', async () => {
    const remote = await openRemote({ timeoutMs: 150, retries: 1 });
    server.faults.inferDelayMs = 1000;
    const started = performance.now();
    await rejectsWith(
      remote.classify({ images: pictures(2, 5) }),
      'model',
      /POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/direction\/infer timed out after 150 ms \(the deadline of one request, its retries included\)/,
      /"endpoint\.timeoutMs"/,
    );
    assert.ok(performance.now() - started < 900, `took ${performance.now() - started} ms`);
    // 2 images, 2 in flight: 2 requests of 1, sent together; the deadline is each request's, so a timed-out one is not retried.
    assert.deepEqual(cut(2, 4, 2), [1, 1]);
    assert.equal(server.counts.infers, cut(2, 4, 2).length);
  });

  test('a burst of 503 is retried with backoff and the run goes on', async () => {
    const remote = await openRemote({ retries: 4 });
    server.faults.unavailable = 3;
    server.faults.retryAfter = '0';
    const images = pictures(4, 6);
    const rows = await remote.classify({ images });
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    // The requests (2 of 2 images) and the 3 answered 503 between them.
    assert.equal(server.counts.infers, cut(4, 4, 2).length + 3);
    assert.deepEqual(server.counts.batches, [2, 2]);
    assert.equal(remoteStats(remote)!.retries, 3);
  });

  test('Retry-After is honoured', async () => {
    const remote = await openRemote({ retries: 1 });
    server.faults.unavailable = 1;
    server.faults.retryAfter = '1';
    const started = performance.now();
    await remote.classify({ images: pictures(1, 7) });
    assert.ok(performance.now() - started >= 950, `retried after ${performance.now() - started} ms`);
  });

  test("when the retries run out, the error has the status and the server's message", async () => {
    const remote = await openRemote({ retries: 2 });
    server.faults.unavailable = 10;
    server.faults.unavailableMessage = 'GPU memory exhausted, try later';
    await rejectsWith(
      remote.classify({ images: pictures(1, 8) }),
      'model',
      /model "direction" failed on a batch of shape \[1,3,48,192\]: HTTP 503 from POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/direction\/infer \(after 2 retries\): GPU memory exhausted, try later/,
    );
    assert.equal(server.counts.infers, 3);
  });

  test("an HTTP error that retrying cannot fix fails at once with the server's message", async () => {
    const remote = await openRemote({ retries: 4 });
    server.faults.failInfers.set(1, { status: 400, message: 'input x: unexpected shape' });
    await rejectsWith(
      remote.classify({ images: pictures(1, 9) }),
      'model',
      /HTTP 400 from POST .*\/infer: input x: unexpected shape/,
    );
    assert.equal(server.counts.infers, 1);
  });

  test('a connection dropped mid-run is retried', async () => {
    const remote = await openRemote({ retries: 2, concurrency: 1 }, { batchSize: 2 });
    server.faults.dropInfers.add(2);
    const images = pictures(6, 10);
    const rows = await remote.classify({ images });
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    assert.equal(server.counts.infers, 4);
    assert.equal(server.counts.answeredItems, 6);
  });

  test('a dropped connection with no retries left is a model error that says so', async () => {
    const remote = await openRemote({ retries: 0 });
    server.faults.dropInfers.add(1);
    await rejectsWith(
      remote.classify({ images: pictures(1, 11) }),
      'model',
      /the connection to http:\/\/127\.0\.0\.1:\d+\/v2\/models\/direction\/infer failed: (UND_ERR_SOCKET|ECONNRESET)/,
    );
  });

  test('after a failure, classifying the same inputs again sends only the unanswered ones', async () => {
    const remote = await openRemote({ retries: 0, concurrency: 1 }, { batchSize: 2 });
    server.faults.failInfers.set(3, { status: 500, message: 'worker crashed' });
    const images = pictures(8, 12);
    await rejectsWith(remote.classify({ images }), 'model', /HTTP 500 .*: worker crashed/);
    assert.equal(server.counts.infers, 3);
    assert.equal(server.counts.answeredItems, 4);
    server.resetCounts();
    const rows = await remote.classify({ images });
    assert.deepEqual(server.counts.batches, [2, 2]);
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    assert.equal(remoteStats(remote)!.cachedAnswers, 4);
  });

  test('identical inputs in one batch are sent once', async () => {
    const remote = await openRemote();
    const [a, b] = pictures(2, 13);
    const rows = await remote.classify({ images: [a!, b!, a!, a!] });
    assert.equal(server.counts.answeredItems, 2);
    // Cut by the distinct inputs: 2 of them, 2 in flight.
    assert.deepEqual(server.counts.batches, cut(2, 4, 2));
    assert.deepEqual(rows[2], rows[0]);
    assert.deepEqual(rows[3], rows[0]);
    assert.notEqual(rows[2], rows[0], 'each row is its own array');
  });

  test('a resume journal lets a new classifier (a re-run) skip the answered queries; other preprocessing does not reuse it', async () => {
    const resumeDir = path.join(dir, 'journal');
    const first = await openRemote({ concurrency: 1 }, { batchSize: 3 }, { resumeDir });
    server.faults.failInfers.set(2, { status: 500, message: 'lost the GPU' });
    const images = pictures(9, 14);
    await rejectsWith(first.classify({ images }), 'model', /lost the GPU/);
    await first.dispose();
    assert.equal(server.counts.answeredItems, 3);
    assert.equal((await readdir(resumeDir)).length, 1);

    server.faults.failInfers.clear();
    server.resetCounts();
    const second = await openRemote({ concurrency: 1, cacheDir: resumeDir }, { batchSize: 3 });
    assert.equal(remoteStats(second)!.journalAnswers, 3);
    const rows = await second.classify({ images });
    assert.equal(server.counts.answeredItems, 6);
    assert.ok(maxAbsDiff(rows, await local.classify({ images })) < 1e-5);
    assert.equal(remoteStats(second)!.cachedAnswers, 3);

    server.resetCounts();
    const input = { ...(example.input as object), mean: [0.4, 0.4, 0.4] };
    const other = await openRemote({ concurrency: 1 }, { batchSize: 3, input }, { resumeDir });
    assert.equal(remoteStats(other)!.journalAnswers, 0);
    await other.classify({ images: images.slice(0, 3) });
    assert.equal(server.counts.answeredItems, 3);
  });

  test('a shape in the metadata that the description does not fit: usage error naming both, before any inference', async () => {
    server.faults.metadataShape.set('direction', [-1, 3, 32, 32]);
    await rejectsWith(
      openRemote(),
      'usage',
      /^remote\.model\.json|^http:\/\/127\.0\.0\.1:\d+\/v2\/models\/direction: /,
      /input "x" FP32\[-1,3,32,32\] \(NCHW\) does not fit the description, which gives \[B,3,48,192\]/,
      /fixed height of 32, the description "input\.height": 48/,
      /fixed width of 32, the description "input\.width": 192/,
    );
    server.faults.metadataShape.set('direction', [-1, 1, 48, 192]);
    await rejectsWith(
      openRemote(),
      'usage',
      /takes 1 channel\(s\) in NCHW layout, but the description gives 3 \("input.channels": "RGB"\)/,
    );
    server.faults.metadataShape.set('direction', [-1, 3, 48]);
    await rejectsWith(openRemote(), 'model', /an image classifier needs a 4-D input/);
    assert.equal(server.counts.infers, 0);
  });

  test('a datatype other than FP32: usage error before any inference', async () => {
    server.faults.metadataDatatype.set('direction', 'UINT8');
    await rejectsWith(openRemote(), 'usage', /input "x" is UINT8\[-1,3,-1,-1\], but DAX sends FP32 image tensors/);
    assert.equal(server.counts.infers, 0);
  });

  test('a dynamic size with no size in the description says which key to set', async () => {
    const { width: _w, height: _h, ...input } = example.input as Record<string, unknown>;
    await rejectsWith(
      openRemote({}, { input }),
      'usage',
      /the model's height is dynamic, so set "input\.height"; the model's width is dynamic, so set "input\.width"/,
    );
  });

  test('no server at the port: "cannot reach", after the retries', async () => {
    const port = await unusedPort();
    const config = await describeRemote({ url: `http://127.0.0.1:${port}`, retries: 2 });
    await rejectsWith(
      openClassifier(config, { backoffMs: 5 }),
      'model',
      new RegExp(
        `^cannot reach http://127\\.0\\.0\\.1:${port}/v2/health/ready: ECONNREFUSED — is the server running\\? \\(3 attempts\\)$`,
      ),
    );
  });

  test('a model that is not ready, a server that is not ready, a model that is not served', async () => {
    server.faults.notReady.add('direction');
    await rejectsWith(
      openRemote(),
      'model',
      /model "direction" is served at http:\/\/127\.0\.0\.1:\d+ but not ready \(HTTP 400: Model direction is not ready: still loading\)/,
    );
    server.faults.notReady.clear();
    server.faults.serverNotReady = true;
    await rejectsWith(
      openRemote({ retries: 1 }),
      'model',
      /the server at http:\/\/127\.0\.0\.1:\d+ is not ready: HTTP 503 from GET .*\/v2\/health\/ready \(after 1 retry\): server is starting/,
    );
    server.faults.serverNotReady = false;
    await rejectsWith(
      openRemote({ model: 'resnet50' }),
      'model',
      /model "resnet50" is not served at .*; the server has direction v1 \(READY\), energy v1 \(READY\), nan v1 \(READY\)\. Check "endpoint\.model"/,
    );
    server.faults.unloaded.add('direction');
    await rejectsWith(
      openRemote(),
      'model',
      /model "direction" is listed at http:\/\/127\.0\.0\.1:\d+ but UNAVAILABLE: unloaded \(HTTP 400: Request for unknown model: 'direction' is not found\)\. Load it/,
    );
    assert.equal(server.counts.infers, 0);
  });

  test('${env:NAME} in a header reaches the server but never the description, the config or a message', async () => {
    const headers = { Authorization: 'Bearer ${env:DAX_TEST_TOKEN}', 'X-Team': 'vision' };
    const remote = await openRemote({ headers }, {}, { env: { DAX_TEST_TOKEN: TOKEN } });
    await remote.classify({ images: pictures(1, 15) });
    assert.equal(server.counts.lastHeaders?.authorization, `Bearer ${TOKEN}`);
    assert.equal(server.counts.lastHeaders?.['x-team'], 'vision');
    assert.equal(remote.config.endpoint!.headers.Authorization, 'Bearer ${env:DAX_TEST_TOKEN}');
    assert.ok(!JSON.stringify(remote.config).includes(TOKEN));
    assert.ok(!remote.description.includes(TOKEN));
    // A server that echoes the credential in an error: the message shows *** instead.
    server.faults.failInfers.set(2, { status: 401, message: `token Bearer ${TOKEN} is not valid for this model` });
    const error = await rejectsWith(
      remote.classify({ images: pictures(1, 16) }),
      'model',
      /HTTP 401 .*: token \*\*\* is not valid/,
    );
    assert.ok(!error.message.includes(TOKEN));
  });

  test('a header variable that is not set is a usage error naming it, before any request', async () => {
    server.resetCounts();
    await rejectsWith(
      openRemote({ headers: { Authorization: 'Bearer ${env:DAX_TEST_MISSING}' } }, {}, { env: {} }),
      'usage',
      /header "Authorization" of the model's endpoint needs the environment variable DAX_TEST_MISSING, which is not set/,
    );
    assert.equal(server.counts.requests, 0);
  });

  test('cancelling stops a slow request promptly', async () => {
    const remote = await openRemote({ retries: 3 });
    server.faults.inferDelayMs = 3000;
    const controller = new AbortController();
    let abortedAt = 0;
    // Cancel once both requests are with the server.
    const poll = setInterval(() => {
      if (server.counts.inFlight === 2) {
        clearInterval(poll);
        abortedAt = performance.now();
        controller.abort();
      }
    }, 5);
    await rejectsWith(remote.classify({ images: pictures(12, 17) }, controller.signal), 'cancelled', /cancelled/);
    clearInterval(poll);
    assert.ok(
      abortedAt > 0 && performance.now() - abortedAt < 300,
      `stopped ${performance.now() - abortedAt} ms after the cancel`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(server.counts.infers, 2, 'no request starts after the cancel (nor is one retried)');
  });

  test('non-finite outputs are a model error', async () => {
    const config = await parseModelConfig(
      {
        kind: 'kserve',
        endpoint: { url: server.url, model: 'nan', retries: 0 },
        audio: { sampleRate: 16000 },
        output: { activation: 'none' },
      },
      dir,
      'nan.model.json',
    );
    const remote = await openAudioClassifier(config);
    await rejectsWith(remote.classify({ images: [new Float32Array(100)] }), 'model', /returned NaN in its output/);
  });
});

describe('a sound classifier served over the Open Inference Protocol', () => {
  test("waveforms go as [B, N] windows and the answers equal onnxruntime's in process", async () => {
    const audio = { sampleRate: 16000, window: 800, hop: 400, aggregate: 'max' };
    const graphFile = await writeOnnxModel(
      dir,
      'energy.onnx',
      energyDetectorModel({ shape: ['batch', 'n'], from: 0, to: 400, threshold: 4 }),
    );
    const common = { audio, output: { activation: 'softmax' }, labels: ['quiet', 'event'], batchSize: 3 };
    const localAudio: AudioClassifier = await openAudioClassifier(
      await parseModelConfig({ path: graphFile, ...common }, dir),
    );
    const remote = await openAudioClassifier(
      await parseModelConfig(
        { kind: 'kserve', endpoint: { url: server.url, model: 'energy', concurrency: 2 }, ...common },
        dir,
      ),
    );
    assert.equal(remote.modality, 'audio');
    assert.match(
      remote.description,
      /^kserve: .* model "energy": audio FP32\[-1,-1\] window 800 hop 400 max → logits; up to 3 per request, 2 in flight$/,
    );
    let state = 3;
    const noise = (): number => ((state = (state * 48271) % 2147483647) / 2147483647) * 2 - 1;
    const clips = [0.05, 0.1, 0.2].map((level) => Float32Array.from({ length: 4000 }, () => level * noise()));
    const rows = await remote.classify({ images: clips });
    assert.ok(maxAbsDiff(rows, await localAudio.classify({ images: clips })) < 1e-5);
    // 9 windows a clip (0, 400, …, 3200), 27 in all, handed over batchSize x concurrency = 6 at a time (6, 6, 6, 6,
    // 3): full calls go 3 per request, the last call of 3 as 2 + 1 so both slots work.
    assert.equal(server.counts.answeredItems, 27);
    assert.deepEqual(sorted(server.counts.batches), sorted([6, 6, 6, 6, 3].flatMap((n) => cut(n, 3, 2))));
    assert.deepEqual(sorted(server.counts.batches), [1, 2, ...Array<number>(8).fill(3)]);
    await localAudio.dispose();
  });
});
