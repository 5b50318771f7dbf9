// What a black box answers must be one row of probabilities per input: an image-shaped output is not a class
// vector, and values outside [0, 1] are not probabilities (a detector's per-class maxima, not summing to 1, are).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkingProbabilities, type ImageClassifier } from '../../src/engine/blackbox/classifier';
import { parseModelConfig, type ModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { checkClassVector } from '../../src/engine/blackbox/tensorLayout';
import { DaxError } from '../../src/engine/core/errors';
import { encodeOnnxModel, writeOnnxModel, type OnnxDim } from '../helpers/onnxModels';
import { startKserveServer } from '../helpers/kserveServer';
import { tempDir } from '../helpers/files';

let dir: string;
before(async () => {
  dir = await tempDir();
});

function modelError(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DaxError, String(error));
    assert.equal(error.kind, 'model');
    assert.match(error.message, pattern);
    return true;
  };
}

/** An ONNX model that hands its [batch, 3, 4, 4] image back, its output declared with `outputShape`. */
async function identityModel(
  name: string,
  outputShape: OnnxDim[],
  inputShape: OnnxDim[] = ['batch', 3, 4, 4],
): Promise<ImageClassifier> {
  const file = await writeOnnxModel(dir, name, {
    inputs: [{ name: 'x', type: 'float32', shape: inputShape }],
    outputs: [{ name: 'y', type: 'float32', shape: outputShape }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
  return (await openClassifier(
    await parseModelConfig({ path: file, input: { scale: 255 } }, dir, 'test.model.json'),
  )) as ImageClassifier;
}

describe('class vectors', () => {
  test('shapes with one axis of classes pass; image-shaped ones are refused', () => {
    for (const dims of [[8], [2, 8], [2, 1, 8], [2, 8, 1, 1], [1, 1, 1, 8]])
      checkClassVector(dims, 'output "y"', 'm.onnx');
    assert.throws(
      () => checkClassVector([1, 3, 48, 192], 'output "y"', 'm.onnx'),
      modelError(/m\.onnx: output "y" has shape \[1, 3, 48, 192\], not one row of class scores per input/),
    );
    assert.throws(() => checkClassVector([4, 50, 50], 'output "y"', 'm.onnx'), modelError(/image-shaped output/));
  });

  test('an ONNX model with an image-shaped output is refused when it is opened', async () => {
    await assert.rejects(
      identityModel('fixed.onnx', ['batch', 3, 4, 4]),
      modelError(/fixed\.onnx: output "y" has shape \[batch, 3, 4, 4\], not one row of class scores/),
    );
  });

  test('an ONNX model whose image-shaped output has named dims is refused when opened (shape inferred) or on its first answer', async () => {
    const refused = modelError(/named\.onnx: output "y" has shape \[(batch|1), 3, 4, 4\], not one row of class scores/);
    let classifier: ImageClassifier;
    try {
      classifier = await identityModel('named.onnx', ['batch', 'c', 'h', 'w']);
    } catch (error) {
      refused(error);
      return;
    }
    await assert.rejects(classifier.classify({ images: [new Float32Array(4 * 4 * 3)] }), refused);
    await classifier.dispose();
  });

  test('a served model whose answer is image-shaped is refused on its first answer', async () => {
    const server = await startKserveServer([
      {
        name: 'identity',
        model: encodeOnnxModel({
          inputs: [{ name: 'x', type: 'float32', shape: ['batch', 3, 4, 4] }],
          outputs: [{ name: 'y', type: 'float32', shape: ['batch', 3, 4, 4] }],
          nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
        }),
      },
    ]);
    try {
      const config = await parseModelConfig(
        { kind: 'kserve', endpoint: { url: server.url, model: 'identity', retries: 0 }, input: { scale: 255 } },
        dir,
        'remote.model.json',
      );
      const classifier = await openClassifier(config, { backoffMs: 5 });
      await assert.rejects(
        classifier.classify({ images: [new Float32Array(4 * 4 * 3)] }),
        modelError(/output "y" has shape \[1, 3, 4, 4\], not one row of class scores per input/),
      );
      await classifier.dispose();
    } finally {
      await server.close();
    }
  });

  test('an ONNX output of [batch, classes, 1, 1] is a class vector', async () => {
    const classifier = await identityModel('pooled.onnx', ['batch', 3, 1, 1], ['batch', 3, 1, 1]);
    const [row] = await classifier.classify({ images: [Float32Array.from([0, 0, 0])] });
    assert.equal(row!.length, 3);
    await classifier.dispose();
  });
});

describe('answers read as probabilities', () => {
  function fake(rows: number[][], activation: ModelConfig['output']['activation']): ImageClassifier {
    return {
      config: { name: 'fake', kind: 'module', path: '/models/fake.mjs', output: { activation } } as ModelConfig,
      description: 'fake',
      width: 1,
      height: 1,
      classify: async () => rows.map((row) => Float32Array.from(row)),
      dispose: async () => {},
    };
  }

  test('raw scores kept by "none" are refused with what to set', async () => {
    const checked = checkingProbabilities(fake([[5, -3]], 'none'));
    await assert.rejects(
      checked.classify({ images: [new Float32Array(3)] }),
      modelError(
        /\/models\/fake\.mjs: returned 5 for class 0, outside \[0, 1\], with "output\.activation": "none".*"softmax"/,
      ),
    );
    await assert.rejects(
      checkingProbabilities(fake([[0.5, -0.2]], 'none')).classify({ images: [new Float32Array(3)] }),
      modelError(/returned -0\.2\d* for class 1/),
    );
  });

  test("a detector's per-class maxima in [0, 1] pass though they do not sum to 1; float slack is clamped", async () => {
    const [maxima] = await checkingProbabilities(fake([[0.9, 0.3, 0.7]], 'none')).classify({
      images: [new Float32Array(3)],
    });
    assert.deepEqual(
      Array.from(maxima!, (v) => Math.round(v * 100) / 100),
      [0.9, 0.3, 0.7],
    );
    const [slack] = await checkingProbabilities(fake([[1.00001, -0.00001]], 'none')).classify({
      images: [new Float32Array(3)],
    });
    assert.deepEqual(Array.from(slack!), [1, 0]);
  });

  test('the checked black box is otherwise the same, and is not wrapped twice', () => {
    const original = fake([[1]], 'none');
    const checked = checkingProbabilities(original);
    assert.equal(checked.description, 'fake');
    assert.equal(checked.config, original.config);
    assert.equal(checkingProbabilities(checked), checked);
  });
});
