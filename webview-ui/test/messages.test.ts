import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHostMessage, toBytes } from '../src/messages';
import { runView, snapshot, step } from './fixtures';

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

  test('progress passes; anything else is dropped', () => {
    assert.deepEqual(decodeHostMessage(step(1, 1)), step(1, 1));
    assert.equal(decodeHostMessage({ type: 'panel/didProgress', seq: '1', progress: {} }), undefined);
    assert.equal(decodeHostMessage({ type: 'run/didProgress', id: 1 }), undefined);
    assert.equal(decodeHostMessage('hello'), undefined);
    assert.equal(decodeHostMessage(null), undefined);
    assert.equal(decodeHostMessage({ type: 'panel/didChangeState' }), undefined, 'a snapshot needs its history');
  });
});
