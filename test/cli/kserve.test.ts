// `dax explain` on a model served over the Open Inference Protocol (KServe v2 REST), as a user meets it: the test
// starts a protocol server on 127.0.0.1 serving the bundled text-direction ONNX model, and the built CLI queries it.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { loadModelConfig } from '../../src/engine/blackbox/modelConfig';
import { listDir, tempDir } from '../helpers/files';
import { runCli, ROOT } from '../helpers/cli';
import { startKserveServer, unusedPort, type KserveTestServer } from '../helpers/kserveServer';

const image = path.join(ROOT, 'examples', 'stationery-sign.jpg');
const example = path.join(ROOT, 'examples', 'text-direction.model.json');
const TOKEN = 'cli-s3cret-0123456789abcdef';
let server: KserveTestServer;
let dir: string;

before(async () => {
  dir = await tempDir('dax-cli-kserve-');
  server = await startKserveServer([{ name: 'direction', model: (await loadModelConfig(example)).path }]);
  // The CLI runs as a child process and inherits this environment.
  process.env.DAX_KSERVE_TEST_TOKEN = TOKEN;
});

after(async () => {
  delete process.env.DAX_KSERVE_TEST_TOKEN;
  await server?.close();
});

beforeEach(() => {
  server.faults.failInfers.clear();
  server.resetCounts();
});

/** The bundled example's preprocessing, served as "direction", with these endpoint keys. */
async function remoteDescription(
  name: string,
  endpoint: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const { path: _path, ...rest } = JSON.parse(await readFile(example, 'utf8')) as Record<string, unknown>;
  const file = path.join(dir, `${name}.model.json`);
  const headers = { Authorization: 'Bearer ${env:DAX_KSERVE_TEST_TOKEN}' };
  await writeFile(
    file,
    JSON.stringify({
      ...rest,
      kind: 'kserve',
      endpoint: { url: server.url, model: 'direction', headers, ...endpoint },
      ...extra,
    }),
  );
  return file;
}

const explain = (model: string, out: string): ReturnType<typeof runCli> =>
  runCli(['explain', image, '--model', model, '--samples', '60', '--epochs', '1', '--out', out], {
    timeoutMs: 120_000,
  });

describe('dax explain with a model served over KServe v2', () => {
  let fresh = 0;

  test('explains through the server; the report keeps the header template, never the token', async () => {
    const out = path.join(dir, 'ok');
    const result = await explain(await remoteDescription('ok', {}), out);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /stationery-sign\.jpg: "0" \(class 0\), p = /);
    assert.deepEqual(await listDir(out), [
      'stationery-sign.dax.json',
      'stationery-sign.overlay.png',
      'stationery-sign.saliency.png',
    ]);
    const text = await readFile(path.join(out, 'stationery-sign.dax.json'), 'utf8');
    const report = JSON.parse(text);
    assert.equal(report.queries, 60);
    assert.equal(report.model.kind, 'kserve');
    assert.equal(report.model.path, `${server.url}/v2/models/direction`);
    assert.match(
      report.model.description,
      /^kserve: http:\/\/127\.0\.0\.1:\d+ model "direction": x FP32\[-1,3,-1,-1\] NCHW/,
    );
    assert.equal(report.config.model.endpoint.headers.Authorization, 'Bearer ${env:DAX_KSERVE_TEST_TOKEN}');
    assert.ok(!text.includes(TOKEN) && !result.stdout.includes(TOKEN) && !result.stderr.includes(TOKEN));
    assert.equal(server.counts.lastHeaders?.authorization, `Bearer ${TOKEN}`);
    fresh = server.counts.answeredItems;
    assert.ok(fresh > 0);
  });

  test('a run that failed half way resumes from its journal: the re-run sends only the unanswered queries', async () => {
    const model = await remoteDescription(
      'resume',
      { retries: 0, concurrency: 1, cacheDir: path.join(dir, 'answers') },
      { batchSize: 8 },
    );
    server.faults.failInfers.set(4, { status: 500, message: 'the GPU fell off the bus' });
    const failed = await explain(model, path.join(dir, 'resume-1'));
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(
      failed.stderr,
      /HTTP 500 from POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/direction\/infer: the GPU fell off the bus/,
    );
    assert.deepEqual(await listDir(path.join(dir, 'resume-1')), []);
    const answeredBefore = server.counts.answeredItems;
    assert.ok(answeredBefore > 0);

    server.faults.failInfers.clear();
    server.resetCounts();
    const resumed = await explain(model, path.join(dir, 'resume-2'));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(answeredBefore + server.counts.answeredItems, fresh, 'the two runs together sent each query once');
  });

  test('no server: a failure that says "cannot reach … is the server running?"', async () => {
    const model = await remoteDescription('down', { url: `http://127.0.0.1:${await unusedPort()}`, retries: 0 });
    const result = await explain(model, path.join(dir, 'down'));
    // `dax explain` reports any model that cannot be opened with the usage exit code (2), whatever the cause.
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /cannot reach http:\/\/127\.0\.0\.1:\d+\/v2\/health\/ready: ECONNREFUSED — is the server running\?/,
    );
  });

  test('a token variable that is not set: exit 2, naming the variable', async () => {
    const model = await remoteDescription('no-token', {
      headers: { Authorization: 'Bearer ${env:DAX_KSERVE_UNSET_VARIABLE}' },
    });
    const result = await explain(model, path.join(dir, 'no-token'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /needs the environment variable DAX_KSERVE_UNSET_VARIABLE, which is not set/);
    assert.equal(server.counts.requests, 0);
  });
});
