// What a served model is, as its server says: the server and the model checked (ready, served, metadata read) before
// any query, and the input and output the description names picked from the metadata and checked against it (name,
// datatype, shape).
import { DaxError } from '../../core/errors';
import { audioInputLayout, type AudioInputLayout } from '../audioWindows';
import type { AudioInputConfig, EndpointConfig, ModelConfig } from '../modelConfig';
import { imageInputAxes } from '../tensorLayout';
import { KserveClient, type HttpAnswer } from './client';

/** A tensor as model metadata lists it. */
export interface TensorMeta {
  name: string;
  datatype: string;
  /** -1 for a dynamic dimension. */
  shape: number[];
}

export interface ModelMeta {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMeta[];
  outputs: TensorMeta[];
}

/** A connection to one served model, checked: server ready, model served and ready, metadata read. */
export interface Connection {
  endpoint: EndpointConfig;
  client: KserveClient;
  /** `/v2/models/<name>[/versions/<v>]`. */
  route: string;
  meta: ModelMeta;
  raw: unknown;
  source: string;
}

/** Connects to the model a description serves and checks it: server ready, model served and ready, metadata read. */
export async function connect(
  config: ModelConfig,
  options: { env?: Record<string, string | undefined>; backoffMs?: number },
): Promise<Connection> {
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

/**
 * The server's message in an answer to a health, readiness or metadata request: `{"error": "…"}`, else the body's
 * first 300 characters. (An error of any other request is told by the client's httpError, with its serverMessage.)
 */
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

export function describeModel(endpoint: Pick<EndpointConfig, 'model' | 'version'>): string {
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

/** The input a description names (or the only one), refused where the model needs several. */
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

/** Refuses an input that is not FP32, the only datatype sent. */
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

/** The output a description names (checked against the metadata), else the first the metadata lists. */
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

/** A served model's image input, checked against the description: what one request of images is made of. */
export interface ImageInput {
  input: TensorMeta;
  layout: 'NCHW' | 'NHWC';
  channels: number;
  width: number;
  height: number;
  /** Most images one request carries. */
  batchSize: number;
  /** The output asked for; undefined: the model's first. */
  outputName: string | undefined;
}

/** The image input the description names, checked against the metadata: FP32, 4-D, its sizes, channels and batch. */
export function imageInput(meta: ModelMeta, config: ModelConfig, source: string): ImageInput {
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
  return { input, layout, channels, width: width.value!, height: height.value!, batchSize, outputName };
}

/**
 * One axis of the image size: the model's where it fixes one (the description must then agree), else the
 * description's; a problem to report with the other axis's (unlike resolveImageSize, which throws at the first).
 */
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

/** A served model's audio input, checked against the description's `audio` object. */
export interface AudioInput {
  input: TensorMeta;
  layout: AudioInputLayout;
  /** Most windows one request carries. */
  batchSize: number;
  /** The output asked for; undefined: the model's first. */
  outputName: string | undefined;
}

/** The audio input the description names, checked against the metadata: FP32, and a waveform or spectrogram layout. */
export function audioInput(meta: ModelMeta, config: ModelConfig, audio: AudioInputConfig, source: string): AudioInput {
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
  return { input, layout, batchSize, outputName };
}
