// The licences a VSIX must carry: ThirdPartyNotices.txt names every package the build bundles and every package
// shipped beside the bundles (the native addons and the LGPL decoders with their dependencies), at its version.
// `npm test` builds first, so dist/bundled-packages.json is the current build's.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { heading, missingFrom, NOTICES, shippedPackages } from '../../scripts/notices.mjs';
import { EMBEDDED_LGPL, RUNTIME_LOADED } from '../../scripts/shipping.mjs';
import { ROOT } from '../helpers/cli';

describe('ThirdPartyNotices.txt', () => {
  const text = readFileSync(NOTICES, 'utf8');
  const shipped = shippedPackages();

  test('lists every shipped package with its version (else: npm run notices)', () => {
    assert.deepEqual(missingFrom(text, shipped).map(heading), []);
    assert.ok(shipped.some((p) => p.how === 'bundled') && shipped.some((p) => p.how === 'beside'));
  });

  test('the LGPL decoders are not in the bundles, and the licences that cover them ship', () => {
    const bundled = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'bundled-packages.json'), 'utf8')) as {
      name: string;
    }[];
    for (const name of RUNTIME_LOADED)
      assert.ok(!bundled.some((p) => p.name === name), `${name} is loaded at run time`);
    for (const [name, embedded] of Object.entries(EMBEDDED_LGPL)) {
      assert.ok(text.includes(`It contains ${embedded.what}, under ${embedded.license}`), name);
      for (const file of embedded.files)
        assert.ok(readFileSync(path.join(ROOT, 'licenses', file), 'utf8').length > 1000);
    }
    const worker = readFileSync(path.join(ROOT, 'dist', 'worker.js'), 'utf8');
    // Class names of mpg123-decoder and codec-parser, which their packages' files hold.
    assert.ok(!worker.includes('MPEGDecoder'), 'no mpg123 decoder in the worker bundle');
    assert.ok(!worker.includes('CodecParser'), 'no codec-parser in the worker bundle');
  });
});
