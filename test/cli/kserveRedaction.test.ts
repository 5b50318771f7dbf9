// A served model's server that echoes the endpoint's token wherever it can (here: as the names of its outputs): the
// token reaches neither the terminal, nor --json, nor the batch summary (summary.csv, summary.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tempDir } from '../helpers/files';
import { runCli } from '../helpers/cli';
import { writeOracleImage } from '../helpers/oracle';

const TOKEN = 'tok-9b1e77c0d2';
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

before(async () => {
  dir = await tempDir('dax-cli-redact-');
  server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const send = (status: number, body: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.url === '/v2/health/ready' || request.url === '/v2/models/m/ready') return send(200, {});
      if (request.url === '/v2/models/m') return send(200, metadata);
      // The answer's outputs are named by the Authorization header, the token included.
      if (request.url === '/v2/models/m/infer')
        return send(200, {
          outputs: [{ name: String(request.headers.authorization), datatype: 'FP32', shape: [1, 2], data: [0.5, 0.5] }],
        });
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('a server that echoes the token', () => {
  test('the token is in no message, no --json and no summary of a folder run', async () => {
    const folder = path.join(dir, 'pictures');
    await mkdir(folder, { recursive: true });
    for (const stem of ['a', 'b']) await writeOracleImage(path.join(folder, `${stem}.png`));
    const model = path.join(dir, 'remote.model.json');
    await writeFile(
      model,
      JSON.stringify({
        kind: 'kserve',
        endpoint: { url, model: 'm', retries: 0, headers: { Authorization: 'Bearer ${env:DAX_REDACT_TOKEN}' } },
        input: { scale: 255 },
      }),
    );
    const out = path.join(dir, 'out');
    process.env.DAX_REDACT_TOKEN = TOKEN;
    let result;
    try {
      result = await runCli([
        'explain',
        folder,
        '--model',
        model,
        '--out',
        out,
        '--json',
        '--method',
        'occlusion',
        '--samples',
        '16',
      ]);
    } finally {
      delete process.env.DAX_REDACT_TOKEN;
    }
    assert.equal(result.code, 1, result.stderr);
    const summaryMd = await readFile(path.join(out, 'summary.md'), 'utf8');
    const summaryCsv = await readFile(path.join(out, 'summary.csv'), 'utf8');
    for (const [where, text] of Object.entries({
      stdout: result.stdout,
      stderr: result.stderr,
      summaryMd,
      summaryCsv,
    })) {
      assert.ok(!text.includes(TOKEN), `${where} holds the token:\n${text}`);
    }
    assert.match(summaryMd, /the inference response has no output "y" \(it has \*\*\*\)/);
    assert.match(result.stderr, /it has \*\*\*/);
    assert.deepEqual(
      JSON.parse(result.stdout).results.map((row: { status: string }) => row.status),
      ['failed', 'failed'],
    );
  });
});
