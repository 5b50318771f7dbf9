import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FOLDER_SORT,
  baseName,
  folderCounts,
  folderHeadline,
  nextSort,
  opensResult,
  rowLabel,
  seconds,
  sortRows,
  statusText,
} from '../src/folderSummary';
import { decodeHostMessage } from '../src/messages';
import { createStore, initialState, reduce } from '../src/store';
import { DEFAULT_PREFERENCES } from '../src/preferences';
import { folderRow, folderSummary, snapshot } from './fixtures';

describe('folder summary: counts and headline', () => {
  test('counts each status and the finished rows', () => {
    const summary = folderSummary(
      [
        folderRow('a.jpg', 'ok'),
        folderRow('b.jpg', 'cached'),
        folderRow('c.jpg', 'failed'),
        folderRow('d.jpg', 'running'),
        folderRow('e.jpg', 'pending'),
        folderRow('f.jpg', 'pending'),
      ],
      'running',
    );
    assert.deepEqual(folderCounts(summary), {
      pending: 2,
      running: 1,
      ok: 1,
      cached: 1,
      failed: 1,
      cancelled: 0,
      finished: 3,
      total: 6,
    });
  });

  test('the headline says where a running batch is, and what it came to', () => {
    const running = folderSummary(
      [folderRow('a.jpg', 'ok'), folderRow('b.wav', 'running'), folderRow('c.jpg', 'pending')],
      'running',
    );
    assert.equal(folderHeadline(running), '1 of 3 files done: 1 explained');
    const done = folderSummary([folderRow('a.jpg', 'ok'), folderRow('b.wav', 'cached'), folderRow('c.jpg', 'failed')]);
    assert.equal(folderHeadline(done), 'All 3 files done: 1 explained, 1 from cache, 1 failed');
    const cancelled = folderSummary(
      [folderRow('a.jpg', 'cached'), folderRow('b.wav', 'cancelled'), folderRow('c.jpg', 'cancelled')],
      'cancelled',
    );
    assert.equal(folderHeadline(cancelled), 'Cancelled after 1 of 3 files: 1 from cache, 2 cancelled');
    assert.equal(folderHeadline(folderSummary([folderRow('a.jpg', 'pending')], 'running')), '0 of 1 file done');
  });
});

describe('folder summary: rows', () => {
  test('only a row with a result opens one', () => {
    assert.equal(opensResult(folderRow('a.jpg', 'ok')), true);
    assert.equal(opensResult(folderRow('a.jpg', 'cached')), true);
    assert.equal(opensResult(folderRow('a.jpg', 'failed')), false);
    assert.equal(
      opensResult(folderRow('a.jpg', 'running', { key: 'k' })),
      false,
      'a key without a finished status is not a result',
    );
    assert.equal(opensResult(folderRow('a.jpg', 'ok', { key: '' })), false);
  });

  test('status text, names, times and the accessible label', () => {
    assert.equal(statusText('cached'), 'from cache');
    assert.equal(statusText('pending'), 'waiting');
    assert.equal(baseName('sub/deeper/a.jpg'), 'a.jpg');
    assert.equal(baseName('a.jpg'), 'a.jpg');
    assert.equal(seconds(1.25), '1.3 s');
    assert.equal(seconds(undefined), '–');
    assert.equal(
      rowLabel(folderRow('sub/a.jpg', 'ok')),
      'sub/a.jpg, explained, cat 90.0 %, 500 queries, 1.5 s, opens the result',
    );
    assert.equal(
      rowLabel(folderRow('sub/a.jpg', 'cached'), true),
      'sub/a.jpg, from cache, cat 90.0 %, 500 queries, 1.5 s, shown',
    );
    assert.equal(rowLabel(folderRow('b.wav', 'failed')), 'b.wav, failed, b.wav: the model failed');
  });
});

describe('folder summary: sorting', () => {
  const rows = [
    folderRow('a.jpg', 'ok', { probability: 0.5, seconds: 3, classLabel: 'dog' }),
    folderRow('b.jpg', 'failed'),
    folderRow('c.wav', 'cached', { probability: 0.9, seconds: 1, classLabel: 'cat' }),
    folderRow('d.jpg', 'ok', { probability: 0.5, seconds: 2, classLabel: 'cat' }),
    folderRow('e.jpg', 'pending'),
  ];
  const files = (sorted: ReturnType<typeof sortRows>): string[] => sorted.map(({ row }) => row.file);

  test('the default is the batch order, with each row keeping its index', () => {
    const sorted = sortRows(rows);
    assert.deepEqual(files(sorted), ['a.jpg', 'b.jpg', 'c.wav', 'd.jpg', 'e.jpg']);
    assert.deepEqual(
      sorted.map(({ index }) => index),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(files(sortRows(rows, { key: 'order', descending: true })), [
      'e.jpg',
      'd.jpg',
      'c.wav',
      'b.jpg',
      'a.jpg',
    ]);
  });

  test('numbers sort by value, ties keep the batch order, rows without a value go last either way', () => {
    assert.deepEqual(files(sortRows(rows, { key: 'probability', descending: true })), [
      'c.wav',
      'a.jpg',
      'd.jpg',
      'b.jpg',
      'e.jpg',
    ]);
    assert.deepEqual(files(sortRows(rows, { key: 'probability', descending: false })), [
      'a.jpg',
      'd.jpg',
      'c.wav',
      'b.jpg',
      'e.jpg',
    ]);
    assert.deepEqual(files(sortRows(rows, { key: 'seconds', descending: false })), [
      'c.wav',
      'd.jpg',
      'a.jpg',
      'b.jpg',
      'e.jpg',
    ]);
  });

  test('text sorts by code units; status puts failures first', () => {
    assert.deepEqual(files(sortRows(rows, { key: 'class', descending: false })), [
      'c.wav',
      'd.jpg',
      'a.jpg',
      'b.jpg',
      'e.jpg',
    ]);
    assert.deepEqual(files(sortRows(rows, { key: 'status', descending: false })), [
      'b.jpg',
      'e.jpg',
      'a.jpg',
      'd.jpg',
      'c.wav',
    ]);
    assert.deepEqual(files(sortRows(rows, { key: 'file', descending: true })), [
      'e.jpg',
      'd.jpg',
      'c.wav',
      'b.jpg',
      'a.jpg',
    ]);
  });

  test('does not reorder the rows it is given', () => {
    const copy = [...rows];
    sortRows(rows, { key: 'probability', descending: true });
    assert.deepEqual(rows, copy);
  });

  test('choosing a column: the same one flips, another starts ascending for text and descending for numbers', () => {
    assert.deepEqual(nextSort(DEFAULT_FOLDER_SORT, 'file'), { key: 'file', descending: false });
    assert.deepEqual(nextSort({ key: 'file', descending: false }, 'file'), { key: 'file', descending: true });
    assert.deepEqual(nextSort({ key: 'file', descending: true }, 'probability'), {
      key: 'probability',
      descending: true,
    });
    assert.deepEqual(nextSort({ key: 'probability', descending: true }, 'probability'), {
      key: 'probability',
      descending: false,
    });
  });
});

describe('folder summary in the panel state', () => {
  test('a snapshot carries the summary through the decoder and the store, and a later one without it clears it', () => {
    const summary = folderSummary([folderRow('a.jpg', 'ok'), folderRow('b.wav', 'failed')]);
    const decoded = decodeHostMessage(JSON.parse(JSON.stringify(snapshot({ folder: summary }))));
    assert.ok(decoded?.type === 'panel/didChangeState');
    assert.deepEqual(decoded.folder, summary);
    const store = createStore(initialState(DEFAULT_PREFERENCES));
    store.dispatch(decoded);
    assert.deepEqual(
      store.getState().host.folder?.rows.map((row) => row.status),
      ['ok', 'failed'],
    );
    assert.equal(reduce(store.getState(), snapshot()).host.folder, undefined);
  });

  test('a malformed summary is left out; the rest of the snapshot stays', () => {
    for (const folder of [
      { folder: 'x', done: 0, total: 1, rows: 'nope' },
      { folder: 'x', done: 0, total: 1, rows: [{ status: 'ok' }] },
      42,
    ]) {
      const decoded = decodeHostMessage({
        type: 'panel/didChangeState',
        history: [],
        folder,
        error: { kind: 'model', message: 'boom' },
      });
      assert.ok(decoded?.type === 'panel/didChangeState');
      assert.equal(decoded.folder, undefined);
      assert.equal(decoded.error?.message, 'boom');
    }
  });
});
