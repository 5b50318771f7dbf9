// Black boxes served over the Open Inference Protocol (KServe v2 REST), the protocol of NVIDIA Triton,
// KServe/MLServer and OpenVINO Model Server. Opening checks the server and the model (ready, metadata) and the
// description against the model's input before any query; a classify() is cut into requests of
// min(batchSize, ceil(inputs / concurrency)) inputs, so that even one call (the engine makes one of 64 queries at a
// time) keeps `endpoint.concurrency` requests in flight, answers reassembled in order; answers are kept by a hash
// of their input so a classify() that failed half way, or a re-run with a resume journal, re-sends only what was
// not answered.
import { throwIfCancelled } from '../core/cancellation';
import { DaxError } from '../core/errors';
import { redactSecrets } from '../core/secrets';
import { AnswerCache, hashKey } from './answerCache';
import type { AudioClassifier, BlackBox, ImageBatch, ImageClassifier, OpenOptions } from './classifier';
import { KserveClient, Limiter, type HttpAnswer } from './kserveClient';
import type { EndpointConfig, ModelConfig } from './modelConfig';
import { audioInputLayout, classifyWindows, type RunWindows } from './audioWindows';
import { checkClassVector, imageInputAxes, packImages, toProbabilities } from './tensorLayout';

/** What the caller may add to the description (`callTimeoutMs` does not apply: "endpoint.timeoutMs" bounds each request). */
export interface KserveOpenOptions extends OpenOptions {
  /** Folder of the resume journal; overrides `endpoint.cacheDir`. */
  resumeDir?: string;
  /** Where `${env:NAME}` is looked up; default process.env. */
  env?: Record<string, string | undefined>;
  /** First retry delay (doubled each retry, with jitter); default 250 ms. */
  backoffMs?: number;
}

/** What a remote black box did: requests (retries included), inputs sent, answers served from the cache. */
export interface RemoteStats {
  /** HTTP requests made, health and metadata included, retries included. */
  requests: number;
  /** Inference requests that answered. */
  inferRequests: number;
  retries: number;
  /** Inputs (images, or audio windows) sent for inference. */
  sentInputs: number;
  /** Inputs answered from the cache instead (this run's earlier answers, or the journal's). */
  cachedAnswers: number;
  /** Answers read from the resume journal when the classifier was opened. */
  journalAnswers: number;
  /** The journal's file, when there is one. */
  journal?: string;
}

export interface KserveImageClassifier extends ImageClassifier {
  stats(): RemoteStats;
}

export interface KserveAudioClassifier extends AudioClassifier {
  stats(): RemoteStats;
}

/** The remote statistics of a black box that has them (a kserve one), else undefined. */
export function remoteStats(classifier: BlackBox): RemoteStats | undefined {
  const candidate = classifier as Partial<KserveImageClassifier>;
  return typeof candidate.stats === 'function' ? candidate.stats() : undefined;
}

/** A tensor as model metadata lists it. */
interface TensorMeta {
  name: string;
  datatype: string;
  /** -1 for a dynamic dimension. */
  shape: number[];
}

interface ModelMeta {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
}

/** A connection to one served model, checked: server ready, model served and ready, metadata read. */
interface Connection {
  endpoint: EndpointConfig;
  client: KserveClient;
  /** `/v2/models/<name>[/versions/<v>]`. */
  route: string;
  meta: ModelMeta;
  raw: unknown;
  source: string;
}

/** Opens an image classifier served over the Open Inference Protocol; the description's `input` is checked against the model's metadata. */
export async function openKserveClassifier(
  config: ModelConfig,
  options: KserveOpenOptions = {},
): Promise<KserveImageClassifier> {
  const connection = await connect(config, options);
  const { meta, source, endpoint } = connection;
  const input = pickInput(meta, config.input.name, source);
  checkDatatype(input, 'image', source);
  const shape = input.shape;
  const shown = `input "${input.name}" FP32[${shape.join(',')}]`;
  if (shape.length !== 4) {
    throw new DaxError(
      'model',
      `${shown}: an image classifier needs a 4-D input, [batch, C, H, W] or [batch, H, W, C] (for Triton, "max_batch_size" > 0 adds the batch dimension).`,
      source,
    );
  }
  const layout = imageInputAxes(shape, config.input.layout).layout;
  const [hAxis, wAxis, cAxis] = layout === 'NCHW' ? [2, 3, 1] : [1, 2, 3];
  const channels = config.input.channels === 'grey' ? 1 : 3;
  const height = resolveSize(shape[hAxis]!, config.input.height, 'height');
  const width = resolveSize(shape[wAxis]!, config.input.width, 'width');
  const wanted =
    layout === 'NCHW'
      ? ['B', channels, height.value ?? 'H', width.value ?? 'W']
      : ['B', height.value ?? 'H', width.value ?? 'W', channels];
  const problems = [height.problem, width.problem].filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new DaxError(
      'usage',
      `${shown} (${layout}) does not fit the description, which gives [${wanted.join(',')}]: ${problems.join('; ')}. ` +
        'Fix the description (or point "endpoint.model" at the model it describes).',
      source,
    );
  }
  const modelChannels = shape[cAxis]!;
  if (modelChannels > 0 && modelChannels !== channels) {
    throw new DaxError(
      'usage',
      `${shown} takes ${modelChannels} channel(s) in ${layout} layout, but the description gives ${channels} ("input.channels": "${config.input.channels}"), ` +
        `that is [${wanted.join(',')}]. Fix "input.channels" or "input.layout".`,
      source,
    );
  }
  const batchSize = batchSizeOf(shape[0]!, config.batchSize, shown, source);
  const outputName = pickOutput(meta, config.output.name, source);
  const [w, h] = [width.value!, height.value!];
  const remote = await remoteRunner(connection, config, options, {
    input: config.input,
    output: config.output,
    width: w,
    height: h,
    layout,
  });

  const send = (
    images: Float32Array[],
    padding: Uint8Array | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Float32Array[]> => {
    const data = packImages(images, w, h, config.input, layout, padding);
    const dims = layout === 'NCHW' ? [images.length, channels, h, w] : [images.length, h, w, channels];
    return remote.infer(input.name, outputName, data, dims, images.length, signal);
  };

  return {
    config,
    width: w,
    height: h,
    labels: config.labels,
    description: redactSecrets(
      `kserve: ${endpoint.url} ${describeModel(endpoint)}: ${input.name} FP32[${shape.join(',')}] ${layout} → ${outputName ?? 'its first output'}; up to ${batchSize} per request, ${endpoint.concurrency} in flight${endpoint.binary ? ', binary tensors' : ''}`,
    ),
    classify(batch: ImageBatch, signal?: AbortSignal) {
      throwIfCancelled(signal);
      const pad = batch.padding ? hashKey(batch.padding) : '';
      const keys = batch.images.map((image) => hashKey(image, pad));
      return remote.answer(keys, batchSize, signal, (indices, s) =>
        send(
          indices.map((i) => batch.images[i]!),
          batch.padding,
          s,
        ),
      );
    },
    stats: remote.stats,
    async dispose() {},
  };
}

/** Opens a sound classifier served over the Open Inference Protocol; waveforms go as [B, N] (or the model's audio layout). */
export async function openKserveAudioClassifier(
  config: ModelConfig,
  options: KserveOpenOptions = {},
): Promise<KserveAudioClassifier> {
  const audio = config.audio;
  if (!audio)
    throw new DaxError(
      'usage',
      'describes an image model; an audio model needs an "audio" object in its description.',
      config.path,
    );
  const connection = await connect(config, options);
  const { meta, source, endpoint } = connection;
  const input = pickInput(meta, audio.name, source);
  checkDatatype(input, 'audio', source);
  const layout = audioInputLayout(
    input.shape,
    audio,
    `input "${input.name}" FP32[${input.shape.join(',')}]`,
    source,
    'first',
  );
  const batchSize = layout.batched ? config.batchSize : 1;
  const outputName = pickOutput(meta, config.output.name, source);
  const remote = await remoteRunner(connection, config, options, { audio, output: config.output });

  return {
    config,
    modality: 'audio',
    sampleRate: audio.sampleRate,
    feature: audio.feature,
    labels: config.labels,
    description: redactSecrets(
      `kserve: ${endpoint.url} ${describeModel(endpoint)}: ${input.name} FP32[${input.shape.join(',')}] ${layout.text} → ${outputName ?? 'its first output'}; up to ${batchSize} per request, ${endpoint.concurrency} in flight${endpoint.binary ? ', binary tensors' : ''}`,
    ),
    classify(batch: ImageBatch, signal?: AbortSignal) {
      throwIfCancelled(signal);
      // classifyWindows hands over enough windows at once for every request in flight; `run` cuts them.
      const run: RunWindows = (data, count, span) => {
        const size = data.length / count;
        const slice = (n: number): Float32Array => data.subarray(n * size, (n + 1) * size);
        const keys = Array.from({ length: count }, (_, n) => hashKey(slice(n), `audio ${span}`));
        return remote.answer(keys, batchSize, signal, (indices, s) => {
          const part = new Float32Array(indices.length * size);
          indices.forEach((n, j) => part.set(slice(n), j * size));
          return remote.infer(input.name, outputName, part, layout.dims(indices.length, span), indices.length, s, true);
        });
      };
      return classifyWindows(batch.images, layout.framing, batchSize * endpoint.concurrency, signal, source, run);
    },
    stats: remote.stats,
    async dispose() {},
  };
}

// ---------------------------------------------------------------- opening

async function connect(config: ModelConfig, options: KserveOpenOptions): Promise<Connection> {
  const endpoint = config.endpoint;
  const source = config.path;
  if (config.kind !== 'kserve' || !endpoint)
    throw new DaxError('usage', 'is not described as a served model: "kind": "kserve" needs an "endpoint".', source);
  const client = new KserveClient({
    url: endpoint.url,
    headers: endpoint.headers,
    timeoutMs: endpoint.timeoutMs,
    retries: endpoint.retries,
    env: options.env,
    backoffMs: options.backoffMs,
  });
  // A missing environment variable is found before any request.
  client.headers();
  const health = await client.request('GET', '/v2/health/ready', undefined, undefined);
  if (health.status !== 200)
    throw client.httpError('GET', '/v2/health/ready', health, `the server at ${endpoint.url} is not ready: `);

  const route = `/v2/models/${encodeURIComponent(endpoint.model)}${endpoint.version === undefined ? '' : `/versions/${encodeURIComponent(endpoint.version)}`}`;
  const metadata = await client.request('GET', route, undefined, undefined);
  if (metadata.status !== 200) throw await notServed(client, endpoint, route, metadata, source);
  const meta = readMetadata(metadata.json, source);

  const ready = await client.request('GET', `${route}/ready`, undefined, undefined);
  const readyFlag = (ready.json as { ready?: unknown } | undefined)?.ready;
  if (ready.status !== 200 || readyFlag === false) {
    const why =
      ready.status !== 200 ? `HTTP ${ready.status}: ${client.redact(serverMessageOf(ready))}` : '"ready": false';
    throw new DaxError(
      'model',
      `${describeModel(endpoint)} is served at ${endpoint.url} but not ready (${why}). Wait for it to load, or check the server's log.`,
      source,
    );
  }
  return { endpoint, client, route, meta, raw: metadata.json, source };
}

function serverMessageOf(answer: HttpAnswer): string {
  const json = answer.json as { error?: unknown } | undefined;
  return typeof json?.error === 'string' ? json.error : answer.text.trim().slice(0, 300) || '(no message)';
}

/** Why the metadata request failed: a model the server does not have (its repository index lists what it has), or the server's message. */
async function notServed(
  client: KserveClient,
  endpoint: EndpointConfig,
  route: string,
  answer: HttpAnswer,
  source: string,
): Promise<DaxError> {
  type Entry = { name?: unknown; version?: unknown; state?: unknown; reason?: unknown };
  let index: Entry[] | undefined;
  try {
    const listed = await client.request('POST', '/v2/repository/index', {}, undefined);
    if (listed.status === 200 && Array.isArray(listed.json))
      index = (listed.json as Entry[]).filter((entry) => typeof entry?.name === 'string');
  } catch {
    // No repository extension: the server's own message is all there is.
  }
  const message = client.redact(serverMessageOf(answer));
  const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
  if (index !== undefined && (answer.status === 404 || answer.status === 400)) {
    // Listed but not loaded (Triton answers 400 for those): not ready, rather than not served.
    const own = index.filter(
      (entry) =>
        entry.name === endpoint.model &&
        (endpoint.version === undefined || text(entry.version) === '' || text(entry.version) === endpoint.version),
    );
    const unready = own.find((entry) => text(entry.state) !== '' && text(entry.state).toUpperCase() !== 'READY');
    if (unready && !own.some((entry) => text(entry.state).toUpperCase() === 'READY')) {
      const reason = text(unready.reason) === '' ? '' : `: ${client.redact(text(unready.reason))}`;
      return new DaxError(
        'model',
        `${describeModel(endpoint)} is listed at ${endpoint.url} but ${text(unready.state)}${reason} (HTTP ${answer.status}: ${message}). Load it, or wait for it to load.`,
        source,
      );
    }
    const names = index.map(
      (entry) =>
        `${text(entry.name)}${text(entry.version) !== '' ? ` v${text(entry.version)}` : ''}${text(entry.state) !== '' ? ` (${text(entry.state)})` : ''}`,
    );
    const listedNames =
      names.length === 0 ? 'no models' : names.slice(0, 20).join(', ') + (names.length > 20 ? ', …' : '');
    return new DaxError(
      'model',
      `${describeModel(endpoint)} is not served at ${endpoint.url} (HTTP ${answer.status}: ${message}); the server has ${listedNames}. Check "endpoint.model" and "endpoint.version".`,
      source,
    );
  }
  if (answer.status === 404) {
    return new DaxError(
      'model',
      `${describeModel(endpoint)} is not served at ${endpoint.url} (HTTP 404 from GET ${route}: ${message}). Check "endpoint.model" and "endpoint.version".`,
      source,
    );
  }
  return client.httpError('GET', route, answer, `cannot read the metadata of ${describeModel(endpoint)}: `);
}

function describeModel(endpoint: Pick<EndpointConfig, 'model' | 'version'>): string {
  return `model "${endpoint.model}"${endpoint.version === undefined ? '' : ` version ${endpoint.version}`}`;
}

function readMetadata(json: unknown, source: string): ModelMeta {
  const meta = json as Partial<ModelMeta> | undefined;
  if (!meta || typeof meta !== 'object' || !Array.isArray(meta.inputs)) {
    throw new DaxError(
      'model',
      'the model metadata has no "inputs" list; is this an Open Inference Protocol (KServe v2) server?',
      source,
    );
  }
  const tensors = (list: unknown, what: string): TensorMeta[] =>
    (Array.isArray(list) ? list : []).map((t: { name?: unknown; datatype?: unknown; shape?: unknown }) => {
      if (typeof t?.name !== 'string' || typeof t.datatype !== 'string' || !Array.isArray(t.shape)) {
        throw new DaxError(
          'model',
          `the model metadata lists an ${what} without "name", "datatype" and "shape": ${JSON.stringify(t).slice(0, 200)}.`,
          source,
        );
      }
      return { name: t.name, datatype: t.datatype.toUpperCase(), shape: t.shape.map((d) => Number(d)) };
    });
  return {
    name: String(meta.name ?? ''),
    versions: Array.isArray(meta.versions) ? meta.versions.map(String) : undefined,
    platform: typeof meta.platform === 'string' ? meta.platform : undefined,
    inputs: tensors(meta.inputs, 'input'),
    outputs: tensors(meta.outputs, 'output'),
  };
}

function pickInput(meta: ModelMeta, name: string | undefined, source: string): TensorMeta {
  const input = name === undefined ? meta.inputs[0] : meta.inputs.find((t) => t.name === name);
  if (!input) {
    throw new DaxError(
      'usage',
      meta.inputs.length === 0
        ? 'the model metadata lists no inputs.'
        : `has no input named "${name}"; its inputs are ${meta.inputs.map((t) => t.name).join(', ')}. Fix "input.name".`,
      source,
    );
  }
  if (meta.inputs.length > 1 && name === undefined) {
    // Only one tensor is sent; a model that needs more would refuse every request.
    throw new DaxError(
      'usage',
      `has ${meta.inputs.length} inputs (${meta.inputs.map((t) => t.name).join(', ')}); name the image or audio input ("input.name" or "audio.name"). Models that need several inputs are not supported.`,
      source,
    );
  }
  return input;
}

function checkDatatype(input: TensorMeta, what: 'image' | 'audio', source: string): void {
  if (input.datatype !== 'FP32') {
    throw new DaxError(
      'usage',
      `input "${input.name}" is ${input.datatype}[${input.shape.join(',')}], but DAX sends FP32 ${what} tensors. Serve the model with an FP32 input ` +
        '(for Triton, a preprocessing step or an ensemble that casts), or name its FP32 input.',
      source,
    );
  }
}

function pickOutput(meta: ModelMeta, name: string | undefined, source: string): string | undefined {
  if (name !== undefined) {
    if (meta.outputs.length > 0 && !meta.outputs.some((t) => t.name === name)) {
      throw new DaxError(
        'usage',
        `has no output named "${name}"; its outputs are ${meta.outputs.map((t) => t.name).join(', ')}. Fix "output.name".`,
        source,
      );
    }
    return name;
  }
  return meta.outputs[0]?.name;
}

function resolveSize(
  dim: number,
  configured: number | undefined,
  what: 'width' | 'height',
): { value?: number; problem?: string } {
  if (dim > 0) {
    if (configured !== undefined && configured !== dim)
      return {
        value: configured,
        problem: `the model takes a fixed ${what} of ${dim}, the description "input.${what}": ${configured}`,
      };
    return { value: dim };
  }
  if (configured === undefined) return { problem: `the model's ${what} is dynamic, so set "input.${what}"` };
  return { value: configured };
}

function batchSizeOf(dim: number, configured: number, shown: string, source: string): number {
  if (dim <= 0) return configured;
  if (dim === 1) return 1;
  throw new DaxError(
    'model',
    `${shown} has a fixed batch of ${dim}; only 1 or a dynamic batch (-1) is supported.`,
    source,
  );
}

// ---------------------------------------------------------------- querying

interface OutputTensor {
  name?: string;
  datatype?: string;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: number };
}

/** The bytes of a float32 tensor in little-endian order, as the binary tensor extension sends them. */
function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A binary output's values (FP32, FP64, FP16, or integers), little-endian. */
function decodeBinary(bytes: Uint8Array, output: OutputTensor, source: string): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readers: Record<string, [number, (offset: number) => number]> = {
    FP32: [4, (o) => view.getFloat32(o, true)],
    FP64: [8, (o) => view.getFloat64(o, true)],
    FP16: [2, (o) => halfToFloat(view.getUint16(o, true))],
    INT32: [4, (o) => view.getInt32(o, true)],
    INT64: [8, (o) => Number(view.getBigInt64(o, true))],
    UINT8: [1, (o) => view.getUint8(o)],
  };
  const reader = readers[String(output.datatype).toUpperCase()];
  if (!reader)
    throw new DaxError(
      'model',
      `output "${output.name}" is ${output.datatype}; class scores must be numbers (FP32, FP64, FP16 or integers).`,
      source,
    );
  const [size, read] = reader;
  if (bytes.length % size !== 0)
    throw new DaxError(
      'model',
      `output "${output.name}" has ${bytes.length} bytes of binary data, not a whole number of ${output.datatype} values.`,
      source,
    );
  return Array.from({ length: bytes.length / size }, (_, i) => read(i * size));
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Values per input assumed for an output whose metadata leaves a dimension free: more classes than any classifier has. */
const FREE_OUTPUT_VALUES = 1 << 16;
/** Bytes one value may take in a JSON answer: the longest float written out, a comma and pretty-printing's indent. */
const JSON_VALUE_BYTES = 48;
/** Room for everything around the values: names, shapes, datatypes, parameters, an error message. */
const ANSWER_MARGIN_BYTES = 1 << 20;

/**
 * The largest answer an inference request of `count` inputs can legitimately have: the requested output's values (its
 * metadata shape past the batch axis; FREE_OUTPUT_VALUES for a free dimension), `count` times, at 8 bytes each in
 * binary or JSON_VALUE_BYTES in JSON, plus ANSWER_MARGIN_BYTES. Without a named output, every output the metadata lists.
 */
export function answerByteLimit(
  meta: Pick<ModelMeta, 'outputs'>,
  outputName: string | undefined,
  count: number,
  binary: boolean,
): number {
  const named = outputName === undefined ? meta.outputs : meta.outputs.filter((t) => t.name === outputName);
  const outputs = named.length > 0 ? named : [{ shape: [-1, -1] }];
  let perInput = 0;
  for (const { shape } of outputs) {
    const dims = shape.slice(1);
    const known = dims.filter((d) => Number.isInteger(d) && d > 0).reduce((a, b) => a * b, 1);
    perInput += dims.some((d) => !(Number.isInteger(d) && d > 0)) ? Math.max(known, FREE_OUTPUT_VALUES) : known;
  }
  return Math.max(1, count) * perInput * (binary ? 8 : JSON_VALUE_BYTES) + ANSWER_MARGIN_BYTES;
}

/**
 * Inputs per inference request when `count` inputs are to be sent in one call: at most `batchSize`, and few enough
 * that the call makes at least `concurrency` requests when it has that many inputs (the last may be smaller).
 */
export function requestSize(count: number, batchSize: number, concurrency: number): number {
  return Math.max(1, Math.min(batchSize, Math.ceil(count / Math.max(1, concurrency))));
}

interface RemoteRunner {
  /** One inference request: `count` inputs packed in `data` with tensor `dims`; one probability row per input. */
  infer(
    inputName: string,
    outputName: string | undefined,
    data: Float32Array,
    dims: number[],
    count: number,
    signal: AbortSignal | undefined,
    audio?: boolean,
  ): Promise<Float32Array[]>;
  /**
   * Rows for inputs by key: cached ones from the cache, the others (each distinct key once) sent through `send` in
   * requests of min(batchSize, ceil(n / concurrency)) inputs (n: the distinct uncached ones), up to `concurrency`
   * in flight, each request's answers kept as they arrive. Cutting by `batchSize` alone would send the engine's
   * calls (64 queries each, one call at a time) as one request when batchSize >= 64, and `concurrency` would never
   * apply; cut this way, every slot has a request while the call lasts. A call larger than concurrency x batchSize
   * (an audio call, cut by classifyWindows to exactly that) is still sent `batchSize` per request. Each request
   * after the first is serialised one event-loop turn later, so the requests reach the server staggered.
   * On a failure no further request starts; those in flight finish (their answers are kept) and the first error
   * is thrown.
   */
  answer(
    keys: string[],
    batchSize: number,
    signal: AbortSignal | undefined,
    send: (indices: number[], signal: AbortSignal | undefined) => Promise<Float32Array[]>,
  ): Promise<Float32Array[]>;
  stats(): RemoteStats;
}

async function remoteRunner(
  connection: Connection,
  config: ModelConfig,
  options: KserveOpenOptions,
  preprocessing: unknown,
): Promise<RemoteRunner> {
  const { client, endpoint, route, source } = connection;
  const cache = new AnswerCache();
  const resumeDir = options.resumeDir ?? endpoint.cacheDir;
  if (resumeDir !== undefined) {
    // Answers are only reused for the same server, model (as its metadata says) and preprocessing.
    await cache.openJournal(resumeDir, {
      protocol: 'open-inference-v2',
      url: endpoint.url,
      route,
      metadata: connection.raw,
      preprocessing,
    });
  }
  const limiter = new Limiter(endpoint.concurrency);
  const counts = { inferRequests: 0, sentInputs: 0, cachedAnswers: 0 };

  const infer: RemoteRunner['infer'] = async (inputName, outputName, data, dims, count, signal, audio = false) => {
    const binary = endpoint.binary;
    const body = {
      inputs: [
        {
          name: inputName,
          shape: dims,
          datatype: 'FP32',
          ...(binary ? { parameters: { binary_data_size: data.byteLength } } : { data: Array.from(data) }),
        },
      ],
      ...(outputName !== undefined
        ? { outputs: [{ name: outputName, ...(binary ? { parameters: { binary_data: true } } : {}) }] }
        : {}),
      ...(binary && outputName === undefined ? { parameters: { binary_data_output: true } } : {}),
    };
    const answer = await client.request('POST', `${route}/infer`, body, signal, {
      binary: binary ? littleEndianBytes(data) : undefined,
      maxBytes: answerByteLimit(connection.meta, outputName, count, binary),
    });
    if (answer.status !== 200)
      throw client.httpError(
        'POST',
        `${route}/infer`,
        answer,
        `${describeModel(endpoint)} failed on a batch of shape [${dims.join(',')}]: `,
      );
    counts.inferRequests++;
    counts.sentInputs += count;
    const outputs = (answer.json as { outputs?: unknown } | undefined)?.outputs;
    if (!Array.isArray(outputs) || outputs.length === 0) {
      throw new DaxError(
        'model',
        `the inference response has no "outputs" (${client.redact(answer.text.slice(0, 200))}).`,
        source,
      );
    }
    const position =
      outputName === undefined ? 0 : outputs.findIndex((o: { name?: unknown }) => o?.name === outputName);
    const output = outputs[position] as OutputTensor | undefined;
    if (!output)
      throw new DaxError(
        'model',
        `the inference response has no output "${outputName}" (it has ${outputs.map((o: { name?: unknown }) => String(o?.name)).join(', ')}).`,
        source,
      );
    let values: ArrayLike<number>;
    if (Array.isArray(output.data)) {
      values = (output.data as unknown[])
        .flat(Infinity)
        .map((v) => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN));
    } else if (typeof output.parameters?.binary_data_size === 'number' && answer.binary) {
      // Binary outputs follow the JSON part in the order of "outputs".
      let offset = 0;
      for (const before of outputs.slice(0, position) as OutputTensor[])
        offset += Number(before?.parameters?.binary_data_size ?? 0);
      values = decodeBinary(
        answer.binary.subarray(offset, offset + output.parameters.binary_data_size),
        output,
        source,
      );
    } else {
      throw new DaxError('model', `output "${output.name}" has neither a "data" list nor binary data.`, source);
    }
    if (audio && Array.isArray(output.shape) && output.shape.slice(1, -1).some((d) => Number(d) > 1)) {
      throw new DaxError(
        'model',
        `output "${output.name}" has shape [${output.shape.join(', ')}]; an audio classifier must give one row of class scores per window, [batch, classes].`,
        source,
      );
    }
    if (Array.isArray(output.shape)) checkClassVector(output.shape.map(Number), `output "${output.name}"`, source);
    return toProbabilities(values, count, config.output, source);
  };

  const answer: RemoteRunner['answer'] = async (keys, batchSize, signal, send) => {
    const rows: Float32Array[] = new Array(keys.length);
    const pending = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const cached = cache.get(key);
      if (cached) {
        rows[i] = cached.slice();
        counts.cachedAnswers++;
      } else {
        const same = pending.get(key);
        if (same) same.push(i);
        else pending.set(key, [i]);
      }
    });
    const unique = [...pending.keys()];
    let failure: { error: unknown } | undefined;
    const requests: Promise<void>[] = [];
    const size = requestSize(unique.length, batchSize, limiter.limit);
    for (let start = 0; start < unique.length; start += size) {
      const chunk = unique.slice(start, start + size);
      const first = start === 0;
      const task = limiter.run(async () => {
        // Serialising a request blocks the thread (16 images of 192x48 are ~8 MB of JSON): one turn of the event
        // loop first lets the previous request's body go out, so the server works on it while this one is written,
        // instead of receiving all the call's requests at once after every one was serialised (bench/remote.ts, 2
        // cores: the query phase at 4 in flight went from ~1.1x to ~1.3x faster than at 1).
        if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
        if (failure || signal?.aborted) return;
        try {
          const answered = await send(
            chunk.map((key) => pending.get(key)![0]!),
            signal,
          );
          if (answered.length !== chunk.length)
            throw new DaxError('model', `returned ${answered.length} rows for ${chunk.length} inputs.`, source);
          await cache.put(chunk.map((key, j) => [key, answered[j]!.slice()]));
          chunk.forEach((key, j) =>
            pending.get(key)!.forEach((i, k) => (rows[i] = k === 0 ? answered[j]! : answered[j]!.slice())),
          );
        } catch (error) {
          // Set before the next request is let through.
          failure ??= { error };
        }
      });
      requests.push(task);
    }
    await Promise.all(requests);
    throwIfCancelled(signal);
    if (failure) throw failure.error;
    return rows;
  };

  return {
    infer,
    answer,
    stats: () => ({
      requests: client.requests,
      inferRequests: counts.inferRequests,
      retries: client.retries,
      sentInputs: counts.sentInputs,
      cachedAnswers: counts.cachedAnswers,
      journalAnswers: cache.journalAnswers,
      ...(cache.journalFile ? { journal: cache.journalFile } : {}),
    }),
  };
}
