import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classSlug, exportFileName } from '../../src/extension/exportNames';

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
