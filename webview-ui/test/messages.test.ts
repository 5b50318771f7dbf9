import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHostMessage, toBytes, toFloats, toNumbers } from '../src/messages';
import { audioRunView, comparison, comparisonDetail, runView, snapshot, step } from './fixtures';

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
    const mangled = JSON.parse(
      JSON.stringify(snapshot({ current: runView('a'), comparison: comparison(), comparisonDetail: detail })),
    ) as unknown;
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
    const decoded = decodeHostMessage({
      ...snapshot({ comparison: comparison() }),
      comparisonDetail: { width: 2, height: 1 },
    });
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.equal(decoded.comparisonDetail, undefined);
    assert.ok(!('comparisonDetail' in decoded));
    assert.equal(decoded.comparison?.rows.length, 4);
  });

  test('an audio result passes untouched when its sounds arrive as Float32Arrays', () => {
    const message = snapshot({ current: audioRunView('a') });
    const decoded = decodeHostMessage(message);
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.equal(decoded.current, message.current);
  });

  test('audio arrays that arrive as JSON become Float32Arrays again', () => {
    const view = audioRunView('a');
    const mangled = JSON.parse(JSON.stringify(snapshot({ current: view }))) as unknown;
    const decoded = decodeHostMessage(mangled);
    assert.ok(decoded?.type === 'panel/didChangeState');
    const audio = decoded.current!.display.audio!;
    for (const name of ['original', 'kept', 'removed', 'timeSaliency'] as const) {
      assert.ok(audio[name] instanceof Float32Array, name);
      // JSON writes −0 as 0.
      assert.deepEqual(
        Array.from(audio[name], (v) => v + 0),
        Array.from(view.display.audio![name], (v) => v + 0),
        name,
      );
    }
    assert.deepEqual(audio.intervals, view.display.audio!.intervals);
    assert.equal(audio.scale, 'mel');
    assert.ok(decoded.current!.display.saliency instanceof Uint8Array);
  });

  test('an image result gets no audio field', () => {
    const mangled = JSON.parse(JSON.stringify(snapshot({ current: runView('a') }))) as unknown;
    const decoded = decodeHostMessage(mangled);
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.ok(!('audio' in decoded.current!.display));
  });

  test('samples from Float32Arrays, their buffers, other typed arrays and plain arrays', () => {
    const samples = new Float32Array([0.5, -0.25]);
    assert.equal(toFloats(samples), samples);
    assert.deepEqual(toFloats(samples.buffer), samples);
    assert.deepEqual(toFloats(new Float64Array([0.5, -0.25])), samples);
    assert.deepEqual(toFloats([0.5, -0.25]), samples);
    assert.deepEqual(toFloats({ 0: 0.5, 1: -0.25 }), samples);
    assert.deepEqual(toFloats(new ArrayBuffer(3)), new Float32Array(0), 'a buffer that is not whole floats');
    assert.deepEqual(toFloats(undefined), new Float32Array(0));
  });

  test('number lists from arrays, typed arrays and numbered objects', () => {
    const list = [1, 2];
    assert.equal(toNumbers(list), list);
    assert.deepEqual(toNumbers(new Float32Array([0.5, 1])), [0.5, 1]);
    assert.deepEqual(toNumbers({ 0: 1, 1: '2' }), [1, 2]);
    assert.deepEqual(toNumbers('x'), []);
  });

  test("a live map's bytes are restored, however the transport carried them", () => {
    const map = { type: 'map', epoch: 1, epochs: 3, width: 2, height: 1, values: { 0: 7, 1: 200 } };
    const decoded = decodeHostMessage({ type: 'panel/didProgress', seq: 4, at: 10, progress: map });
    assert.ok(decoded?.type === 'panel/didProgress' && decoded.progress.type === 'map');
    assert.deepEqual(decoded.progress.values, Uint8Array.from([7, 200]));
    assert.equal(
      decodeHostMessage({ type: 'panel/didProgress', seq: 5, at: 10, progress: { ...map, values: 'x' } }),
      undefined,
    );
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
