// The wire form of one inference of the Open Inference Protocol: the request's FP32 tensor as a JSON "data" list or,
// with the binary tensor extension, as little-endian bytes after the JSON part; the answer's output read back from
// its "data" list or its binary part (FP32, FP64, FP16 or integers); and the largest answer a request can
// legitimately have, past which the client stops reading.
import { DaxError } from '../../core/errors';
import type { HttpAnswer } from './client';
import type { ModelMeta } from './metadata';

/** An output tensor as an inference answer lists it (nothing in it is trusted). */
export interface OutputTensor {
  name?: string;
  datatype?: string;
  shape?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: number };
}

/** An inference request: the JSON body, and with the binary tensor extension the bytes that follow it. */
export interface InferRequest {
  body: object;
  binary?: Uint8Array;
}

/** The request that sends `data` as the FP32 input `inputName` of shape `dims`, asking for `outputName` (else all). */
export function encodeInferRequest(
  inputName: string,
  outputName: string | undefined,
  data: Float32Array,
  dims: number[],
  binary: boolean,
): InferRequest {
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
  return { body, binary: binary ? littleEndianBytes(data) : undefined };
}

/**
 * The output `outputName` (else the first) of an inference answer and its values, flattened; a model error where the
 * answer has no such output or no values for it. `redact` scrubs what of the answer a message repeats.
 */
export function decodeInferAnswer(
  answer: Pick<HttpAnswer, 'json' | 'text' | 'binary'>,
  outputName: string | undefined,
  source: string,
  redact: (text: string) => string,
): { output: OutputTensor; values: ArrayLike<number> } {
  const outputs = (answer.json as { outputs?: unknown } | undefined)?.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new DaxError(
      'model',
      `the inference response has no "outputs" (${redact(answer.text.slice(0, 200))}).`,
      source,
    );
  }
  const position = outputName === undefined ? 0 : outputs.findIndex((o: { name?: unknown }) => o?.name === outputName);
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
    values = decodeBinary(answer.binary.subarray(offset, offset + output.parameters.binary_data_size), output, source);
  } else {
    throw new DaxError('model', `output "${output.name}" has neither a "data" list nor binary data.`, source);
  }
  return { output, values };
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
