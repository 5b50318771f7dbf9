// A small Open Inference Protocol (KServe v2 REST) server for tests: serves ONNX models through onnxruntime-node on
// 127.0.0.1 (a free port), with JSON tensors, and the faults a remote model shows: slow answers, bursts of 503 with
// Retry-After, connections dropped mid-request, models not ready, metadata that lies about the input, errors with a
// message. It counts what it sees (requests, inference requests and their batch sizes, requests in flight at
// once, headers) so tests can check the client's behaviour from the server's side.
//
// Implemented (https://kserve.github.io/website/latest/modelserving/data_plane/v2_protocol/):
//   GET  /v2/health/live, /v2/health/ready, /v2
//   GET  /v2/models/{name}[/versions/{v}]          metadata {name, versions, platform, inputs, outputs}
//   GET  /v2/models/{name}[/versions/{v}]/ready    {name, ready}
//   POST /v2/models/{name}[/versions/{v}]/infer    {inputs: [{name, shape, datatype, data}], outputs?: [{name}]}
//   POST /v2/repository/index                      [{name, version, state, reason}] (the repository extension)
//   the binary tensor data extension (Inference-Header-Content-Length; binary_data_size, binary_data)
// Errors are {"error": "<message>"} with a 4xx/5xx status, as the protocol says.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';

export interface ServedModel {
  name: string;
  /** The version it is served as (routes with another version answer 404); default "1". */
  version?: string;
  /** An .onnx file or its bytes. */
  model: string | Uint8Array;
}

/** Faults to inject; change them at any time. Indices count inference requests from 1. */
export interface Faults {
  /** Milliseconds each inference request waits before it is answered. */
  inferDelayMs: number;
  /** Milliseconds every other request waits. */
  delayMs: number;
  /** The next N inference requests answer 503 (then the count runs down to 0). */
  unavailable: number;
  /** Retry-After sent with those 503s (seconds), if any. */
  retryAfter?: string;
  /** Message of those 503s. */
  unavailableMessage: string;
  /** Inference requests whose connection is destroyed (socket.destroy) once their body has arrived. */
  dropInfers: Set<number>;
  /** Inference requests answered with this status and message instead. */
  failInfers: Map<number, { status: number; message: string }>;
  /** Metadata lies: this shape for the model's first input. */
  metadataShape: Map<string, number[]>;
  /** Metadata lies: this datatype for the model's first input. */
  metadataDatatype: Map<string, string>;
  /** Models that report not ready (their ready route answers 400, as Triton does; infer answers 503). */
  notReady: Set<string>;
  /** The server's health/ready answers 503. */
  serverNotReady: boolean;
  /** Models in the repository but not loaded: listed UNAVAILABLE, every model route answers 400 "unknown model" (as Triton does). */
  unloaded: Set<string>;
}

export interface Counts {
  /** Every request, by "METHOD route". */
  routes: Map<string, number>;
  requests: number;
  /** Inference requests received (dropped and failed ones included). */
  infers: number;
  /** Inputs answered (sum of the batch dimension of answered inference requests). */
  answeredItems: number;
  /** Batch size of each answered inference request, in arrival order. */
  batches: number[];
  inFlight: number;
  maxInFlight: number;
  /** Input and output tensors that went as binary data (the binary tensor extension). */
  binaryInputs: number;
  binaryOutputs: number;
  /** Headers of the last inference request. */
  lastHeaders?: http.IncomingHttpHeaders;
}

export interface KserveTestServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  faults: Faults;
  counts: Counts;
  /** The in-process session of a served model (to compare answers). */
  session(name: string): ort.InferenceSession;
  resetCounts(): void;
  close(): Promise<void>;
}

interface Loaded {
  name: string;
  version: string;
  session: ort.InferenceSession;
}

const ORT_TO_KSERVE: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

function freshFaults(): Faults {
  return {
    inferDelayMs: 0,
    delayMs: 0,
    unavailable: 0,
    unavailableMessage: 'server is busy',
    dropInfers: new Set(),
    failInfers: new Map(),
    metadataShape: new Map(),
    metadataDatatype: new Map(),
    notReady: new Set(),
    serverNotReady: false,
    unloaded: new Set(),
  };
}

function freshCounts(): Counts {
  return {
    routes: new Map(),
    requests: 0,
    infers: 0,
    answeredItems: 0,
    batches: [],
    inFlight: 0,
    maxInFlight: 0,
    binaryInputs: 0,
    binaryOutputs: 0,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the server on 127.0.0.1 with a free port. */
export async function startKserveServer(models: readonly ServedModel[]): Promise<KserveTestServer> {
  const loaded = new Map<string, Loaded>();
  for (const model of models) {
    const bytes = typeof model.model === 'string' ? await readFile(model.model) : model.model;
    loaded.set(model.name, {
      name: model.name,
      version: model.version ?? '1',
      session: await ort.InferenceSession.create(bytes),
    });
  }
  const faults = freshFaults();
  let counts = freshCounts();

  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const error = (res: http.ServerResponse, status: number, message: string, headers?: Record<string, string>): void =>
    send(res, status, { error: message }, headers);

  const metadata = (model: Loaded): unknown => {
    const tensors = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
      list.map((m) => {
        const shape = m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
        return { name: m.name, datatype: m.isTensor ? (ORT_TO_KSERVE[m.type] ?? 'BYTES') : 'BYTES', shape };
      });
    const inputs = tensors(model.session.inputMetadata);
    const lyingShape = faults.metadataShape.get(model.name);
    const lyingType = faults.metadataDatatype.get(model.name);
    if (inputs[0] && lyingShape) inputs[0].shape = lyingShape;
    if (inputs[0] && lyingType) inputs[0].datatype = lyingType;
    return {
      name: model.name,
      versions: [model.version],
      platform: 'onnxruntime_onnx',
      inputs,
      outputs: tensors(model.session.outputMetadata),
    };
  };

  const infer = async (
    model: Loaded,
    raw: Buffer,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> => {
    const index = ++counts.infers;
    counts.lastHeaders = req.headers;
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    try {
      if (faults.dropInfers.has(index)) {
        req.socket.destroy();
        return;
      }
      if (faults.inferDelayMs > 0) await sleep(faults.inferDelayMs);
      const failure = faults.failInfers.get(index);
      if (failure) return error(res, failure.status, failure.message);
      if (faults.unavailable > 0) {
        faults.unavailable--;
        return error(
          res,
          503,
          faults.unavailableMessage,
          faults.retryAfter !== undefined ? { 'retry-after': faults.retryAfter } : {},
        );
      }
      if (faults.notReady.has(model.name)) return error(res, 503, `Model ${model.name} is not ready`);
      // The binary tensor extension: a JSON part of the length the header gives, then the tensors' bytes.
      const jsonLength = req.headers['inference-header-content-length'];
      const split = jsonLength === undefined ? raw.length : Number(jsonLength);
      if (!Number.isInteger(split) || split < 0 || split > raw.length)
        return error(res, 400, `bad Inference-Header-Content-Length ${String(jsonLength)}`);
      let binaryOffset = split;
      let request: {
        inputs?: {
          name?: string;
          shape?: number[];
          datatype?: string;
          data?: unknown[];
          parameters?: { binary_data_size?: number };
        }[];
        outputs?: { name?: string; parameters?: { binary_data?: boolean } }[];
        parameters?: { binary_data_output?: boolean };
      };
      try {
        request = JSON.parse(raw.subarray(0, split).toString('utf8'));
      } catch (e) {
        return error(res, 400, `invalid JSON: ${(e as Error).message}`);
      }
      const feeds: Record<string, ort.Tensor> = {};
      for (const tensor of request.inputs ?? []) {
        const byteSize = tensor.parameters?.binary_data_size;
        if (byteSize !== undefined) {
          if (binaryOffset + byteSize > raw.length)
            return error(res, 400, `input '${tensor.name}': binary_data_size ${byteSize} runs past the body`);
          const bytes = raw.subarray(binaryOffset, binaryOffset + byteSize);
          binaryOffset += byteSize;
          const floats = new Float32Array(byteSize / 4);
          new Uint8Array(floats.buffer).set(bytes);
          tensor.data = Array.from(floats);
          counts.binaryInputs++;
        }
        const meta = model.session.inputMetadata.find((m) => m.name === tensor.name);
        if (!meta || !meta.isTensor)
          return error(res, 400, `unexpected inference input '${tensor.name}' for model '${model.name}'`);
        if (tensor.datatype !== 'FP32' || meta.type !== 'float32')
          return error(
            res,
            400,
            `inference input '${tensor.name}' data-type is '${tensor.datatype}', but model '${model.name}' expects '${ORT_TO_KSERVE[meta.type]}'`,
          );
        const shape = tensor.shape ?? [];
        const data = (tensor.data ?? []).flat(Infinity) as number[];
        const size = shape.reduce((a, b) => a * b, 1);
        if (size !== data.length)
          return error(
            res,
            400,
            `unexpected shape for input '${tensor.name}': shape [${shape.join(',')}] holds ${size} values, ${data.length} were sent`,
          );
        const mismatch = meta.shape.findIndex((d, i) => typeof d === 'number' && d > 0 && shape[i] !== d);
        if (meta.shape.length !== shape.length || mismatch >= 0) {
          return error(
            res,
            400,
            `unexpected shape for input '${tensor.name}' for model '${model.name}'. Expected [${meta.shape.map((d) => (typeof d === 'number' ? d : -1)).join(',')}], got [${shape.join(',')}]`,
          );
        }
        feeds[tensor.name!] = new ort.Tensor('float32', Float32Array.from(data), shape);
      }
      const missing = model.session.inputNames.filter((name) => !(name in feeds));
      if (missing.length > 0)
        return error(
          res,
          400,
          `expected ${model.session.inputNames.length} inputs but got ${Object.keys(feeds).length} inputs for model '${model.name}'`,
        );
      const wanted = request.outputs?.map((o) => o.name!) ?? model.session.outputNames;
      const unknown = wanted.filter((name) => !model.session.outputNames.includes(name));
      if (unknown.length > 0)
        return error(res, 400, `unexpected inference output '${unknown[0]}' for model '${model.name}'`);
      let results: ort.InferenceSession.OnnxValueMapType;
      try {
        results = await model.session.run(feeds, wanted);
      } catch (e) {
        return error(res, 400, `onnxruntime failed: ${(e as Error).message.split('\n')[0]}`);
      }
      const batch = Object.values(feeds)[0]?.dims[0] ?? 0;
      counts.answeredItems += batch;
      counts.batches.push(batch);
      const parts: Buffer[] = [];
      const outputs = wanted.map((name) => {
        const tensor = results[name] as ort.Tensor;
        const values = tensor.data as Float32Array;
        const asBinary =
          request.outputs?.find((o) => o.name === name)?.parameters?.binary_data ??
          request.parameters?.binary_data_output ??
          false;
        const head = { name, datatype: ORT_TO_KSERVE[tensor.type] ?? 'FP32', shape: tensor.dims };
        if (!asBinary) return { ...head, data: Array.from(values) };
        parts.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
        return { ...head, parameters: { binary_data_size: values.byteLength } };
      });
      const json = JSON.stringify({ model_name: model.name, model_version: model.version, outputs });
      if (parts.length === 0) return send(res, 200, JSON.parse(json));
      counts.binaryOutputs += parts.length;
      const body = Buffer.concat([Buffer.from(json), ...parts]);
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': body.length,
        'inference-header-content-length': Buffer.byteLength(json),
      });
      res.end(body);
    } finally {
      counts.inFlight--;
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    const route = (req.url ?? '/').split('?')[0]!;
    counts.requests++;
    const key = `${req.method} ${route}`;
    counts.routes.set(key, (counts.routes.get(key) ?? 0) + 1);
    if (req.method === 'GET' && route === '/v2/health/live') return send(res, 200, { live: true });
    if (req.method === 'GET' && route === '/v2/health/ready') {
      if (faults.delayMs > 0) await sleep(faults.delayMs);
      return faults.serverNotReady ? error(res, 503, 'server is starting') : send(res, 200, { ready: true });
    }
    if (req.method === 'GET' && route === '/v2')
      return send(res, 200, { name: 'dax-test-kserve', version: '0.1', extensions: ['model_repository'] });
    if (req.method === 'POST' && route === '/v2/repository/index') {
      return send(
        res,
        200,
        [...loaded.values()].map((m) => ({
          name: m.name,
          version: m.version,
          state: faults.notReady.has(m.name) || faults.unloaded.has(m.name) ? 'UNAVAILABLE' : 'READY',
          reason: faults.unloaded.has(m.name) ? 'unloaded' : '',
        })),
      );
    }
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(route);
    if (!match) return error(res, 404, `no route ${req.method} ${route}`);
    const name = decodeURIComponent(match[1]!);
    const version = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const model = loaded.get(name);
    if (!model || (version !== undefined && version !== model.version)) {
      return error(
        res,
        404,
        `Model with name ${name}${version !== undefined ? ` and version ${version}` : ''} does not exist.`,
      );
    }
    if (faults.unloaded.has(name)) return error(res, 400, `Request for unknown model: '${name}' is not found`);
    if (faults.delayMs > 0 && match[3] !== '/infer') await sleep(faults.delayMs);
    if (match[3] === undefined && req.method === 'GET') return send(res, 200, metadata(model));
    if (match[3] === '/ready' && req.method === 'GET') {
      return faults.notReady.has(name)
        ? error(res, 400, `Model ${name} is not ready: still loading`)
        : send(res, 200, { name, ready: true });
    }
    if (match[3] === '/infer' && req.method === 'POST') return infer(model, body, req, res);
    return error(res, 405, `${req.method} is not allowed on ${route}`);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) error(res, 500, `test server: ${(e as Error).message}`);
      });
    });
    req.on('error', () => undefined);
    res.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    get counts() {
      return counts;
    },
    session(name: string) {
      const model = loaded.get(name);
      if (!model) throw new Error(`no model ${name}`);
      return model.session;
    },
    resetCounts() {
      counts = freshCounts();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const model of loaded.values()) await model.session.release();
    },
  };
}

/** A port nothing listens on (one that was just free). */
export async function unusedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
