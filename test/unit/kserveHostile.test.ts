// A served model's server is not trusted: what it answers, however odd, ends in a DaxError that names what was
// wrong, never in a crash. A small hand-written server on 127.0.0.1 gives the answers (the protocol's routes only).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseModelConfig } from '../../src/engine/blackbox/modelConfig';
import { openClassifier } from '../../src/engine/blackbox/openClassifier';
import { DaxError } from '../../src/engine/core/errors';
import { tempDir } from '../helpers/files';

/** What /infer answers: a status and a body, or a handler of its own. */
let inferAnswer: (request: http.IncomingMessage, response: http.ServerResponse) => void;
/** What the metadata route answers (the model's metadata unless a test changes it). */
let metadataAnswer: (response: http.ServerResponse, request: http.IncomingMessage) => void;
let server: http.Server;
let url: string;
let dir: string;

const metadata = {
  name: 'm',
  versions: ['1'],
  platform: 'test',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3, 4, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
};

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
}

before(async () => {
  dir = await tempDir('dax-kserve-hostile-');
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/v2/health/ready' || request.url === '/v2/models/m/ready') return json(response, 200, {});
      if (request.url === '/v2/models/m') return metadataAnswer(response, request);
      if (request.url === '/v2/models/m/infer') return inferAnswer(request, response);
      json(response, 404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function openServed(endpoint: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const config = await parseModelConfig(
    { kind: 'kserve', endpoint: { url, model: 'm', retries: 0, ...endpoint }, input: { scale: 255 }, ...extra },
    dir,
    'remote.model.json',
  );
  return openClassifier(config, { backoffMs: 5, env: { DAX_HOSTILE_TOKEN: TOKEN } });
}

/** The secret a header carries, and that a hostile server echoes wherever it can. */
const TOKEN = 's3cret-token-4f9c2a';
const withToken = { headers: { Authorization: 'Bearer ${env:DAX_HOSTILE_TOKEN}' } };

function modelError(pattern: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof DaxError, `expected a DaxError, got ${(error as Error)?.stack ?? String(error)}`);
    assert.equal(error.kind, 'model');
    assert.match(error.message, pattern);
    return true;
  };
}

const image = (): Float32Array => new Float32Array(4 * 4 * 3);

/** Writes `piece` over and over until the client goes away; resolves with the bytes written. */
function pump(response: http.ServerResponse, piece: Buffer): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    let closed = false;
    response.on('close', () => {
      closed = true;
      resolve(written);
    });
    const more = (): void => {
      while (!closed) {
        written += piece.length;
        if (!response.write(piece)) return void response.once('drain', more);
      }
    };
    more();
  });
}

beforeEach(() => {
  metadataAnswer = (response) => json(response, 200, metadata);
});

describe('hostile answers from a served model', () => {
  test('a well-formed answer is read (the server above speaks the protocol)', async () => {
    inferAnswer = (_request, response) =>
      json(response, 200, { outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }] });
    const classifier = await openServed();
    const [row] = await classifier.classify({ images: [image()] });
    assert.deepEqual(Array.from(row!), [0.25, 0.75]);
    await classifier.dispose();
  });

  test('data nested 200 000 levels deep is refused, not a stack overflow', async () => {
    const depth = 200_000;
    inferAnswer = (_request, response) =>
      json(
        response,
        200,
        `{"outputs":[{"name":"y","datatype":"FP32","shape":[1,2],"data":${'['.repeat(depth)}0.5${']'.repeat(depth)}}]}`,
      );
    const classifier = await openServed();
    await assert.rejects(classifier.classify({ images: [image()] }), modelError(/nests JSON more than 64 levels deep/));
    await classifier.dispose();
  });

  test('an error body nested deeply is refused too', async () => {
    // 100 000 levels: under the answer's size limit (1 MB and a little), far past the stack.
    const depth = 100_000;
    inferAnswer = (_request, response) =>
      json(response, 500, `{"error":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    const classifier = await openServed();
    await assert.rejects(classifier.classify({ images: [image()] }), modelError(/nests JSON more than 64 levels deep/));
    await classifier.dispose();
  });

  test('an answer that declares a 2 GB body is refused from its header, before any of it is read', async () => {
    inferAnswer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 ** 31) });
      response.write('{"outputs":[');
    };
    const classifier = await openServed();
    const started = performance.now();
    await assert.rejects(
      classifier.classify({ images: [image()] }),
      modelError(
        /POST http:\/\/127\.0\.0\.1:\d+\/v2\/models\/m\/infer declares a body of 2147483648 bytes, more than the \d+ bytes an answer to it can take/,
      ),
    );
    assert.ok(performance.now() - started < 2000, `took ${(performance.now() - started).toFixed(0)} ms`);
    await classifier.dispose();
  });

  test('an endless answer is cut off once it passes what the request can return', async () => {
    let sent: Promise<number> | undefined;
    inferAnswer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"outputs":[{"name":"y","datatype":"FP32","shape":[1,2],"data":[');
      sent = pump(response, Buffer.from('0.5,'.repeat(16_384)));
    };
    const classifier = await openServed();
    const started = performance.now();
    await assert.rejects(
      classifier.classify({ images: [image()] }),
      modelError(/infer sent more than the \d+ bytes an answer to it can take/),
    );
    assert.ok(performance.now() - started < 5000, `took ${(performance.now() - started).toFixed(0)} ms`);
    const bytes = await sent!;
    assert.ok(bytes < 64 * 2 ** 20, `the server got to send ${bytes} bytes`);
    await classifier.dispose();
  });

  test('metadata of 8 MB is refused: metadata is small', async () => {
    metadataAnswer = (response) => json(response, 200, { ...metadata, platform: 'x'.repeat(8 * 2 ** 20) });
    await assert.rejects(
      openServed(),
      modelError(/GET http:\/\/127\.0\.0\.1:\d+\/v2\/models\/m (declares a body of|sent more than the) \d+ bytes/),
    );
  });

  test('a server that drips its answer fails at one deadline for the request, retries included', async () => {
    inferAnswer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    };
    const classifier = await openServed({ timeoutMs: 1000, retries: 4 });
    const started = performance.now();
    await assert.rejects(classifier.classify({ images: [image()] }), modelError(/infer timed out after 1000 ms/));
    const took = performance.now() - started;
    assert.ok(took < 2500, `took ${took.toFixed(0)} ms (5 attempts of 1 s each would take over 5 s)`);
    await classifier.dispose();
  });

  test('output names the server makes of the token never reach a message', async () => {
    inferAnswer = (request, response) =>
      json(response, 200, {
        outputs: [{ name: String(request.headers.authorization), datatype: 'FP32', shape: [1, 2], data: [0.5, 0.5] }],
      });
    const classifier = await openServed(withToken);
    const error = await classifier.classify({ images: [image()] }).then(
      () => assert.fail('the answer has no output "y"'),
      (error: unknown) => error as DaxError,
    );
    assert.ok(error instanceof DaxError);
    assert.match(error.message, /has no output "y" \(it has \*\*\*\)/);
    assert.doesNotMatch(`${error.message}\n${error.stack}`, new RegExp(TOKEN));
    await classifier.dispose();
  });

  test('a token in the metadata (tensor names, datatypes) reaches neither an error nor the description', async () => {
    metadataAnswer = (response, request) => {
      const token = String(request.headers.authorization);
      json(response, 200, { ...metadata, outputs: [{ name: token, datatype: token, shape: [-1, 2] }] });
    };
    await assert.rejects(openServed(withToken, { output: { name: 'y' } }), (error: unknown) => {
      assert.ok(error instanceof DaxError);
      assert.match(error.message, /has no output named "y"; its outputs are \*\*\*/);
      assert.doesNotMatch(error.message, new RegExp(TOKEN));
      return true;
    });
    metadataAnswer = (response, request) =>
      json(response, 200, {
        ...metadata,
        inputs: [{ ...metadata.inputs[0], name: String(request.headers.authorization) }],
      });
    inferAnswer = (_request, response) =>
      json(response, 200, { outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 2], data: [0.25, 0.75] }] });
    const classifier = await openServed(withToken);
    assert.doesNotMatch(classifier.description, new RegExp(TOKEN));
    assert.match(classifier.description, /\*\*\*/);
    await classifier.dispose();
  });

  test("a token in a binary output's datatype is redacted too", async () => {
    inferAnswer = (request, response) => {
      const body = JSON.stringify({
        outputs: [
          {
            name: 'y',
            datatype: String(request.headers.authorization),
            shape: [1, 2],
            parameters: { binary_data_size: 8 },
          },
        ],
      });
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(Buffer.byteLength(body)),
      });
      response.end(Buffer.concat([Buffer.from(body), Buffer.alloc(8)]));
    };
    const classifier = await openServed({ ...withToken, binary: true });
    await assert.rejects(classifier.classify({ images: [image()] }), (error: unknown) => {
      assert.ok(error instanceof DaxError);
      assert.match(error.message, /output "y" is \*\*\*; class scores must be numbers/);
      assert.doesNotMatch(error.message, new RegExp(TOKEN));
      return true;
    });
    await classifier.dispose();
  });
});
