import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node entry registers no gradient functions; without them no gradient can be computed at all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/engine/tf/wasmTrainingKernels';

type BackendName = 'cpu' | 'wasm';
type Padding = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

const TOLERANCE = 1e-4;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randoms(seed: number, length: number, low = -1, high = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length }, () => low + (high - low) * next());
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * d/dx of Σ f(x)·w for a fixed seeded w (so every output element carries a different weight), on one backend.
 * `f` receives only the differentiable inputs; constants such as indices are created inside it.
 */
async function gradients(
  backend: BackendName,
  inputs: { shape: number[]; values: Float32Array }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map(({ shape, values }) => tf.tensor(values, shape));
    const loss = (...ys: tf.Tensor[]) => {
      const y = f(...ys);
      return tf.sum(tf.mul(y, tf.tensor(randoms(99, y.size), y.shape)));
    };
    return tf
      .grads(loss)(xs)
      .map((g) => g.dataSync() as Float32Array);
  });
}

/** Agreement relative to the reference's largest magnitude: entries near zero carry the same absolute slack as the rest. */
function assertClose(actual: Float32Array, expected: Float32Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= worst)) [worst, at] = [diff, i];
  }
  assert.ok(
    worst <= TOLERANCE * Math.max(scale, 1e-6),
    `${label}: element ${at} is ${actual[at]} on wasm, ${expected[at]} expected (largest |value| ${scale})`,
  );
}

/** Computes the same gradients on cpu (reference) and wasm, then compares each. */
async function assertWasmMatchesCpu(
  inputs: { shape: number[]; values: Float32Array }[],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  names: string[],
): Promise<void> {
  const expected = await gradients('cpu', inputs, f);
  const actual = await gradients('wasm', inputs, f);
  names.forEach((name, i) => assertClose(actual[i], expected[i], `gradient w.r.t. ${name}`));
}

let firstRegistration: string[] = [];

before(async () => {
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  firstRegistration = registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'), 'the wasm backend starts');
});

describe('registering the wasm training kernels', () => {
  test('adds the missing kernels and replaces the slow or wrong ones, once', () => {
    assert.deepEqual([...firstRegistration].sort(), [
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
      'MaxPoolGrad',
      'ResizeBilinearGrad',
      'ResizeNearestNeighborGrad',
      'UnsortedSegmentSum',
    ]);
  });

  test('is idempotent: a second call registers nothing and leaves the kernels in place', () => {
    const before = firstRegistration.map((name) => tf.getKernel(name, 'wasm').kernelFunc);
    assert.deepEqual(registerWasmTrainingKernels(), []);
    assert.deepEqual(
      firstRegistration.map((name) => tf.getKernel(name, 'wasm').kernelFunc),
      before,
    );
  });

  test('rejects attributes it does not implement with a clear error', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] };
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, dataFormat: 'NCHW' }),
      /dataFormat 'NHWC'/,
    );
    assert.throws(
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, dilations: 2 }),
      /dilations 1/,
    );
    tf.dispose([x, dy]);
  });
});

describe('conv2d gradients on wasm agree with cpu', () => {
  const cases: {
    batch: number;
    height: number;
    width: number;
    inChannels: number;
    outChannels: number;
    kernel: number;
    stride: number;
    pad: Padding;
  }[] = [
    { batch: 1, height: 7, width: 9, inChannels: 1, outChannels: 3, kernel: 3, stride: 1, pad: 'same' },
    { batch: 3, height: 8, width: 8, inChannels: 3, outChannels: 5, kernel: 3, stride: 2, pad: 'same' },
    { batch: 3, height: 9, width: 7, inChannels: 5, outChannels: 1, kernel: 5, stride: 1, pad: 'valid' },
    { batch: 1, height: 9, width: 10, inChannels: 3, outChannels: 3, kernel: 5, stride: 2, pad: 'valid' },
    { batch: 3, height: 6, width: 5, inChannels: 5, outChannels: 5, kernel: 1, stride: 1, pad: 'same' },
    { batch: 1, height: 7, width: 7, inChannels: 3, outChannels: 2, kernel: 1, stride: 2, pad: 'valid' },
    {
      batch: 3,
      height: 8,
      width: 9,
      inChannels: 3,
      outChannels: 4,
      kernel: 3,
      stride: 1,
      pad: [
        [0, 0],
        [1, 2],
        [2, 0],
        [0, 0],
      ],
    },
    {
      batch: 3,
      height: 9,
      width: 8,
      inChannels: 1,
      outChannels: 3,
      kernel: 3,
      stride: 2,
      pad: [
        [0, 0],
        [2, 1],
        [0, 1],
        [0, 0],
      ],
    },
    { batch: 1, height: 5, width: 5, inChannels: 1, outChannels: 1, kernel: 5, stride: 2, pad: 'same' },
    { batch: 3, height: 4, width: 6, inChannels: 5, outChannels: 3, kernel: 5, stride: 1, pad: 'same' },
  ];
  cases.forEach((c, n) => {
    const padName = typeof c.pad === 'string' ? c.pad : `explicit ${JSON.stringify(c.pad.slice(1, 3))}`;
    test(`batch ${c.batch}, ${c.height}×${c.width}×${c.inChannels} → ${c.outChannels} channels, ${c.kernel}×${c.kernel} kernel, stride ${c.stride}, ${padName}`, async () => {
      const xShape = [c.batch, c.height, c.width, c.inChannels];
      const wShape = [c.kernel, c.kernel, c.inChannels, c.outChannels];
      await assertWasmMatchesCpu(
        [
          { shape: xShape, values: randoms(2 * n + 1, size(xShape)) },
          { shape: wShape, values: randoms(2 * n + 2, size(wShape)) },
        ],
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad),
        ['input', 'filter'],
      );
    });
  });
});

describe('maxPool gradient on wasm agrees with cpu', () => {
  const cases: {
    label: string;
    shape: number[];
    filter: number;
    stride: number;
    pad: 'same' | 'valid';
    low: number;
    high: number;
    quantize?: boolean;
  }[] = [
    { label: '2×2 stride 2, mixed signs', shape: [3, 8, 8, 3], filter: 2, stride: 2, pad: 'valid', low: -1, high: 1 },
    // The wasm C++ kernel starts each window at FLT_MIN, so all-negative windows are where it went wrong.
    {
      label: '2×2 stride 2, every value negative',
      shape: [1, 6, 6, 5],
      filter: 2,
      stride: 2,
      pad: 'valid',
      low: -2,
      high: -1,
    },
    { label: '3×3 stride 2 same, odd size', shape: [3, 7, 9, 1], filter: 3, stride: 2, pad: 'same', low: -1, high: 1 },
    {
      label: '3×3 stride 1 same, overlapping windows',
      shape: [1, 5, 6, 3],
      filter: 3,
      stride: 1,
      pad: 'same',
      low: -1,
      high: 1,
    },
    {
      label: '2×2 stride 2 with ties, which go to the first maximum',
      shape: [3, 6, 6, 1],
      filter: 2,
      stride: 2,
      pad: 'valid',
      low: -1,
      high: 1,
      quantize: true,
    },
  ];
  cases.forEach((c, n) => {
    test(c.label, async () => {
      const values = randoms(100 + n, size(c.shape), c.low, c.high).map((v) => (c.quantize ? Math.round(v * 2) : v));
      await assertWasmMatchesCpu(
        [{ shape: c.shape, values }],
        (x) => tf.maxPool(x as tf.Tensor4D, c.filter, c.stride, c.pad),
        ['input'],
      );
    });
  });
});

describe('resize gradients on wasm are the transpose of the forward resize', () => {
  // The cpu backend's resize gradients are themselves wrong (nearest neighbour mixes up batches, bilinear swaps
  // height and width), so the reference is the forward op's matrix: column p = resize of the p-th basis image.
  async function reference(
    kind: 'bilinear' | 'nearest',
    shape: number[],
    target: [number, number],
    alignCorners: boolean,
    halfPixelCenters: boolean,
  ): Promise<Float32Array> {
    const [batch, height, width, channels] = shape;
    const [newHeight, newWidth] = target;
    await tf.setBackend('cpu');
    const matrix = tf.tidy(() => {
      const basis = tf.reshape(tf.eye(height * width), [height * width, height, width, 1]) as tf.Tensor4D;
      const resized =
        kind === 'bilinear'
          ? tf.image.resizeBilinear(basis, target, alignCorners, halfPixelCenters)
          : tf.image.resizeNearestNeighbor(basis, target, alignCorners, halfPixelCenters);
      return resized.dataSync();
    });
    const pixels = height * width;
    const outPixels = newHeight * newWidth;
    const dy = randoms(99, batch * outPixels * channels);
    const dx = new Float32Array(batch * pixels * channels);
    for (let b = 0; b < batch; b++)
      for (let p = 0; p < pixels; p++)
        for (let q = 0; q < outPixels; q++) {
          const m = matrix[p * outPixels + q];
          if (m !== 0)
            for (let c = 0; c < channels; c++)
              dx[(b * pixels + p) * channels + c] += m * dy[(b * outPixels + q) * channels + c];
        }
    return dx;
  }

  const cases: { shape: number[]; target: [number, number]; alignCorners: boolean; halfPixelCenters: boolean }[] = [
    { shape: [1, 4, 4, 1], target: [16, 16], alignCorners: false, halfPixelCenters: false },
    { shape: [3, 3, 5, 3], target: [12, 20], alignCorners: false, halfPixelCenters: false },
    { shape: [3, 3, 5, 1], target: [12, 20], alignCorners: true, halfPixelCenters: false },
    { shape: [3, 3, 5, 3], target: [12, 20], alignCorners: false, halfPixelCenters: true },
    { shape: [3, 5, 7, 1], target: [9, 11], alignCorners: false, halfPixelCenters: true },
    { shape: [1, 5, 7, 3], target: [3, 4], alignCorners: false, halfPixelCenters: false },
  ];
  for (const kind of ['nearest', 'bilinear'] as const) {
    cases.forEach((c) => {
      const flags =
        [c.alignCorners && 'alignCorners', c.halfPixelCenters && 'halfPixelCenters'].filter(Boolean).join(', ') ||
        'default corners';
      test(`${kind}: [${c.shape}] → ${c.target.join('×')}, ${flags}`, async () => {
        const expected = await reference(kind, c.shape, c.target, c.alignCorners, c.halfPixelCenters);
        const [actual] = await gradients('wasm', [{ shape: c.shape, values: randoms(7, size(c.shape)) }], (x) =>
          kind === 'bilinear'
            ? tf.image.resizeBilinear(x as tf.Tensor4D, c.target, c.alignCorners, c.halfPixelCenters)
            : tf.image.resizeNearestNeighbor(x as tf.Tensor4D, c.target, c.alignCorners, c.halfPixelCenters),
        );
        assertClose(actual, expected, `${kind} gradient`);
      });
    });
  }
});

describe('gather gradient (UnsortedSegmentSum) on wasm agrees with cpu', () => {
  test('repeated rows along axis 0', async () => {
    await assertWasmMatchesCpu(
      [{ shape: [6, 5], values: randoms(201, 30) }],
      (t) => tf.gather(t, tf.tensor1d([0, 3, 3, 5, 0, 0], 'int32')),
      ['table'],
    );
  });
  test('2-D indices along axis 1 of a 3-D tensor', async () => {
    await assertWasmMatchesCpu(
      [{ shape: [3, 4, 2], values: randoms(202, 24) }],
      (t) =>
        tf.gather(
          t,
          tf.tensor2d(
            [
              [1, 1],
              [3, 0],
            ],
            [2, 2],
            'int32',
          ),
          1,
        ),
      ['table'],
    );
  });
  test('the kernel itself sums rows per segment, for float32 and int32, and drops out-of-range ids', async () => {
    const results: Record<BackendName, number[][]> = { cpu: [], wasm: [] };
    for (const backend of ['cpu', 'wasm'] as const) {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const ids = tf.tensor1d([2, 0, 2, -1, 1], 'int32');
        const floats = tf.tensor2d(randoms(203, 15), [5, 3]);
        const ints = tf.tensor2d(
          Int32Array.from({ length: 15 }, (_, i) => i - 4),
          [5, 3],
          'int32',
        );
        results[backend] = [tf.unsortedSegmentSum(floats, ids, 4), tf.unsortedSegmentSum(ints, ids, 4)].map((t) =>
          Array.from(t.dataSync()),
        );
      });
    }
    assertClose(Float32Array.from(results.wasm[0]), Float32Array.from(results.cpu[0]), 'float32 sums');
    assert.deepEqual(results.wasm[1], results.cpu[1]);
  });
});

describe('the ops the DAX networks train with all have gradients on wasm that agree with cpu', () => {
  const x4 = { shape: [2, 8, 8, 3], values: randoms(301, 384) };
  const w = { shape: [3, 3, 3, 4], values: randoms(302, 108) };
  const ops: [string, { shape: number[]; values: Float32Array }[], (...xs: tf.Tensor[]) => tf.Tensor][] = [
    ['conv2d (same, stride 1)', [x4, w], (x, k) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same')],
    ['avgPool 2×2 stride 2', [x4], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid')],
    ['avgPool 4×4 stride 4 same', [x4], (x) => tf.avgPool(x as tf.Tensor4D, 4, 4, 'same')],
    ['maxPool 2×2 stride 2', [x4], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')],
    ['leakyRelu', [x4], (x) => tf.leakyRelu(x, 0.1)],
    ['sigmoid', [x4], (x) => tf.sigmoid(x)],
    ['relu', [x4], (x) => tf.relu(x)],
    [
      'matMul',
      [x4, w],
      (x, k) => tf.matMul(tf.reshape(x, [-1, 12]) as tf.Tensor2D, tf.reshape(k, [12, 9]) as tf.Tensor2D),
    ],
    ['add (broadcast)', [x4, w], (x, k) => tf.add(x, tf.slice(tf.reshape(k, [-1]), [0], [3]))],
    ['sub (broadcast)', [x4, w], (x, k) => tf.sub(x, tf.slice(tf.reshape(k, [-1]), [0], [3]))],
    ['mul (broadcast)', [x4, w], (x, k) => tf.mul(x, tf.slice(tf.reshape(k, [-1]), [0], [3]))],
    ['mean', [x4], (x) => tf.mean(x, [1, 2])],
    ['sum', [x4], (x) => tf.sum(x, 3)],
    ['square', [x4], (x) => tf.square(x)],
    ['abs', [x4], (x) => tf.abs(x)],
    ['exp', [x4], (x) => tf.exp(x)],
    ['log', [x4], (x) => tf.log(tf.add(tf.square(x), 0.5))],
    // Batch 1 and square: the only shapes where cpu's own resize gradients are right (see the resize tests).
    [
      'resizeNearestNeighbor ×4',
      [{ shape: [1, 8, 8, 3], values: randoms(303, 192) }],
      (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [32, 32]),
    ],
    [
      'resizeBilinear ×4',
      [{ shape: [1, 8, 8, 3], values: randoms(304, 192) }],
      (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [32, 32]),
    ],
    ['reshape', [x4], (x) => tf.reshape(x, [2, -1])],
    ['concat', [x4, x4], (a, b) => tf.concat([a, tf.square(b)], 3)],
    ['slice', [x4], (x) => tf.slice(x, [0, 1, 2, 0], [2, 5, 4, 3])],
    ['gather', [w], (k) => tf.gather(tf.reshape(k, [12, 9]), tf.tensor1d([0, 3, 3, 11], 'int32'))],
    ['clipByValue', [x4], (x) => tf.clipByValue(x, -0.5, 0.5)],
    ['maximum', [x4, x4], (a, b) => tf.maximum(a, tf.mul(b, -1))],
  ];
  for (const [name, inputs, f] of ops) {
    test(name, async () => {
      await assertWasmMatchesCpu(
        inputs,
        f,
        inputs.map((_, i) => `input ${i}`),
      );
    });
  }
});

describe('a training step on wasm', () => {
  test('leaks no tensors and no backend buffers from the kernels', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const variable = (seed: number, shape: number[]) =>
      tf.variable(tf.tensor(randoms(seed, size(shape), -0.5, 0.5), shape));
    const conv1 = variable(401, [3, 3, 3, 4]);
    const conv2 = variable(402, [3, 3, 4, 4]);
    const embedding = variable(403, [5, 4]);
    const images = tf.tensor4d(randoms(404, 2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const target = tf.tensor4d(randoms(405, 2 * 8 * 8 * 4, 0, 1), [2, 8, 8, 4]);
    const classes = tf.tensor1d([1, 4], 'int32');
    // Touches every kernel registered here: both conv backprops (stride 1 and 2), MaxPoolGrad, both resize
    // gradients through the half-pixel JS path, and UnsortedSegmentSum through gather.
    const loss = () => {
      let h = tf.leakyRelu(tf.conv2d(images, conv1 as tf.Variable<tf.Rank.R4>, 1, 'same'), 0.1);
      h = tf.maxPool(h, 2, 2, 'valid');
      h = tf.conv2d(h, conv2 as tf.Variable<tf.Rank.R4>, 2, 'same');
      h = tf.add(h, tf.reshape(tf.gather(embedding, classes), [2, 1, 1, 4]));
      const up = tf.add(
        tf.image.resizeBilinear(h, [8, 8], false, true),
        tf.image.resizeNearestNeighbor(h, [8, 8], false, true),
      );
      return tf.mean(tf.square(tf.sub(tf.sigmoid(up), target))) as tf.Scalar;
    };
    const step = () => {
      const { value, grads } = tf.variableGrads(loss);
      tf.tidy(() => {
        for (const v of [conv1, conv2, embedding]) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.5)));
      });
      const lossValue = value.dataSync()[0];
      tf.dispose([value, grads]);
      return lossValue;
    };
    const first = step();
    const tensors = tf.memory().numTensors;
    const buffers = backend.numDataIds();
    let last = first;
    for (let i = 0; i < 5; i++) last = step();
    assert.equal(tf.memory().numTensors, tensors, 'tensors alive after each step');
    assert.equal(backend.numDataIds(), buffers, 'wasm buffers alive after each step');
    assert.ok(last < first, `the loss falls (${first} → ${last})`);
    tf.dispose([conv1, conv2, embedding, images, target, classes]);
  });
});
