import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PREFERENCES, restorePreferences } from '../src/preferences';
import {
  createStore,
  formatLeft,
  initialState,
  progressOf,
  reduce,
  secondsLeft,
  type PanelAction,
  type PanelState,
} from '../src/store';
import { active, progress, runView, snapshot, step, summary } from './fixtures';
import type { RunView } from '../../src/shared/protocol';

const start = (): PanelState => initialState(DEFAULT_PREFERENCES);
const run = (state: PanelState, ...actions: PanelAction[]): PanelState => actions.reduce(reduce, state);

describe('snapshots', () => {
  test('a snapshot replaces everything the host owns', () => {
    const first = run(
      start(),
      snapshot({ history: [summary('a')], current: runView('a'), error: { kind: 'model', message: 'boom' } }),
    );
    assert.equal(first.connected, true);
    assert.equal(first.host.current?.summary.key, 'a');
    assert.equal(first.host.error?.message, 'boom');
    const second = reduce(first, snapshot({ history: [summary('b')] }));
    assert.deepEqual(second.host, { history: [summary('b')] });
    assert.equal(second.host.current, undefined, 'a field left out of a snapshot is gone, not kept from the last one');
    assert.equal(second.host.error, undefined);
  });

  test('preferences survive snapshots', () => {
    const tuned = run(
      start(),
      { type: 'ui/setOpacity', opacity: 0.8 },
      { type: 'ui/setColormap', colormap: 'greys' },
      { type: 'ui/setThreshold', threshold: 20 },
      { type: 'ui/setView', view: 'masked' },
    );
    const after = run(
      tuned,
      snapshot({ current: runView('a') }),
      snapshot({ history: [summary('a')], active: active() }),
      snapshot(),
    );
    assert.deepEqual(after.prefs, {
      ...DEFAULT_PREFERENCES,
      opacity: 0.8,
      colormap: 'greys',
      threshold: 20,
      view: 'masked',
    });
    assert.equal(after.prefs, tuned.prefs, 'the same object: nothing re-persisted');
  });

  test('live data is cleared when no run is active any more', () => {
    const running = run(start(), snapshot({ active: active() }), step(1, 1));
    assert.equal(running.live?.losses.length, 1);
    const done = reduce(running, snapshot({ current: runView('a') }));
    assert.equal(done.live, undefined);
  });
});

describe('progress', () => {
  test('is ignored while no run is active', () => {
    const idle = run(start(), snapshot());
    assert.equal(reduce(idle, step(1, 1)), idle);
    const unconnected = start();
    assert.equal(reduce(unconnected, step(1, 1)), unconnected);
  });

  test('appends loss points for the active run, in order', () => {
    const state = run(
      start(),
      snapshot({ active: active() }),
      step(1, 1, { total: 1, l1: 0.5 }),
      step(2, 2, { total: 0.5, l1: 0.25 }),
    );
    assert.deepEqual(state.live?.losses, [
      { step: 1, epoch: 1, losses: { total: 1, l1: 0.5 } },
      { step: 2, epoch: 1, losses: { total: 0.5, l1: 0.25 } },
    ]);
    assert.equal(state.live?.lastSeq, 2);
  });

  test('ignores an event whose seq is not newer than the last applied', () => {
    const state = run(start(), snapshot({ active: active() }), step(5, 5));
    assert.equal(reduce(state, step(5, 6)), state, 'a repeated seq');
    assert.equal(reduce(state, step(3, 3)), state, 'an older seq');
    assert.equal(reduce(state, step(Number.NaN, 7)), state, 'a seq that is not a number');
    assert.equal(reduce(state, step(6, 6)).live?.losses.length, 2);
  });

  test('phase and query events update the live run without adding loss points', () => {
    const state = run(
      start(),
      snapshot({ active: active() }),
      progress(1, { type: 'phase', phase: 'querying', message: 'querying the model' }),
      progress(2, { type: 'queries', done: 250, total: 1000 }),
    );
    assert.deepEqual(state.live?.phase, { phase: 'querying', message: 'querying the model' });
    assert.deepEqual(state.live?.queries, { done: 250, total: 1000, before: 0, since: { count: 250, at: 200 } });
    assert.deepEqual(state.live?.losses, []);
    assert.deepEqual(progressOf(state.host.active!, state.live), { text: '250 of 1,000 queries', fraction: 0.25 });
  });

  test('says how many queries of the budget are made across rounds, and which backend trains', () => {
    const state = run(
      start(),
      snapshot({ active: active() }),
      progress(1, { type: 'started', backend: 'wasm', budget: 500 }),
      progress(2, { type: 'phase', phase: 'querying', message: 'querying the model' }),
      progress(3, { type: 'queries', done: 350, total: 350 }),
      progress(4, { type: 'phase', phase: 'training', message: 'training' }),
      progress(5, { type: 'phase', phase: 'querying', message: 'round 1' }),
      progress(6, { type: 'queries', done: 40, total: 75 }),
    );
    assert.equal(state.live?.queries?.before, 350, 'the first round counts in full');
    assert.match(
      progressOf(state.host.active!, state.live).text,
      /^40 of 75 queries · 390 of 500 queries made · training on wasm$/,
    );
  });

  test('estimates the time left in a phase from the rate seen so far, once it has been measured for a while', () => {
    const querying = (done: number, at: number, seq: number) =>
      progress(seq, { type: 'queries', done, total: 1000 }, at);
    const early = run(
      start(),
      snapshot({ active: active() }),
      progress(1, { type: 'phase', phase: 'querying', message: 'querying the model' }, 0),
      querying(100, 1_000, 2),
      querying(200, 2_000, 3),
    );
    assert.doesNotMatch(progressOf(early.host.active!, early.live).text, /left/, 'one second is too short to tell');
    // 100 queries per second from the first count: 600 more take about 6 s.
    const later = reduce(early, querying(400, 4_000, 4));
    assert.match(progressOf(later.host.active!, later.live).text, /about 6 s of querying left/);
    assert.equal(formatLeft(undefined, 'training'), '');
    assert.equal(formatLeft(0.2, 'training'), 'training almost done');
    assert.equal(formatLeft(42, 'training'), 'about 40 s of training left');
    assert.equal(formatLeft(600, 'querying'), 'about 10 min of querying left');
    assert.equal(secondsLeft({ count: 10, at: 0 }, 10, 5_000, 100), undefined, 'no progress, no rate');
  });

  test('keeps the latest map of the run, to show it forming; a map whose size does not match is ignored', () => {
    const map = (epoch: number, values: number[]) =>
      ({ type: 'map', epoch, epochs: 3, width: 2, height: 2, values: Uint8Array.from(values) }) as const;
    const state = run(
      start(),
      snapshot({ active: active() }),
      progress(1, map(1, [0, 1, 2, 3])),
      progress(2, map(2, [9, 9, 9, 9])),
    );
    assert.deepEqual([state.live?.map?.epoch, Array.from(state.live?.map?.values ?? [])], [2, [9, 9, 9, 9]]);
    const broken = reduce(state, progress(3, { ...map(3, [1, 2, 3]) }));
    assert.equal(broken.live?.map?.epoch, 2);
  });

  test('a snapshot that leaves out unchanged pixels keeps those of the one before; without them the panel asks again', () => {
    const first = run(start(), snapshot({ current: runView('a') }));
    const { display: _display, ...slim } = runView('a');
    const next = reduce(first, {
      ...snapshot({ current: slim as unknown as RunView }),
      omitted: { display: true },
    });
    assert.equal(next.host.current?.display, first.host.current?.display, 'the same pixels');
    assert.equal(next.host.missing, undefined);
    const elsewhere = reduce(run(start(), snapshot({ current: runView('b') })), {
      ...snapshot({ current: slim as unknown as RunView }),
      omitted: { display: true },
    });
    assert.equal(elsewhere.host.current, undefined, 'no pixels of another result are shown for this one');
    assert.equal(elsewhere.host.missing, true);
  });

  test('a comparison counts each method’s queries afresh', () => {
    const state = run(
      start(),
      snapshot({ active: active() }),
      progress(1, { type: 'started', backend: 'cpu', budget: 200 }),
      progress(2, { type: 'queries', done: 200, total: 200 }),
      progress(3, { type: 'started', backend: 'cpu', budget: 200 }),
      progress(4, { type: 'queries', done: 50, total: 200 }),
    );
    assert.equal(state.live?.queries?.before, 0);
  });

  test('an epoch event adds a validation point at the epoch’s last step, as the report does', () => {
    const state = run(
      start(),
      snapshot({ active: active() }),
      step(1, 7),
      progress(2, { type: 'epoch', epoch: 1, epochs: 3, validation: 0.4, maskChange: 0.1 }),
    );
    assert.deepEqual(state.live?.validation, [{ step: 10, epoch: 1, validation: 0.4, maskChange: 0.1 }]);
  });

  test('does not mutate the previous state', () => {
    const before = run(start(), snapshot({ active: active() }), step(1, 1));
    const losses = before.live!.losses;
    reduce(before, step(2, 2));
    assert.equal(before.live!.losses, losses);
    assert.equal(losses.length, 1);
  });
});

describe('which run the live data belongs to', () => {
  const withPoints = run(start(), snapshot({ active: active('a.png', 1) }), step(1, 1), step(2, 2));

  test('a later snapshot of the same run keeps the points', () => {
    const state = reduce(withPoints, snapshot({ active: active('a.png', 1, { phase: 'training' }) }));
    assert.equal(state.live, withPoints.live);
  });

  test('another run starts from nothing, and accepts its own seq from 1 again', () => {
    const state = run(withPoints, snapshot({ active: active('b.png', 1, { id: 2 }) }), step(1, 1));
    assert.equal(state.live?.losses.length, 1);
  });

  test('a run of the same input with a new id starts from nothing', () => {
    const state = reduce(withPoints, snapshot({ active: active('a.png', 0, { id: 2 }) }));
    assert.deepEqual(state.live?.losses, []);
  });

  test('the same id keeps its points whatever else changes (queue, history)', () => {
    const state = reduce(
      withPoints,
      snapshot({ active: active('a.png', 0, { phase: 'training' }), history: [summary('x', 2000)] }),
    );
    assert.equal(state.live, withPoints.live);
  });
});

describe('preferences', () => {
  test('are clamped and rounded, and an unchanged value returns the same state', () => {
    const state = run(start(), { type: 'ui/setOpacity', opacity: 3 }, { type: 'ui/setThreshold', threshold: 0 });
    assert.equal(state.prefs.opacity, 1);
    assert.equal(state.prefs.threshold, 1);
    assert.equal(reduce(state, { type: 'ui/setOpacity', opacity: 1 }), state);
    assert.equal(run(state, { type: 'ui/setThreshold', threshold: 42.4 }).prefs.threshold, 42);
  });

  test('the clipping percentile defaults to 99, stays within 50..100 and survives a reload', () => {
    assert.equal(start().prefs.clip, 99);
    assert.equal(run(start(), { type: 'ui/setClip', clip: 120 }).prefs.clip, 100);
    assert.equal(run(start(), { type: 'ui/setClip', clip: 98 }).prefs.clip, 98);
    assert.equal(restorePreferences({ clip: 95 }).clip, 95);
    assert.equal(restorePreferences({ clip: 'x' }).clip, 99);
  });

  test('series visibility is a set of hidden names', () => {
    const hidden = run(
      start(),
      { type: 'ui/setSeriesVisible', name: 'kl', visible: false },
      { type: 'ui/setSeriesVisible', name: 'kl', visible: false },
    );
    assert.deepEqual(hidden.prefs.hiddenSeries, ['kl']);
    assert.deepEqual(reduce(hidden, { type: 'ui/setSeriesVisible', name: 'kl', visible: true }).prefs.hiddenSeries, []);
  });

  test('restoring takes what is valid and defaults the rest', () => {
    assert.deepEqual(restorePreferences(undefined), DEFAULT_PREFERENCES);
    assert.deepEqual(
      restorePreferences({
        opacity: '1',
        colormap: 'jet',
        threshold: 250,
        view: 'masked',
        hiddenSeries: ['kl', 3],
        logScale: true,
      }),
      {
        ...DEFAULT_PREFERENCES,
        threshold: 100,
        view: 'masked',
        hiddenSeries: ['kl'],
        logScale: true,
      },
    );
  });
});

test('the store tells its listeners only about changes', () => {
  const store = createStore(start());
  const seen: PanelState[] = [];
  store.subscribe((state) => seen.push(state));
  store.dispatch(step(1, 1));
  store.dispatch(snapshot());
  store.dispatch({ type: 'ui/setView', view: 'overlay' });
  assert.equal(seen.length, 1);
  assert.equal(store.getState().connected, true);
});
