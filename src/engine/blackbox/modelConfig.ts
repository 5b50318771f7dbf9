// The model description: which file, how to turn an image into its input tensor, how to read its output.
// The same keys are used by the CLI's JSON files and by the extension's `dax.models` settings.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaxError } from '../core/errors';
import { checkSpectrogramConfig, DEFAULT_SPECTROGRAM_CONFIG, type SpectrogramConfig } from '../audio/spectrogram';

/** How the black box is run. */
export type ModelKind = 'onnx' | 'tfjs' | 'module' | 'kserve';

/** How an image is fitted to the model's input size. */
export type ResizeMode = 'stretch' | 'crop' | 'letterbox';

/** Preprocessing: everything between decoded 8-bit RGB pixels and the model's input tensor. */
export interface ImageInputConfig {
  /** Input tensor name; default: the model's first input. */
  name?: string;
  /** Tensor layout; default: read from the model's input shape when it can be, else NCHW for ONNX, NHWC for TF.js. */
  layout?: 'NCHW' | 'NHWC';
  /** Input width and height in pixels; default: the model's fixed input size. */
  width?: number;
  height?: number;
  /** `stretch` ignores the aspect ratio; `crop` scales to cover and cuts the centre; `letterbox` scales to fit and pads. */
  resize: ResizeMode;
  /** Where a letterboxed image sits in the padded input. */
  align: 'center' | 'top-left';
  /** Value written into letterbox padding, in model units (after scaling and normalisation). */
  padValue: number;
  /** Pixel values are divided by this first: 255 gives 0..1, 1 keeps 0..255. */
  scale: number;
  /** Then `(value - mean[c]) / std[c]` per channel (one number applies to all channels). */
  mean: number[];
  std: number[];
  /** Channel order the model expects; `grey` feeds one channel (ITU-R BT.601 luma). */
  channels: 'RGB' | 'BGR' | 'grey';
}

/** Reading the output. */
export interface OutputConfig {
  /** Output tensor name; default: the model's first output. */
  name?: string;
  /** `auto` keeps rows that are already probabilities and applies softmax otherwise. */
  activation: 'softmax' | 'sigmoid' | 'none' | 'auto';
}

/**
 * An audio model's input: the rate it listens at, how a clip longer than its window is covered, and the
 * spectrogram whose cells the explanation masks (also the model's input when `feature` is `spectrogram`).
 */
export interface AudioInputConfig {
  /** Input tensor name (ONNX); default: the model's first input. */
  name?: string;
  /** Hz; clips are resampled to it. */
  sampleRate: number;
  /**
   * Samples per model call. Default: the model's fixed input length, or the whole clip for free-length models.
   * A clip longer than the window is covered by windows `hop` apart (the last one aligned with the clip's end);
   * a shorter one is zero-padded.
   */
  window?: number;
  /** Samples between windows; default window / 2. */
  hop?: number;
  /** How the windows' scores make the clip's: `max` (the event anywhere) or `mean` (how much of the clip). */
  aggregate: 'max' | 'mean';
  /** Samples in [-1, 1] are multiplied by this first (32768 for models trained on int16 values). */
  scale: number;
  feature: 'waveform' | 'spectrogram';
  spectrogram: SpectrogramConfig;
}

/** Defaults of an audio model's input: 16 kHz waveforms, max over windows, 64 log-mel bands every 8 ms. */
export const DEFAULT_AUDIO_INPUT: AudioInputConfig = {
  sampleRate: 16000,
  aggregate: 'max',
  scale: 1,
  feature: 'waveform',
  spectrogram: DEFAULT_SPECTROGRAM_CONFIG,
};

/** A complete, validated model description with absolute paths. */
export interface ModelConfig {
  name: string;
  kind: ModelKind;
  /**
   * Absolute path of the model file (`.onnx`, `model.json`, or a JavaScript module); for `kserve`, the model's
   * URL (`<endpoint.url>/v2/models/<model>[/versions/<version>]`), which names it in messages and reports.
   */
  path: string;
  /** Where a `kserve` model is served (and only then). */
  endpoint?: EndpointConfig;
  input: ImageInputConfig;
  output: OutputConfig;
  /** Class names, in output order. */
  labels?: string[];
  /** Class to explain: index or label; default the top-1 class of the unperturbed input. */
  target?: number | string;
  /** Largest batch sent to the model at once. */
  batchSize: number;
  /** Present for audio models (the description has an `"audio"` object); `input` then does not apply. */
  audio?: AudioInputConfig;
}

/**
 * A model served over the Open Inference Protocol (KServe v2 REST: Triton, KServe/MLServer, OpenVINO Model Server).
 * Header values are templates: `${env:NAME}` is replaced from the environment at request time, so a parsed
 * configuration (and every report that stores it) holds the template, never the secret.
 */
export interface EndpointConfig {
  /** Base URL, `http(s)://host:port[/prefix]`, without a trailing slash. */
  url: string;
  /** Model name on the server. */
  model: string;
  /** Model version; default the server's choice. */
  version?: string;
  /** Extra request headers (templates, see above). */
  headers: Record<string, string>;
  /** Deadline of one request in milliseconds, its retries and their waits included. */
  timeoutMs: number;
  /** Retries of a request after 429/502/503/504, a dropped connection or a timeout (exponential backoff). */
  retries: number;
  /** Inference requests in flight at once. */
  concurrency: number;
  /** Tensors as raw bytes (the protocol's binary tensor data extension: Triton, OpenVINO Model Server) instead of JSON. */
  binary: boolean;
  /** Folder of the resume journal (answers already received, reused by a re-run); none by default. */
  cacheDir?: string;
}

const DEFAULT_INPUT: ImageInputConfig = {
  resize: 'stretch',
  align: 'center',
  padValue: 0,
  scale: 255,
  mean: [0],
  std: [1],
  channels: 'RGB',
};

/** Infers the kind of model from its file name. */
export function kindFromPath(file: string): ModelKind | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.onnx')) return 'onnx';
  if (lower.endsWith('.json')) return 'tfjs';
  if (/\.(c|m)?js$/.test(lower)) return 'module';
  return undefined;
}

/**
 * Reads `--model`: a model description (`*.json` with a `path` key), or a model file used with default
 * preprocessing (`.onnx`, TF.js `model.json`, `.js` module).
 */
export async function loadModelConfig(
  file: string,
  overrides: Partial<Pick<ModelConfig, 'target'>> = {},
): Promise<ModelConfig> {
  const absolute = path.resolve(file);
  if (absolute.toLowerCase().endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(absolute, 'utf8'));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DaxError(
        'usage',
        code ? `cannot read the model file (${code}).` : `is not valid JSON (${(error as Error).message}).`,
        file,
      );
    }
    // A TF.js model.json has a modelTopology; a description has a path.
    if (isObject(parsed) && 'modelTopology' in parsed)
      return parseModelConfig({ path: absolute, ...overrides }, path.dirname(absolute), file);
    return parseModelConfig({ ...(parsed as object), ...stripUndefined(overrides) }, path.dirname(absolute), file);
  }
  return parseModelConfig({ path: absolute, ...stripUndefined(overrides) }, path.dirname(absolute), file);
}

/** Validates a description (from JSON or settings), resolving relative paths against `baseDir`. */
export async function parseModelConfig(
  raw: unknown,
  baseDir: string,
  source = 'model configuration',
): Promise<ModelConfig> {
  const fail = (message: string): never => {
    throw new DaxError('usage', message, source);
  };
  if (!isObject(raw)) return fail('must be a JSON object.');
  // A served model has an endpoint instead of a file.
  const served = raw.kind === 'kserve' || (raw.kind === undefined && raw.endpoint !== undefined);
  let endpoint: EndpointConfig | undefined;
  let absolutePath: string;
  if (served) {
    if (raw.path !== undefined)
      fail('"path" does not apply to "kind": "kserve"; the model is served at "endpoint.url".');
    endpoint = parseEndpoint(raw.endpoint, baseDir, fail);
    absolutePath = endpointModelUrl(endpoint);
  } else {
    const modelPath = raw.path;
    if (typeof modelPath !== 'string' || modelPath === '')
      return fail('needs "path": the model file (.onnx, model.json or .js).');
    absolutePath = path.resolve(baseDir, modelPath);
    if (raw.endpoint !== undefined)
      fail('"endpoint" applies only to "kind": "kserve" (a model served over the Open Inference Protocol).');
  }
  const kind = served ? 'kserve' : (raw.kind ?? kindFromPath(absolutePath));
  if (kind !== 'onnx' && kind !== 'tfjs' && kind !== 'module' && kind !== 'kserve') {
    return fail(
      `"kind" must be "onnx", "tfjs", "module" or "kserve" (got ${JSON.stringify(raw.kind ?? absolutePath)}).`,
    );
  }
  const inputRaw = raw.input ?? {};
  if (!isObject(inputRaw)) return fail('"input" must be an object.');
  const input: ImageInputConfig = { ...DEFAULT_INPUT };
  for (const [key, value] of Object.entries(inputRaw)) {
    switch (key) {
      case 'name':
        input.name = stringValue(value, 'input.name', fail);
        break;
      case 'layout':
        input.layout = oneOf(value, ['NCHW', 'NHWC'] as const, 'input.layout', fail);
        break;
      case 'width':
      case 'height':
        input[key] = positiveInteger(value, `input.${key}`, fail);
        break;
      case 'resize':
        input.resize = oneOf(value, ['stretch', 'crop', 'letterbox'] as const, 'input.resize', fail);
        break;
      case 'align':
        input.align = oneOf(value, ['center', 'top-left'] as const, 'input.align', fail);
        break;
      case 'padValue':
      case 'scale':
        input[key] = finiteNumber(value, `input.${key}`, fail);
        if (key === 'scale' && input.scale === 0) fail('"input.scale" must not be 0.');
        break;
      case 'mean':
      case 'std': {
        const list = typeof value === 'number' ? [value] : value;
        if (
          !Array.isArray(list) ||
          (list.length !== 1 && list.length !== 3) ||
          !list.every((v) => typeof v === 'number' && Number.isFinite(v))
        ) {
          fail(`"input.${key}" must be a number or a list of 1 or 3 numbers.`);
        }
        if (key === 'std' && (list as number[]).some((v) => v === 0)) fail('"input.std" must not contain 0.');
        input[key] = list as number[];
        break;
      }
      case 'channels':
        input.channels = oneOf(value, ['RGB', 'BGR', 'grey'] as const, 'input.channels', fail);
        break;
      default:
        fail(`unknown key "input.${key}".`);
    }
  }
  const outputRaw = raw.output ?? {};
  if (!isObject(outputRaw)) return fail('"output" must be an object.');
  const output: OutputConfig = { activation: 'auto' };
  for (const [key, value] of Object.entries(outputRaw)) {
    if (key === 'name') output.name = stringValue(value, 'output.name', fail);
    else if (key === 'activation')
      output.activation = oneOf(value, ['softmax', 'sigmoid', 'none', 'auto'] as const, 'output.activation', fail);
    else fail(`unknown key "output.${key}".`);
  }
  let labels: string[] | undefined;
  if (Array.isArray(raw.labels)) {
    labels = raw.labels.map((label) => String(label));
  } else if (typeof raw.labels === 'string') {
    const labelFile = path.resolve(baseDir, raw.labels);
    try {
      labels = (await readFile(labelFile, 'utf8'))
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    } catch (error) {
      fail(`cannot read the labels file ${labelFile} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
  } else if (raw.labels !== undefined) {
    fail('"labels" must be a list of names or the path of a text file with one name per line.');
  }
  let target: number | string | undefined;
  if (raw.target !== undefined && raw.target !== 'top1') {
    if (typeof raw.target === 'number' && Number.isInteger(raw.target) && raw.target >= 0) target = raw.target;
    else if (typeof raw.target === 'string') target = raw.target;
    else fail('"target" must be "top1", a class index or a label.');
  }
  const batchSize = raw.batchSize === undefined ? 32 : positiveInteger(raw.batchSize, 'batchSize', fail);
  const audio = raw.audio === undefined ? undefined : parseAudioInput(raw.audio, fail);
  if (audio && raw.input !== undefined)
    fail('has both "input" (images) and "audio"; an audio model describes its input in "audio".');
  const known = new Set([
    'name',
    'kind',
    'path',
    'endpoint',
    'input',
    'output',
    'labels',
    'target',
    'batchSize',
    'audio',
    'description',
    'licence',
    'license',
  ]);
  for (const key of Object.keys(raw)) if (!known.has(key)) fail(`unknown key "${key}".`);
  const name =
    typeof raw.name === 'string' && raw.name !== ''
      ? raw.name
      : endpoint
        ? endpoint.model
        : path.basename(absolutePath);
  return {
    name,
    kind,
    path: absolutePath,
    ...(endpoint ? { endpoint } : {}),
    input,
    output,
    labels,
    target,
    batchSize,
    ...(audio ? { audio } : {}),
  };
}

/** `<url>/v2/models/<model>[/versions/<version>]`: where the Open Inference Protocol serves a model. */
export function endpointModelUrl(endpoint: Pick<EndpointConfig, 'url' | 'model' | 'version'>): string {
  const version = endpoint.version === undefined ? '' : `/versions/${encodeURIComponent(endpoint.version)}`;
  return `${endpoint.url}/v2/models/${encodeURIComponent(endpoint.model)}${version}`;
}

/** Header names whose values are credentials: they must come from the environment, never be written literally. */
const SECRET_HEADER = /authorization|token|secret|password|api[-_]?key|cookie|credential/i;

function parseEndpoint(raw: unknown, baseDir: string, fail: Fail): EndpointConfig {
  if (raw === undefined)
    return fail('"kind": "kserve" needs "endpoint": {"url": "http://host:port", "model": "name"}.');
  if (!isObject(raw)) return fail('"endpoint" must be an object: {"url": "http://host:port", "model": "name"}.');
  const urlText = stringValue(raw.url, 'endpoint.url', fail);
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    return fail(`"endpoint.url" is not a URL (got ${JSON.stringify(urlText)}); write it as "http://host:port".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(`"endpoint.url" must be http:// or https:// (got ${url.protocol}//).`);
  if (url.username !== '' || url.password !== '') {
    fail(
      '"endpoint.url" must not hold credentials; send them in a header from the environment: "headers": {"Authorization": "Bearer ${env:DAX_TOKEN}"}.',
    );
  }
  if (url.search !== '' || url.hash !== '')
    fail('"endpoint.url" must be the server\'s base URL, without a query or fragment.');
  const endpoint: EndpointConfig = {
    url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    model: '',
    headers: {},
    timeoutMs: 30_000,
    retries: 4,
    concurrency: 2,
    binary: false,
  };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'url':
        break;
      case 'model':
        endpoint.model = stringValue(value, 'endpoint.model', fail);
        break;
      case 'version':
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) endpoint.version = String(value);
        else endpoint.version = stringValue(value, 'endpoint.version', fail);
        break;
      case 'headers':
        if (!isObject(value)) fail('"endpoint.headers" must be an object of header names and values.');
        for (const [header, template] of Object.entries(value as Record<string, unknown>)) {
          if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header))
            fail(`"endpoint.headers": ${JSON.stringify(header)} is not a valid header name.`);
          if (typeof template !== 'string') fail(`"endpoint.headers.${header}" must be a string.`);
          const text = template as string;
          const malformed = text.replace(/\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/g, '').includes('${');
          if (malformed)
            fail(`"endpoint.headers.${header}": write environment variables as \${env:NAME} (letters, digits and _).`);
          if (SECRET_HEADER.test(header) && !/\$\{env:/.test(text)) {
            fail(
              `"endpoint.headers.${header}" holds a credential written out; put it in an environment variable and write ` +
                `"${header}": "${/^authorization$/i.test(header) ? 'Bearer ' : ''}\${env:DAX_TOKEN}" (descriptions and reports keep the template, never the value).`,
            );
          }
          endpoint.headers[header] = text;
        }
        break;
      case 'timeoutMs':
      case 'concurrency':
        endpoint[key] = positiveInteger(value, `endpoint.${key}`, fail);
        break;
      case 'retries':
        if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 20))
          fail('"endpoint.retries" must be an integer from 0 to 20.');
        endpoint.retries = value as number;
        break;
      case 'binary':
        if (typeof value !== 'boolean') fail('"endpoint.binary" must be true or false.');
        endpoint.binary = value as boolean;
        break;
      case 'cacheDir':
        endpoint.cacheDir = path.resolve(baseDir, stringValue(value, 'endpoint.cacheDir', fail));
        break;
      default:
        fail(`unknown key "endpoint.${key}".`);
    }
  }
  if (endpoint.model === '') fail('"endpoint" needs "model": the model\'s name on the server.');
  return endpoint;
}

function parseAudioInput(raw: unknown, fail: Fail): AudioInputConfig {
  if (!isObject(raw)) return fail('"audio" must be an object.');
  const audio: AudioInputConfig = { ...DEFAULT_AUDIO_INPUT, spectrogram: { ...DEFAULT_AUDIO_INPUT.spectrogram } };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'name':
        audio.name = stringValue(value, 'audio.name', fail);
        break;
      case 'sampleRate':
      case 'window':
      case 'hop':
        audio[key] = positiveInteger(value, `audio.${key}`, fail);
        break;
      case 'aggregate':
        audio.aggregate = oneOf(value, ['max', 'mean'] as const, 'audio.aggregate', fail);
        break;
      case 'scale':
        audio.scale = finiteNumber(value, 'audio.scale', fail);
        if (audio.scale === 0) fail('"audio.scale" must not be 0.');
        break;
      case 'feature':
        audio.feature = oneOf(value, ['waveform', 'spectrogram'] as const, 'audio.feature', fail);
        break;
      case 'spectrogram':
        audio.spectrogram = parseSpectrogram(value, fail);
        break;
      default:
        fail(`unknown key "audio.${key}".`);
    }
  }
  if (audio.sampleRate < 1000 || audio.sampleRate > 384000)
    fail(`"audio.sampleRate" must be between 1000 and 384000 Hz, got ${audio.sampleRate}.`);
  if (audio.hop !== undefined && audio.window !== undefined && audio.hop > audio.window)
    fail('"audio.hop" must not exceed "audio.window" (windows would leave gaps).');
  try {
    checkSpectrogramConfig(audio.spectrogram, audio.sampleRate);
  } catch (error) {
    fail(`"audio.spectrogram": ${(error as Error).message}`);
  }
  return audio;
}

function parseSpectrogram(raw: unknown, fail: Fail): SpectrogramConfig {
  if (!isObject(raw)) return fail('"audio.spectrogram" must be an object.');
  const config: SpectrogramConfig = { ...DEFAULT_SPECTROGRAM_CONFIG };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'fftSize':
      case 'hop':
      case 'melBands':
        config[key] = positiveInteger(value, `audio.spectrogram.${key}`, fail);
        break;
      case 'fMin':
      case 'fMax':
        config[key] = finiteNumber(value, `audio.spectrogram.${key}`, fail);
        break;
      case 'window':
        config.window = oneOf(value, ['hann', 'hamming'] as const, 'audio.spectrogram.window', fail);
        break;
      case 'scale':
        config.scale = oneOf(value, ['linear', 'mel'] as const, 'audio.spectrogram.scale', fail);
        break;
      case 'log':
        if (typeof value !== 'boolean') fail('"audio.spectrogram.log" must be true or false.');
        config.log = value as boolean;
        break;
      default:
        fail(`unknown key "audio.spectrogram.${key}".`);
    }
  }
  return config;
}

/** Resolves a target (index or label) to a class index, or undefined for top-1. */
export function resolveTarget(
  target: number | string | undefined,
  labels: readonly string[] | undefined,
  classes: number,
  source: string,
): number | undefined {
  if (target === undefined) return undefined;
  if (typeof target === 'number' || /^\d+$/.test(target)) {
    const index = Number(target);
    // A numeric string that is also a label (PaddleOCR's classes are "0" and "180") means the label.
    const byLabel = typeof target === 'string' ? (labels?.indexOf(target) ?? -1) : -1;
    if (byLabel >= 0) return byLabel;
    if (index >= classes)
      throw new DaxError('usage', `target class ${index} does not exist: the model has ${classes} classes.`, source);
    return index;
  }
  const index = labels?.indexOf(target) ?? -1;
  if (index < 0) {
    throw new DaxError(
      'usage',
      `target "${target}" is not one of the labels${labels ? ` (${labels.slice(0, 10).join(', ')}${labels.length > 10 ? ', …' : ''})` : ' (the model has no labels configured)'}.`,
      source,
    );
  }
  return index;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type Fail = (message: string) => never;

function stringValue(value: unknown, key: string, fail: Fail): string {
  return typeof value === 'string' && value !== '' ? value : fail(`"${key}" must be a non-empty string.`);
}

function finiteNumber(value: unknown, key: string, fail: Fail): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(`"${key}" must be a number.`);
}

function positiveInteger(value: unknown, key: string, fail: Fail): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0
    ? value
    : fail(`"${key}" must be a positive integer.`);
}

function oneOf<T extends string>(value: unknown, options: readonly T[], key: string, fail: Fail): T {
  return options.includes(value as T)
    ? (value as T)
    : fail(`"${key}" must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}.`);
}
