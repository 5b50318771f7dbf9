// The host's run queue and the progress line: requests run one at a time in the order they came, the queue knows
// how many wait, a failure does not stop the ones behind it, and the line says what is going.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunQueue } from '../../src/extension/runs/runQueue';
import { progressText } from '../../src/extension/runs/progressText';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the run queue', () => {
  test('runs one request at a time, in order, and counts those that wait', async () => {
    const queue = new RunQueue();
    const order: string[] = [];
    const gate = deferred();
    const first = queue.enqueue(async () => {
      order.push('first starts');
      await gate.promise;
      order.push('first ends');
      return 1;
    });
    const second = queue.enqueue(async () => {
      order.push('second starts');
      return 2;
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['first starts']);
    assert.equal(queue.waiting, 1, 'the second waits while the first runs');
    gate.resolve();
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
    assert.deepEqual(order, ['first starts', 'first ends', 'second starts']);
    assert.equal(queue.waiting, 0);
  });

  test('a failed request rejects its own caller and the next one still runs', async () => {
    const queue = new RunQueue();
    const failed = queue.enqueue(async () => {
      throw new Error('worker crashed');
    });
    const next = queue.enqueue(async () => 'ran');
    await assert.rejects(failed, /worker crashed/);
    assert.equal(await next, 'ran');
    assert.equal(queue.waiting, 0);
  });
});

describe('the progress line', () => {
  test('says the phase, the queries and the training step, with the backend', () => {
    assert.equal(
      progressText({ type: 'phase', phase: 'querying', message: 'querying the model' }, undefined, undefined),
      'querying the model',
    );
    assert.equal(
      progressText({ type: 'queries', done: 50, total: 120 }, undefined, undefined),
      'querying the model 50/120',
    );
    assert.equal(
      progressText(
        { type: 'step', step: 3, epoch: 2, epochs: 3, stepsPerEpoch: 10, losses: { total: 0.12345 } },
        'wasm',
        undefined,
      ),
      'training epoch 2/3 on wasm · loss 0.1235',
    );
  });

  test('puts the method first during Compare Methods, and says nothing for events without text', () => {
    const comparing = { index: 2, count: 4, method: 'rise' as const };
    assert.equal(
      progressText({ type: 'queries', done: 1, total: 2 }, undefined, comparing),
      '2/4 RISE · querying the model 1/2',
    );
    assert.equal(
      progressText({ type: 'epoch', epoch: 1, epochs: 3, validation: 0.1, maskChange: 0 }, undefined, comparing),
      undefined,
    );
  });
});
