import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classSlug, exportFileName, viewPngBytes } from '../../src/extension/exportNames';

const report = (label: string | undefined, index = 0, method: 'dax' | 'rise' = 'dax') => ({
  input: { file: '/w/stationery-sign.jpg', width: 1, height: 1 },
  target: { index, label, probability: 0.9 },
  method,
});

describe('export file names', () => {
  test('name the input, the class and the method', () => {
    assert.equal(exportFileName(report('tabby cat'), 'overlay'), 'stationery-sign.tabby-cat.dax.overlay.png');
    assert.equal(exportFileName(report('0', 0, 'rise'), 'saliency'), 'stationery-sign.class-0.rise.saliency.png');
    assert.equal(
      exportFileName({ ...report('speech'), input: { file: '/w/open-the-door.wav', width: 1, height: 1 } }, 'kept'),
      'open-the-door.speech.dax.kept.wav',
    );
    assert.equal(exportFileName(report(undefined, 7), 'report'), 'stationery-sign.class-7.dax.report.json');
  });

  test('a label is made safe for a file name', () => {
    assert.equal(classSlug({ index: 3, label: '../../etc/passwd', probability: 1 }), 'etc-passwd');
    assert.equal(classSlug({ index: 3, label: 'Ünïcode: ok?', probability: 1 }), 'Ünïcode-ok');
    assert.equal(classSlug({ index: 3, label: ' / ', probability: 1 }), 'class-3');
  });
});

describe('exporting the view as the panel drew it', () => {
  test('is named like the other files, as a view', () => {
    assert.equal(exportFileName(report('0'), 'view'), 'stationery-sign.class-0.dax.view.png');
  });

  test('takes only PNG bytes from the panel', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    assert.deepEqual(viewPngBytes(png.toString('base64')), png);
    assert.equal(viewPngBytes(Buffer.from('#!/bin/sh\nrm -rf ~').toString('base64')), undefined);
    assert.equal(viewPngBytes(''), undefined);
    assert.equal(viewPngBytes(png.subarray(0, 8).toString('base64')), undefined, 'a signature alone is no picture');
  });
});
