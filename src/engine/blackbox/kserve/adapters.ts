// Black boxes served over the Open Inference Protocol (KServe v2 REST), the protocol of NVIDIA Triton,
// KServe/MLServer and OpenVINO Model Server: the image and the sound adapter over the modules beside this one.
// Opening checks the server and the model (ready, metadata) and the description against the model's input before
// any query (metadata.ts); a classify() goes out through the scheduler (scheduler.ts: the answer cache, requests cut
// and kept in flight), each request encoded and its answer decoded by codec.ts and sent by client.ts; answers are
// kept by a hash of their input so a classify() that failed half way, or a re-run with a resume journal, re-sends
// only what was not answered.
import { throwIfCancelled } from '../../core/cancellation';
import { redactSecrets } from '../../core/secrets';
import { AnswerCache, hashKey } from '../answerCache';
import { checkWindowOutput, classifyWindows, requireAudio, type RunWindows } from '../audioWindows';
import type { AudioClassifier, BlackBox, ImageBatch, ImageClassifier, OpenOptions } from '../classifier';
import type { ModelConfig } from '../modelConfig';
import { checkClassVector, packImages, toProbabilities } from '../tensorLayout';
import { answerByteLimit, decodeInferAnswer, encodeInferRequest } from './codec';
import { audioInput, connect, describeModel, imageInput, type Connection } from './metadata';
import { RequestScheduler } from './scheduler';

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

/** Opens an image classifier served over the Open Inference Protocol; the description's `input` is checked against the model's metadata. */
export async function openKserveClassifier(
  config: ModelConfig,
  options: KserveOpenOptions = {},
): Promise<KserveImageClassifier> {
  const connection = await connect(config, options);
  const { meta, source, endpoint } = connection;
  const { input, layout, channels, width: w, height: h, batchSize, outputName } = imageInput(meta, config, source);
  const shape = input.shape;
  const remote = await remoteModel(connection, config, options, {
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
      return remote.scheduler.answer(keys, batchSize, signal, (indices, s) =>
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
  const audio = requireAudio(config);
  const connection = await connect(config, options);
  const { meta, source, endpoint } = connection;
  const { input, layout, batchSize, outputName } = audioInput(meta, config, audio, source);
  const remote = await remoteModel(connection, config, options, { audio, output: config.output });

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
        return remote.scheduler.answer(keys, batchSize, signal, (indices, s) => {
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

// ---------------------------------------------------------------- querying

/** What both adapters query through: one inference request, the scheduler in front of such requests, the statistics. */
interface RemoteModel {
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
  scheduler: RequestScheduler;
  stats(): RemoteStats;
}

async function remoteModel(
  connection: Connection,
  config: ModelConfig,
  options: KserveOpenOptions,
  preprocessing: unknown,
): Promise<RemoteModel> {
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
  const scheduler = new RequestScheduler(cache, endpoint.concurrency, source);
  const counts = { inferRequests: 0, sentInputs: 0 };

  const infer: RemoteModel['infer'] = async (inputName, outputName, data, dims, count, signal, audio = false) => {
    const binary = endpoint.binary;
    const request = encodeInferRequest(inputName, outputName, data, dims, binary);
    const answer = await client.request('POST', `${route}/infer`, request.body, signal, {
      binary: request.binary,
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
    const { output, values } = decodeInferAnswer(answer, outputName, source, (text) => client.redact(text));
    const shape = Array.isArray(output.shape) ? output.shape.map(Number) : undefined;
    if (audio && shape) checkWindowOutput(shape, `output "${output.name}"`, source, '');
    if (shape) checkClassVector(shape, `output "${output.name}"`, source);
    return toProbabilities(values, count, config.output, source);
  };

  return {
    infer,
    scheduler,
    stats: () => ({
      requests: client.requests,
      inferRequests: counts.inferRequests,
      retries: client.retries,
      sentInputs: counts.sentInputs,
      cachedAnswers: scheduler.cachedAnswers,
      journalAnswers: cache.journalAnswers,
      ...(cache.journalFile ? { journal: cache.journalFile } : {}),
    }),
  };
}
