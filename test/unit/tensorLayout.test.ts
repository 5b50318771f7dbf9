import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { packImages, toProbabilities } from '../../src/engine/blackbox/tensorLayout';
import type { ImageInputConfig } from '../../src/engine/blackbox/modelConfig';

const base: ImageInputConfig = {
  resize: 'stretch',
  align: 'center',
  padValue: -9,
  scale: 255,
  mean: [0],
  std: [1],
  channels: 'RGB',
};
// A 2x1 image: a red pixel then a blue one.
const image = Float32Array.from([255, 0, 0, 0, 0, 255]);

describe('packing images into the input tensor', () => {
  test('NCHW puts each channel plane after the other', () => {
    assert.deepEqual(Array.from(packImages([image], 2, 1, base, 'NCHW')), [1, 0, 0, 0, 0, 1]);
  });
  test('NHWC keeps channels interleaved', () => {
    assert.deepEqual(Array.from(packImages([image], 2, 1, base, 'NHWC')), [1, 0, 0, 0, 0, 1]);
  });
  test('BGR swaps the first and last channel', () => {
    assert.deepEqual(Array.from(packImages([image], 2, 1, { ...base, channels: 'BGR' }, 'NHWC')), [0, 0, 1, 1, 0, 0]);
  });
  test('grey feeds one channel of BT.601 luma', () => {
    const packed = packImages([image], 2, 1, { ...base, channels: 'grey' }, 'NCHW');
    assert.equal(packed.length, 2);
    assert.ok(Math.abs(packed[0]! - 0.299) < 1e-6 && Math.abs(packed[1]! - 0.114) < 1e-6);
  });
  test('PaddleOCR normalisation maps 0..255 to -1..1', () => {
    const packed = packImages([image], 2, 1, { ...base, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] }, 'NHWC');
    assert.deepEqual(
      Array.from(packed, (v) => Math.round(v * 1e5) / 1e5),
      [1, -1, -1, -1, -1, 1],
    );
  });
  test('padding pixels get the pad value in model units', () => {
    const packed = packImages([image], 2, 1, base, 'NCHW', Uint8Array.from([0, 1]));
    assert.deepEqual(Array.from(packed), [1, -9, 0, -9, 0, -9]);
  });
  test('a batch is laid out image after image', () => {
    assert.equal(packImages([image, image, image], 2, 1, base, 'NCHW').length, 18);
  });
});

describe('reading the output', () => {
  test('auto keeps rows that are already probabilities', () => {
    assert.deepEqual(Array.from(toProbabilities([0.25, 0.75], 1, { activation: 'auto' }, 'm')[0]!), [0.25, 0.75]);
  });
  test('auto applies softmax to logits', () => {
    const [row] = toProbabilities([0, Math.log(3)], 1, { activation: 'auto' }, 'm');
    assert.ok(Math.abs(row![1]! - 0.75) < 1e-6);
  });
  test('sigmoid applies per value', () => {
    assert.ok(Math.abs(toProbabilities([0], 1, { activation: 'sigmoid' }, 'm')[0]![0]! - 0.5) < 1e-9);
  });
  test('rows are split by batch', () => {
    assert.equal(toProbabilities([0.1, 0.9, 0.2, 0.8], 2, { activation: 'none' }, 'm').length, 2);
  });
  test('NaN in the output is an error that names the model', () => {
    assert.throws(
      () => toProbabilities([Number.NaN, 1], 1, { activation: 'none' }, 'bad.onnx'),
      /bad\.onnx: returned NaN in its output/,
    );
  });
  test('an output that does not split into the batch is an error', () => {
    assert.throws(
      () => toProbabilities([1, 2, 3], 2, { activation: 'none' }, 'm'),
      /returned 3 values for a batch of 2/,
    );
  });
});
