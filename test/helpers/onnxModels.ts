// Tiny real ONNX models for tests, written by hand: onnxruntime can run models but not write them, and the
// protobuf encoding of the few messages a model needs (ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto) is short. Field numbers are those of onnx/onnx.proto (IR version 8, opset 13).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

// ---------------------------------------------------------------- protobuf wire format

/** Bytes of one message under construction: fields appended in any order (protobuf allows it). */
class Message {
  private readonly parts: Uint8Array[] = [];

  private push(bytes: ArrayLike<number>): void {
    this.parts.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: 0 | 2 | 5): void {
    this.push(varint(BigInt(field * 8 + wireType)));
  }

  /** int32, int64 or enum (negative numbers as ten-byte two's complement, as protobuf does). */
  int(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.push(varint(BigInt.asUintN(64, BigInt(value))));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.push(varint(BigInt(value.length)));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    return this.bytes(field, concat(values.map((v) => varint(BigInt.asUintN(64, BigInt(v))))));
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    return this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  finish(): Uint8Array {
    return concat(this.parts);
  }
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest !== 0n) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0n);
  return out;
}

function concat(parts: readonly ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// ---------------------------------------------------------------- ONNX messages

/** ONNX element types used here (TensorProto.DataType). */
const DATA_TYPES = { float32: 1, int32: 6, int64: 7, float64: 11 } as const;
export type OnnxType = keyof typeof DATA_TYPES;

/** A dimension: a size, or a name for a dynamic one. */
export type OnnxDim = number | string;

export interface OnnxValue {
  name: string;
  type: OnnxType;
  shape: OnnxDim[];
}

/** A constant: float32 or int64 values of the given dims. */
export interface OnnxInitializer {
  name: string;
  type: 'float32' | 'int64';
  dims: number[];
  values: readonly number[];
}

/** Node attributes, tagged by their ONNX type. */
export type OnnxAttribute = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxGraph {
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers?: OnnxInitializer[];
  nodes: OnnxNode[];
  opset?: number;
}

/** The bytes of an ONNX model (ModelProto) holding one graph. */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const g = new Message();
  graph.nodes.forEach((node, index) => g.message(1, encodeNode(node, index)));
  g.string(2, 'test-graph');
  for (const init of graph.initializers ?? []) g.message(5, encodeTensor(init));
  for (const input of graph.inputs) g.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) g.message(12, encodeValueInfo(output));
  return new Message()
    .int(1, 8) // ir_version
    .string(2, 'dax-explain tests') // producer_name
    .message(7, g) // graph
    .message(8, new Message().string(1, '').int(2, graph.opset ?? 13)) // opset_import
    .finish();
}

function encodeNode(node: OnnxNode, index: number): Message {
  const m = new Message();
  for (const input of node.inputs) m.string(1, input);
  for (const output of node.outputs) m.string(2, output);
  m.string(3, `${node.op.toLowerCase()}_${index}`);
  m.string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    const a = new Message().string(1, name);
    // AttributeProto.type: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7.
    if ('f' in value) a.float(2, value.f).int(20, 1);
    else if ('i' in value) a.int(3, value.i).int(20, 2);
    else if ('s' in value) a.string(4, value.s).int(20, 3);
    else if ('floats' in value) a.packedFloats(7, value.floats).int(20, 6);
    else a.packedInts(8, value.ints).int(20, 7);
    m.message(5, a);
  }
  return m;
}

function encodeTensor(init: OnnxInitializer): Message {
  const m = new Message().packedInts(1, init.dims).int(2, DATA_TYPES[init.type]).string(8, init.name);
  if (init.type === 'float32') m.packedFloats(4, init.values);
  else
    m.packedInts(
      7,
      init.values.map((v) => BigInt(v)),
    );
  return m;
}

function encodeValueInfo(value: OnnxValue): Message {
  const shape = new Message();
  for (const dim of value.shape)
    shape.message(1, typeof dim === 'number' ? new Message().int(1, dim) : new Message().string(2, dim));
  const tensorType = new Message().int(1, DATA_TYPES[value.type]).message(2, shape);
  return new Message().string(1, value.name).message(2, new Message().message(1, tensorType));
}

/** Writes the model to `dir/name` and returns its path. */
export async function writeOnnxModel(dir: string, name: string, graph: OnnxGraph): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, encodeOnnxModel(graph));
  return file;
}

// ---------------------------------------------------------------- models for the audio adapters

/** Rows of the probe's output, by column. */
export const PROBE = { sum: 0, first: 1, second: 2, last: 3, length: 4, batch: 5 } as const;

export interface ProbeOptions {
  /** Input shape: the length dim is named `n` (or fixed), the batch `batch` (or fixed). */
  shape: OnnxDim[];
  type?: OnnxType;
  /** Added to the output row (6 values); NaN makes a model that answers nonsense. */
  bias?: number[];
}

/**
 * A model that reports what it was given, one row per input (columns: {@link PROBE}): the sum of the values, the
 * first, second and last value, the values per input, and the inputs in this call. Any input shape whose first
 * axis is the batch (or no batch axis at all, for a 1-D input): the rest is flattened, so a [batch, rows, frames]
 * spectrogram's first value is (row 0, frame 0), its second (row 0, frame 1) and its last (last row, last frame).
 * Read it with `"activation": "none"`.
 */
export function probeModel(options: ProbeOptions): OnnxGraph {
  const { shape } = options;
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [
    { name: 'zero', type: 'float32', dims: [], values: [0] },
    { name: 'one', type: 'float32', dims: [], values: [1] },
    { name: 'start0', type: 'int64', dims: [1], values: [0] },
    { name: 'end1', type: 'int64', dims: [1], values: [1] },
    { name: 'end2', type: 'int64', dims: [1], values: [2] },
    { name: 'startLast', type: 'int64', dims: [1], values: [-1] },
    { name: 'endMax', type: 'int64', dims: [1], values: [2 ** 31 - 1] },
    { name: 'axis1', type: 'int64', dims: [1], values: [1] },
    { name: 'axes01', type: 'int64', dims: [2], values: [0, 1] },
    { name: 'bias', type: 'float32', dims: [6], values: options.bias ?? [0, 0, 0, 0, 0, 0] },
  ];
  let x = 'x';
  if (options.type !== undefined && options.type !== 'float32') {
    nodes.push({ op: 'Cast', inputs: [x], outputs: ['xf'], attributes: { to: { i: DATA_TYPES.float32 } } });
    x = 'xf';
  }
  if (shape.length === 1) {
    initializers.push({ name: 'axis0', type: 'int64', dims: [1], values: [0] });
    nodes.push({ op: 'Unsqueeze', inputs: [x, 'axis0'], outputs: ['x2'] });
    x = 'x2';
  } else if (shape.length > 2) {
    nodes.push({ op: 'Flatten', inputs: [x], outputs: ['x2'], attributes: { axis: { i: 1 } } });
    x = 'x2';
  }
  nodes.push(
    { op: 'ReduceSum', inputs: [x, 'axis1'], outputs: ['sum'], attributes: { keepdims: { i: 1 } } },
    { op: 'Slice', inputs: [x, 'start0', 'end1', 'axis1'], outputs: ['first'] },
    { op: 'Slice', inputs: [x, 'end1', 'end2', 'axis1'], outputs: ['second'] },
    { op: 'Slice', inputs: [x, 'startLast', 'endMax', 'axis1'], outputs: ['last'] },
    { op: 'Mul', inputs: [x, 'zero'], outputs: ['zeros'] },
    { op: 'Add', inputs: ['zeros', 'one'], outputs: ['ones'] },
    { op: 'ReduceSum', inputs: ['ones', 'axis1'], outputs: ['length'], attributes: { keepdims: { i: 1 } } },
    { op: 'ReduceSum', inputs: ['ones', 'axes01'], outputs: ['total'], attributes: { keepdims: { i: 1 } } },
    { op: 'Div', inputs: ['total', 'length'], outputs: ['batch'] },
    {
      op: 'Concat',
      inputs: ['sum', 'first', 'second', 'last', 'length', 'batch'],
      outputs: ['row'],
      attributes: { axis: { i: 1 } },
    },
    { op: 'Add', inputs: ['row', 'bias'], outputs: ['y'] },
  );
  return {
    inputs: [{ name: 'x', type: options.type ?? 'float32', shape }],
    outputs: [{ name: 'y', type: 'float32', shape: [shape.length === 1 ? 1 : shape[0]!, 6] }],
    initializers,
    nodes,
  };
}

export interface EnergyDetectorOptions {
  /** Input [batch, length]; either may be a name (dynamic). */
  shape: [OnnxDim, OnnxDim];
  /** The samples of each window it listens to: [from, to). */
  from: number;
  to: number;
  /** Energy (sum of squares over [from, to)) at which both classes are equally likely. */
  threshold: number;
  /** How sharply the decision turns (logit per unit of energy). */
  gain?: number;
}

/**
 * An "event" detector as a real audio classifier might be: the energy of samples [from, to) of its window, an
 * affine map to a logit y, and the two-class logits [−y, y] ("quiet", "event"). With softmax,
 * P(event) = sigmoid(2 · gain · (energy − threshold)).
 */
export function energyDetectorModel(options: EnergyDetectorOptions): OnnxGraph {
  const gain = options.gain ?? 10;
  return {
    inputs: [{ name: 'audio', type: 'float32', shape: options.shape }],
    outputs: [{ name: 'logits', type: 'float32', shape: [options.shape[0], 2] }],
    initializers: [
      { name: 'from', type: 'int64', dims: [1], values: [options.from] },
      { name: 'to', type: 'int64', dims: [1], values: [options.to] },
      { name: 'axis1', type: 'int64', dims: [1], values: [1] },
      { name: 'gain', type: 'float32', dims: [], values: [gain] },
      { name: 'offset', type: 'float32', dims: [], values: [-gain * options.threshold] },
    ],
    nodes: [
      { op: 'Slice', inputs: ['audio', 'from', 'to', 'axis1'], outputs: ['part'] },
      {
        op: 'ReduceSumSquare',
        inputs: ['part'],
        outputs: ['energy'],
        attributes: { axes: { ints: [1] }, keepdims: { i: 1 } },
      },
      { op: 'Mul', inputs: ['energy', 'gain'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'offset'], outputs: ['y'] },
      { op: 'Neg', inputs: ['y'], outputs: ['negY'] },
      { op: 'Concat', inputs: ['negY', 'y'], outputs: ['logits'], attributes: { axis: { i: 1 } } },
    ],
  };
}

export interface BandDetectorOptions {
  /** Input [batch, 1, rows, frames] or [batch, rows, frames]; any dim may be a name (dynamic). */
  shape: OnnxDim[];
  /** Rows [from, to) it listens to (row 0 the lowest frequency). */
  from: number;
  to: number;
  /** Mean value over those rows (and all frames) at which both classes are equally likely. */
  threshold: number;
  gain?: number;
}

/**
 * A spectrogram classifier: the mean of rows [from, to) over all frames, affine, two-class logits [−y, y]
 * ("other", "band"). On a dB spectrogram it hears a tone in that band.
 */
export function bandDetectorModel(options: BandDetectorOptions): OnnxGraph {
  const gain = options.gain ?? 1;
  const rowAxis = options.shape.length - 2;
  const axes = options.shape.map((_, i) => i).slice(1);
  return {
    inputs: [{ name: 'spec', type: 'float32', shape: options.shape }],
    outputs: [{ name: 'logits', type: 'float32', shape: [options.shape[0]!, 2] }],
    initializers: [
      { name: 'from', type: 'int64', dims: [1], values: [options.from] },
      { name: 'to', type: 'int64', dims: [1], values: [options.to] },
      { name: 'rowAxis', type: 'int64', dims: [1], values: [rowAxis] },
      { name: 'axis1', type: 'int64', dims: [1], values: [1] },
      { name: 'gain', type: 'float32', dims: [], values: [gain] },
      { name: 'offset', type: 'float32', dims: [], values: [-gain * options.threshold] },
    ],
    nodes: [
      { op: 'Slice', inputs: ['spec', 'from', 'to', 'rowAxis'], outputs: ['band'] },
      {
        op: 'ReduceMean',
        inputs: ['band'],
        outputs: ['level'],
        attributes: { axes: { ints: axes }, keepdims: { i: 0 } },
      },
      { op: 'Unsqueeze', inputs: ['level', 'axis1'], outputs: ['level2'] },
      { op: 'Mul', inputs: ['level2', 'gain'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'offset'], outputs: ['y'] },
      { op: 'Neg', inputs: ['y'], outputs: ['negY'] },
      { op: 'Concat', inputs: ['negY', 'y'], outputs: ['logits'], attributes: { axis: { i: 1 } } },
    ],
  };
}
