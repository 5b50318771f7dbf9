import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadModelConfig, parseModelConfig, resolveTarget } from '../../src/engine/blackbox/modelConfig';
import { DaxError } from '../../src/engine/core/errors';
import { tempDir } from '../helpers/files';

describe('model description', () => {
  test('the PaddleOCR text-direction classifier is described by configuration alone', async () => {
    const config = await loadModelConfig(path.join(__dirname, '../../examples/text-direction.model.json'));
    assert.equal(config.kind, 'onnx');
    assert.ok(path.isAbsolute(config.path) && config.path.endsWith('ch_ppocr_mobile_v2.0_cls_infer.onnx'));
    assert.deepEqual(config.input, {
      name: 'x',
      layout: 'NCHW',
      width: 192,
      height: 48,
      resize: 'letterbox',
      align: 'top-left',
      padValue: 0,
      scale: 255,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      channels: 'RGB',
    });
    assert.deepEqual(config.labels, ['0', '180']);
  });

  test('a bare model file gets default preprocessing and its kind from the extension', async () => {
    const config = await parseModelConfig({ path: 'm.onnx' }, '/models');
    assert.equal(config.kind, 'onnx');
    assert.equal(config.path, '/models/m.onnx');
    assert.equal(config.input.scale, 255);
    assert.equal(config.output.activation, 'auto');
    assert.equal(config.batchSize, 32);
  });

  test('labels can come from a text file next to the description', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'labels.txt'), 'cat\ndog\n\n');
    const config = await parseModelConfig({ path: 'm.onnx', labels: 'labels.txt' }, dir);
    assert.deepEqual(config.labels, ['cat', 'dog']);
  });

  for (const [raw, message] of [
    [{}, /needs "path"/],
    [{ path: 'm.onnx', input: { resize: 'squash' } }, /input.resize" must be one of/],
    [{ path: 'm.onnx', input: { std: [0] } }, /must not contain 0/],
    [{ path: 'm.onnx', input: { mean: [1, 2] } }, /list of 1 or 3 numbers/],
    [{ path: 'm.onnx', input: { colour: 'RGB' } }, /unknown key "input.colour"/],
    [{ path: 'm.bin' }, /"kind" must be/],
    [{ path: 'm.onnx', batchSize: 0 }, /batchSize" must be a positive integer/],
  ] as const) {
    test(`rejects ${JSON.stringify(raw)} with a message that says what to fix`, async () => {
      await assert.rejects(parseModelConfig(raw, '/models', 'my.model.json'), (error: unknown) => {
        assert.ok(error instanceof DaxError);
        assert.equal(error.kind, 'usage');
        assert.match(error.message, /^my\.model\.json: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a text file given as the description is refused as invalid JSON, naming the file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'notes.json');
    await writeFile(file, 'these are my notes');
    await assert.rejects(loadModelConfig(file), /notes\.json: is not valid JSON/);
  });
});

describe('target class', () => {
  test('top-1 when none is given', () => assert.equal(resolveTarget(undefined, ['a', 'b'], 2, 'm'), undefined));
  test('an index', () => assert.equal(resolveTarget(1, ['a', 'b'], 2, 'm'), 1));
  test('a label', () => assert.equal(resolveTarget('b', ['a', 'b'], 2, 'm'), 1));
  test('a numeric label means the label, not the index', () =>
    assert.equal(resolveTarget('180', ['0', '180'], 2, 'm'), 1));
  test('an index past the last class is an error', () =>
    assert.throws(() => resolveTarget(5, ['a', 'b'], 2, 'm'), /does not exist: the model has 2 classes/));
  test('an unknown label lists the labels', () =>
    assert.throws(() => resolveTarget('cow', ['a', 'b'], 2, 'm'), /"cow" is not one of the labels \(a, b\)/));
});

describe('audio model description', () => {
  test('an empty "audio" object gives 16 kHz waveforms, max over windows, 64 log-mel bands every 8 ms', async () => {
    const config = await parseModelConfig({ path: 'm.onnx', audio: {} }, '/models');
    assert.deepEqual(config.audio, {
      sampleRate: 16000,
      aggregate: 'max',
      scale: 1,
      feature: 'waveform',
      spectrogram: { fftSize: 512, hop: 128, window: 'hann', scale: 'mel', melBands: 64, log: true },
    });
  });

  test('a description without "audio" is an image model', async () => {
    assert.equal((await parseModelConfig({ path: 'm.onnx' }, '/models')).audio, undefined);
  });

  test('given keys are kept, and a partial spectrogram keeps the other defaults', async () => {
    const config = await parseModelConfig(
      {
        path: 'm.onnx',
        audio: {
          name: 'waveform',
          sampleRate: 32000,
          window: 32000,
          hop: 16000,
          aggregate: 'mean',
          scale: 32768,
          feature: 'spectrogram',
          spectrogram: { fftSize: 1024, hop: 320 },
        },
      },
      '/models',
    );
    assert.deepEqual(config.audio, {
      name: 'waveform',
      sampleRate: 32000,
      window: 32000,
      hop: 16000,
      aggregate: 'mean',
      scale: 32768,
      feature: 'spectrogram',
      spectrogram: { fftSize: 1024, hop: 320, window: 'hann', scale: 'mel', melBands: 64, log: true },
    });
  });

  test("one description's spectrogram is its own: changing it leaves the defaults alone", async () => {
    const first = await parseModelConfig({ path: 'm.onnx', audio: {} }, '/models');
    first.audio!.spectrogram.fftSize = 2048;
    assert.equal((await parseModelConfig({ path: 'm.onnx', audio: {} }, '/models')).audio!.spectrogram.fftSize, 512);
  });

  for (const [audio, message] of [
    ['16000', /"audio" must be an object/],
    [{ channels: 1 }, /unknown key "audio.channels"/],
    [{ sampleRate: 500 }, /"audio.sampleRate" must be between 1000 and 384000 Hz, got 500/],
    [{ sampleRate: 16000.5 }, /"audio.sampleRate" must be a positive integer/],
    [{ window: 8000, hop: 16000 }, /"audio.hop" must not exceed "audio.window"/],
    [{ window: 0 }, /"audio.window" must be a positive integer/],
    [{ aggregate: 'median' }, /"audio.aggregate" must be one of "max", "mean"/],
    [{ scale: 0 }, /"audio.scale" must not be 0/],
    [{ feature: 'mfcc' }, /"audio.feature" must be one of "waveform", "spectrogram"/],
    [
      { spectrogram: { fftSize: 1000 } },
      /"audio.spectrogram": .*fftSize must be a power of two from 16 to 65536, got 1000/,
    ],
    [
      { spectrogram: { fftSize: 256, hop: 200 } },
      /"audio.spectrogram": .*hop must be a whole number from 1 to fftSize \/ 2 \(128\), got 200/,
    ],
    [{ spectrogram: { fMax: 12000 } }, /"audio.spectrogram": .*0 <= fMin < fMax <= 8000 Hz/],
    [{ spectrogram: { bins: 64 } }, /unknown key "audio.spectrogram.bins"/],
    [{ spectrogram: { log: 'yes' } }, /"audio.spectrogram.log" must be true or false/],
  ] as const) {
    test(`rejects "audio": ${JSON.stringify(audio)} with a message that says what to fix`, async () => {
      await assert.rejects(
        parseModelConfig({ path: 'm.onnx', audio }, '/models', 'sound.model.json'),
        (error: unknown) => {
          assert.ok(error instanceof DaxError);
          assert.equal(error.kind, 'usage');
          assert.match(error.message, /^sound\.model\.json: /);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  test('"audio" and "input" together are refused: an audio model describes its input in "audio"', async () => {
    await assert.rejects(
      parseModelConfig({ path: 'm.onnx', audio: {}, input: { width: 10 } }, '/models'),
      /has both "input" \(images\) and "audio"/,
    );
  });
});

describe('served model description ("kind": "kserve")', () => {
  test('needs no "path": the endpoint names the model, with defaults for the rest', async () => {
    const config = await parseModelConfig(
      { kind: 'kserve', endpoint: { url: 'http://gpu-box:8000/', model: 'resnet50' } },
      '/models',
    );
    assert.equal(config.kind, 'kserve');
    assert.equal(config.name, 'resnet50');
    assert.equal(config.path, 'http://gpu-box:8000/v2/models/resnet50');
    assert.deepEqual(config.endpoint, {
      url: 'http://gpu-box:8000',
      model: 'resnet50',
      headers: {},
      timeoutMs: 30000,
      retries: 4,
      concurrency: 2,
      binary: false,
    });
    assert.equal(config.input.scale, 255);
    assert.equal(config.batchSize, 32);
  });

  test('an "endpoint" without "kind" is a served model too; every key is kept, the cache folder resolved', async () => {
    const config = await parseModelConfig(
      {
        name: 'remote',
        endpoint: {
          url: 'https://infer.example.org/kserve',
          model: 'my model',
          version: 3,
          timeoutMs: 5000,
          retries: 0,
          concurrency: 4,
          cacheDir: 'answers',
          binary: true,
          headers: { Authorization: 'Bearer ${env:DAX_TOKEN}', 'X-Team': 'vision' },
        },
        audio: { sampleRate: 16000 },
      },
      '/models',
    );
    assert.equal(config.kind, 'kserve');
    assert.equal(config.path, 'https://infer.example.org/kserve/v2/models/my%20model/versions/3');
    assert.deepEqual(config.endpoint, {
      url: 'https://infer.example.org/kserve',
      model: 'my model',
      version: '3',
      timeoutMs: 5000,
      retries: 0,
      concurrency: 4,
      cacheDir: '/models/answers',
      binary: true,
      headers: { Authorization: 'Bearer ${env:DAX_TOKEN}', 'X-Team': 'vision' },
    });
    assert.equal(config.audio?.sampleRate, 16000);
  });

  for (const [raw, message] of [
    [{ kind: 'kserve' }, /"kind": "kserve" needs "endpoint": \{"url": "http:\/\/host:port", "model": "name"\}/],
    [
      { kind: 'kserve', path: 'm.onnx', endpoint: { url: 'http://h:1', model: 'm' } },
      /"path" does not apply to "kind": "kserve"/,
    ],
    [
      { path: 'm.onnx', endpoint: { url: 'http://h:1', model: 'm' }, kind: 'onnx' },
      /"endpoint" applies only to "kind": "kserve"/,
    ],
    [{ kind: 'kserve', endpoint: { url: 'http://h:1' } }, /"endpoint" needs "model"/],
    [{ kind: 'kserve', endpoint: { model: 'm' } }, /"endpoint.url" must be a non-empty string/],
    [
      { kind: 'kserve', endpoint: { url: 'gpu-box:8000', model: 'm' } },
      /"endpoint.url" must be http:\/\/ or https:\/\//,
    ],
    [{ kind: 'kserve', endpoint: { url: 'not a url', model: 'm' } }, /"endpoint.url" is not a URL/],
    [{ kind: 'kserve', endpoint: { url: 'http://me:pw@h:1', model: 'm' } }, /must not hold credentials/],
    [{ kind: 'kserve', endpoint: { url: 'http://h:1/?token=x', model: 'm' } }, /without a query or fragment/],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', retries: -1 } },
      /"endpoint.retries" must be an integer from 0 to 20/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', concurrency: 0 } },
      /"endpoint.concurrency" must be a positive integer/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', timeoutMs: 1.5 } },
      /"endpoint.timeoutMs" must be a positive integer/,
    ],
    [{ kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', token: 'x' } }, /unknown key "endpoint.token"/],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', binary: 'yes' } },
      /"endpoint.binary" must be true or false/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', headers: { Authorization: 'Bearer abc123' } } },
      /"endpoint.headers.Authorization" holds a credential written out; .*"Authorization": "Bearer \$\{env:DAX_TOKEN\}"/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', headers: { 'X-Api-Key': 'abc123' } } },
      /"endpoint.headers.X-Api-Key" holds a credential written out/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', headers: { 'X-Team': '${DAX_TEAM}' } } },
      /write environment variables as \$\{env:NAME\}/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', headers: { 'Bad Header': 'x' } } },
      /"Bad Header" is not a valid header name/,
    ],
    [
      { kind: 'kserve', endpoint: { url: 'http://h:1', model: 'm', headers: { 'X-Retry': 3 } } },
      /"endpoint.headers.X-Retry" must be a string/,
    ],
    [{ kind: 'triton', path: 'm.onnx' }, /"kind" must be "onnx", "tfjs", "module" or "kserve" \(got "triton"\)/],
  ] as const) {
    test(`rejects ${JSON.stringify(raw)} with a message that says what to fix`, async () => {
      await assert.rejects(parseModelConfig(raw, '/models', 'remote.model.json'), (error: unknown) => {
        assert.ok(error instanceof DaxError);
        assert.equal(error.kind, 'usage');
        assert.match(error.message, /^remote\.model\.json: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a description file without "path" but with "endpoint" loads', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'remote.model.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'kserve',
        endpoint: { url: 'http://127.0.0.1:8000', model: 'direction', cacheDir: '.dax-answers' },
      }),
    );
    const config = await loadModelConfig(file, { target: '180' });
    assert.equal(config.endpoint?.cacheDir, path.join(dir, '.dax-answers'));
    assert.equal(config.target, '180');
  });
});
