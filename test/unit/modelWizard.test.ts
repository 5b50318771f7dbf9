// Select Model's walk-through, with the user's answers scripted: it asks only for what the model file leaves open,
// and the description it saves carries every size the adapters need.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeImageModel, sizeProblem, type WizardPrompts } from '../../src/extension/modelWizard';
import type { ModelInspection } from '../../src/shared/protocol';

/** Prompts that answer from a script, recording every question; a pick answers with the label given for its title. */
function scripted(picks: Record<string, string>, sizes: Partial<Record<'height' | 'width', number>> = {}) {
  const asked: string[] = [];
  const prompts: WizardPrompts = {
    async pick(title, items) {
      asked.push(title);
      const wanted = Object.entries(picks).find(([fragment]) => title.includes(fragment))?.[1];
      return items.find((item) => item.label === wanted)?.value;
    },
    async askSize(what, prompt, suggested) {
      asked.push(`size ${what} (suggested ${suggested}): ${prompt}`);
      return sizes[what];
    },
  };
  return { prompts, asked };
}

const ANSWERS = { fit: 'Letterbox', pixel: '−1 … 1', Channel: 'RGB', output: 'Probabilities or logits (detect)' };

const paddle: ModelInspection = {
  kind: 'onnx',
  inputName: 'x',
  shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'],
  layout: 'NCHW',
  channels: 3,
  open: ['height', 'width'],
};

describe('Select Model on a model file', () => {
  test('a model with a dynamic height and width is asked for both, and they are saved', async () => {
    const { prompts, asked } = scripted(ANSWERS, { height: 48, width: 192 });
    const description = await describeImageModel('/w/models/cls.onnx', 'models/cls.onnx', paddle, prompts);
    assert.deepEqual(description, {
      name: 'cls',
      path: 'models/cls.onnx',
      input: {
        height: 48,
        width: 192,
        resize: 'letterbox',
        scale: 255,
        mean: [0.5],
        std: [0.5],
        channels: 'RGB',
        layout: 'NCHW',
      },
      output: { activation: 'auto' },
    });
    assert.match(
      asked[0]!,
      /^size height .*cls\.onnx leaves its input height open \(its input is \[p2o\.DynamicDimension\.0, 3,/,
    );
  });

  test('a model that fixes its size is not asked for it', async () => {
    const { prompts, asked } = scripted(ANSWERS);
    const fixed: ModelInspection = {
      ...paddle,
      shape: [-1, 224, 224, 3],
      layout: 'NHWC',
      height: 224,
      width: 224,
      open: [],
    };
    const description = await describeImageModel('/w/m.onnx', 'm.onnx', fixed, prompts);
    assert.ok(description);
    assert.ok(!asked.some((question) => question.startsWith('size')), asked.join('\n'));
    const input = description.input as Record<string, unknown>;
    assert.equal(input.height, undefined, 'the model says it');
    assert.equal(input.layout, 'NHWC');
  });

  test('a one-channel model is grey without asking the channel order', async () => {
    const { prompts, asked } = scripted(ANSWERS);
    const grey: ModelInspection = { ...paddle, shape: [-1, 1, 28, 28], channels: 1, height: 28, width: 28, open: [] };
    const description = await describeImageModel('/w/mnist.onnx', 'mnist.onnx', grey, prompts);
    assert.ok(description);
    assert.equal((description.input as Record<string, unknown>).channels, 'grey');
    assert.ok(!asked.includes('Channel order'));
  });

  test('a predict module is asked only for the size it gets the images at', async () => {
    const { prompts, asked } = scripted(ANSWERS, { height: 64, width: 96 });
    const module: ModelInspection = {
      kind: 'module',
      inputName: undefined,
      shape: undefined,
      open: ['width', 'height'],
    };
    const description = await describeImageModel('/w/predict.mjs', 'predict.mjs', module, prompts);
    assert.deepEqual(description, { name: 'predict', path: 'predict.mjs', input: { width: 96, height: 64 } });
    assert.equal(asked.length, 2);
  });

  test('Escape at any question saves nothing', async () => {
    assert.equal(
      await describeImageModel('/w/cls.onnx', 'cls.onnx', paddle, scripted(ANSWERS, { height: 48 }).prompts),
      undefined,
    );
    const { prompts } = scripted({ ...ANSWERS, pixel: 'no such answer' }, { height: 48, width: 192 });
    assert.equal(await describeImageModel('/w/cls.onnx', 'cls.onnx', paddle, prompts), undefined);
  });

  test('a typed size is a whole number of pixels within reason', () => {
    assert.equal(sizeProblem('224'), undefined);
    assert.equal(sizeProblem(' 48 '), undefined);
    for (const bad of ['', '0', '-3', '22.5', 'abc', '1e3']) assert.ok(sizeProblem(bad), bad);
    assert.match(sizeProblem('100000') ?? '', /At most 4096/);
  });
});
