import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHostMessage, toBytes, toNumbers } from '../src/messages';
import { comparison, comparisonDetail, runView, snapshot, step } from './fixtures';

describe('messages from the host', () => {
  test('typed arrays pass through untouched', () => {
    const message = snapshot({ current: runView('a') });
    const decoded = decodeHostMessage(message);
    assert.equal(decoded?.type, 'panel/didChangeState');
    assert.equal(decoded.type === 'panel/didChangeState' && decoded.current?.display.rgb, message.current!.display.rgb);
  });

  test('display arrays that arrive as plain arrays or JSON objects become Uint8Arrays', () => {
    const view = runView('a');
    const mangled = JSON.parse(JSON.stringify(snapshot({ current: view }))) as unknown;
    const decoded = decodeHostMessage(mangled);
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.ok(decoded.current!.display.saliency instanceof Uint8Array);
    assert.deepEqual(Array.from(decoded.current!.display.rgb), Array.from(view.display.rgb));
    assert.deepEqual(Array.from(toBytes([1, 2, 3])!), [1, 2, 3]);
    assert.deepEqual(Array.from(toBytes(new Uint16Array([1]).buffer)!), [1, 0]);
  });

  test('a comparison detail passes untouched when its arrays are typed', () => {
    const message = snapshot({ comparison: comparison(), comparisonDetail: comparisonDetail() });
    const decoded = decodeHostMessage(message);
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.equal(decoded.comparisonDetail, message.comparisonDetail);
  });

  test('comparison detail arrays that arrive as JSON become Uint8Arrays and number lists', () => {
    const detail = comparisonDetail();
    detail.methods[1]!.deletionCurve[2] = Number.NaN;
    const mangled = JSON.parse(JSON.stringify(snapshot({ current: runView('a'), comparison: comparison(), comparisonDetail: detail }))) as unknown;
    const decoded = decodeHostMessage(mangled);
    assert.ok(decoded?.type === 'panel/didChangeState');
    const restored = decoded.comparisonDetail!;
    assert.ok(restored.rgb instanceof Uint8Array);
    assert.deepEqual(Array.from(restored.rgb), Array.from(detail.rgb));
    assert.equal(restored.methods.length, 4);
    for (const [i, method] of restored.methods.entries()) {
      assert.ok(method.saliency instanceof Uint8Array);
      assert.deepEqual(Array.from(method.saliency), Array.from(detail.methods[i]!.saliency));
      assert.deepEqual(method.fractions, detail.methods[i]!.fractions);
      assert.equal(method.method, detail.methods[i]!.method);
    }
    assert.ok(Number.isNaN(restored.methods[1]!.deletionCurve[2]!), 'NaN (null in JSON) stays NaN, not 0');
    assert.ok(decoded.current!.display.rgb instanceof Uint8Array, 'the current result is restored too');
  });

  test('a detail that is not one is dropped, the rest of the snapshot kept', () => {
    const decoded = decodeHostMessage({ ...snapshot({ comparison: comparison() }), comparisonDetail: { width: 2, height: 1 } });
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.equal(decoded.comparisonDetail, undefined);
    assert.ok(!('comparisonDetail' in decoded));
    assert.equal(decoded.comparison?.rows.length, 4);
  });

  test('number lists from arrays, typed arrays and numbered objects', () => {
    const list = [1, 2];
    assert.equal(toNumbers(list), list);
    assert.deepEqual(toNumbers(new Float32Array([0.5, 1])), [0.5, 1]);
    assert.deepEqual(toNumbers({ 0: 1, 1: '2' }), [1, 2]);
    assert.deepEqual(toNumbers('x'), []);
  });

  test('progress passes; anything else is dropped', () => {
    assert.deepEqual(decodeHostMessage(step(1, 1)), step(1, 1));
    assert.equal(decodeHostMessage({ type: 'panel/didProgress', seq: '1', progress: {} }), undefined);
    assert.equal(decodeHostMessage({ type: 'run/didProgress', id: 1 }), undefined);
    assert.equal(decodeHostMessage('hello'), undefined);
    assert.equal(decodeHostMessage(null), undefined);
    assert.equal(decodeHostMessage({ type: 'panel/didChangeState' }), undefined, 'a snapshot needs its history');
  });
});
