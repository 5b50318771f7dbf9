// The panel's state: a pure reducer over the host's messages and the user's display choices, a selector, a tiny store.
import type {
  ActiveRun,
  HostToPanel,
  PanelProgressNotification,
  PanelStateNotification,
} from '../../src/shared/protocol';
import type { LossPoint, ValidationPoint } from './lossData';
import { count } from './format';
import { clampNumber, type ColormapName, type Preferences, type ViewMode } from './preferences';

/**
 * The host's last snapshot (the host owns this state; the panel never edits it), with the pixels it left out taken
 * from the snapshot before; `missing` when the panel did not have them and must ask for a whole snapshot.
 */
export type HostSnapshot = Omit<PanelStateNotification, 'type' | 'omitted'> & { missing?: boolean };

/** What the panel has gathered from `panel/didProgress` about the active run since it started (or since the panel loaded). */
export interface LiveRun {
  /** Identity of the active run these events belong to (see `runIdentity`). */
  identity: string;
  /** The highest `seq` applied; older or repeated events are dropped. */
  lastSeq: number;
  phase?: { phase: string; message: string };
  /** The TF.js backend and the run's query budget (per method, when comparing), once the model is open. */
  started?: { backend: string; budget: number };
  /**
   * The current series of queries; `before` counts the queries of the run's earlier series (a method may ask in
   * rounds), `since` is where the series' rate is measured from (its first event).
   */
  queries?: { done: number; total: number; before: number; since: Mark };
  training?: { step: number; epoch: number; epochs: number; stepsPerEpoch: number; since: Mark };
  losses: LossPoint[];
  validation: ValidationPoint[];
  /** When the last event was seen. */
  lastAt?: number;
  /** The map as it stood after the latest epoch (a preview the worker shrank), for watching it form. */
  map?: { epoch: number; epochs: number; width: number; height: number; values: Uint8Array };
}

/** A point of progress (queries done, or steps) and when the host saw it, to measure a rate from. */
export interface Mark {
  count: number;
  at: number;
}

/** Everything the panel renders. */
export interface PanelState {
  /** False until the first snapshot arrives. */
  connected: boolean;
  host: HostSnapshot;
  /** Present exactly while the host reports an active run. */
  live?: LiveRun;
  prefs: Preferences;
}

/** The user's display choices (never sent to the host). */
export type UiAction =
  | { type: 'ui/setOpacity'; opacity: number }
  | { type: 'ui/setColormap'; colormap: ColormapName }
  | { type: 'ui/setThreshold'; threshold: number }
  | { type: 'ui/setClip'; clip: number }
  | { type: 'ui/setView'; view: ViewMode }
  | { type: 'ui/setSeriesVisible'; name: string; visible: boolean }
  | { type: 'ui/setLogScale'; logScale: boolean };

/** Anything the reducer accepts. */
export type PanelAction = HostToPanel | UiAction;

/** The state before the first snapshot. */
export function initialState(prefs: Preferences): PanelState {
  return { connected: false, host: { history: [] }, prefs };
}

/** The next state; returns `state` itself when the action changes nothing, so renderers can compare by reference. */
export function reduce(state: PanelState, action: PanelAction): PanelState {
  switch (action.type) {
    case 'panel/didChangeState':
      return applySnapshot(state, action);
    case 'panel/didProgress':
      return applyProgress(state, action);
    case 'ui/setOpacity':
      return withPrefs(state, { opacity: clampNumber(action.opacity, 0, 1, state.prefs.opacity) });
    case 'ui/setColormap':
      return withPrefs(state, { colormap: action.colormap });
    case 'ui/setThreshold':
      return withPrefs(state, { threshold: Math.round(clampNumber(action.threshold, 1, 100, state.prefs.threshold)) });
    case 'ui/setClip':
      return withPrefs(state, { clip: clampNumber(action.clip, 50, 100, state.prefs.clip) });
    case 'ui/setView':
      return withPrefs(state, { view: action.view });
    case 'ui/setSeriesVisible': {
      const hidden = state.prefs.hiddenSeries.filter((name) => name !== action.name);
      return withPrefs(state, { hiddenSeries: action.visible ? hidden : [...hidden, action.name] });
    }
    case 'ui/setLogScale':
      return withPrefs(state, { logScale: action.logScale });
  }
}

function withPrefs(state: PanelState, change: Partial<Preferences>): PanelState {
  const prefs = { ...state.prefs, ...change };
  const same = (Object.keys(change) as (keyof Preferences)[]).every((key) => {
    const [a, b] = [prefs[key], state.prefs[key]];
    return Array.isArray(a) && Array.isArray(b)
      ? a.length === b.length && a.every((item, i) => item === b[i])
      : a === b;
  });
  return same ? state : { ...state, prefs };
}

/** Which run a snapshot's `active` is: the host numbers its runs. */
export function runIdentity(active: ActiveRun): string {
  return String(active.id);
}

/** Whether the snapshot's active run is another run than the one the live data belongs to. */
export function startsNewRun(_previous: HostSnapshot, live: LiveRun | undefined, next: HostSnapshot): boolean {
  if (!next.active) return false;
  return !live || runIdentity(next.active) !== live.identity;
}

/** A snapshot replaces everything the host owns; live data survives only while the same run is still active. */
function applySnapshot(state: PanelState, message: PanelStateNotification): PanelState {
  const { type: _type, omitted, ...sent } = message;
  const host: HostSnapshot = { ...sent };
  // Pixels the host left out are those of the previous snapshot; a panel without them shows nothing of them and
  // asks again (see `missingPixels`).
  const previous = state.host;
  if (omitted?.display && host.current) {
    const display = previous.current?.summary.key === host.current.summary.key ? previous.current.display : undefined;
    host.current = display ? { ...host.current, display } : undefined;
    if (!display) host.missing = true;
  }
  if (omitted?.comparisonDetail) {
    host.comparisonDetail = previous.comparisonDetail;
    if (!previous.comparisonDetail) host.missing = true;
  }
  let live: LiveRun | undefined;
  if (host.active) {
    live =
      state.live && !startsNewRun(state.host, state.live, host)
        ? state.live
        : { identity: runIdentity(host.active), lastSeq: Number.NEGATIVE_INFINITY, losses: [], validation: [] };
  }
  return { connected: true, host, live, prefs: state.prefs };
}

/** Progress applies only while a run is active and only if newer than what was applied. */
function applyProgress(state: PanelState, message: PanelProgressNotification): PanelState {
  const live = state.live;
  if (!live || !state.host.active || !(message.seq > live.lastSeq)) return state;
  const progress = message.progress;
  const next: LiveRun = { ...live, lastSeq: message.seq };
  const at = message.at;
  switch (progress.type) {
    case 'started':
      // A comparison starts each method afresh: its queries count from nothing again.
      next.started = { backend: progress.backend, budget: progress.budget };
      next.queries = undefined;
      break;
    case 'phase':
      next.phase = { phase: progress.phase, message: progress.message };
      break;
    case 'map':
      if (progress.values.length === progress.width * progress.height)
        next.map = {
          epoch: progress.epoch,
          epochs: progress.epochs,
          width: progress.width,
          height: progress.height,
          values: progress.values,
        };
      break;
    case 'queries': {
      const previous = live.queries;
      // A series that went back (a new round) adds the whole of the one before; the throttle always passes its end.
      const sameSeries = previous !== undefined && progress.total === previous.total && progress.done >= previous.done;
      next.queries = {
        done: progress.done,
        total: progress.total,
        before: previous ? previous.before + (sameSeries ? 0 : previous.done) : 0,
        since: sameSeries ? previous.since : { count: progress.done, at },
      };
      break;
    }
    case 'step': {
      const previous = live.training;
      // Steps restart their rate after the run left training (a round of queries in between).
      const continuing = previous !== undefined && progress.step >= previous.step && live.phase?.phase === 'training';
      next.training = {
        step: progress.step,
        epoch: progress.epoch,
        epochs: progress.epochs,
        stepsPerEpoch: progress.stepsPerEpoch,
        since: continuing ? previous.since : { count: progress.step, at },
      };
      next.losses = [...live.losses, { step: progress.step, epoch: progress.epoch, losses: { ...progress.losses } }];
      break;
    }
    case 'epoch': {
      // The event carries no step; every epoch has `stepsPerEpoch` steps, so epoch e ends at step e × stepsPerEpoch
      // (as in the report's validation rows) even when the source throttled that step's own event away.
      const stepsPerEpoch = live.training?.stepsPerEpoch ?? 1;
      const step = progress.epoch * stepsPerEpoch;
      next.training = {
        step: Math.max(step, live.training?.step ?? 0),
        epoch: progress.epoch,
        epochs: progress.epochs,
        stepsPerEpoch,
        since: live.training?.since ?? { count: step, at },
      };
      next.validation = [
        ...live.validation,
        { step, epoch: progress.epoch, validation: progress.validation, maskChange: progress.maskChange },
      ];
      break;
    }
  }
  next.lastAt = at;
  return { ...state, live: next };
}

/** Shortest stretch a rate is measured over before the time left is shown: a guess from one event misleads. */
const MIN_RATE_MS = 1500;

/**
 * Time left for `remaining` more units at the rate seen from `since` to (`count`, `at`), in seconds; undefined
 * until there is a rate worth trusting.
 */
export function secondsLeft(since: Mark, count: number, at: number | undefined, remaining: number): number | undefined {
  if (at === undefined || remaining <= 0) return remaining <= 0 ? 0 : undefined;
  const elapsed = at - since.at;
  const done = count - since.count;
  if (elapsed < MIN_RATE_MS || done <= 0) return undefined;
  return (remaining * elapsed) / done / 1000;
}

/** "about 40 s of training left", "about 3 min of querying left"; nothing when unknown. */
export function formatLeft(seconds: number | undefined, what: string): string {
  if (seconds === undefined) return '';
  if (seconds < 1) return `${what} almost done`;
  const amount =
    seconds < 10
      ? `${Math.ceil(seconds)} s`
      : seconds < 90
        ? `${Math.round(seconds / 5) * 5} s`
        : `${Math.round(seconds / 60)} min`;
  return `about ${amount} of ${what} left`;
}

/**
 * Progress of a run as text and, when it can be measured, a fraction (undefined = indeterminate): the phase's
 * progress, the time left in it at the rate seen so far, the queries made of the budget and the training backend.
 */
export function progressOf(active: ActiveRun, live: LiveRun | undefined): { text: string; fraction?: number } {
  const phase = live?.phase?.phase ?? active.phase;
  const training = live?.training;
  const queries = live?.queries;
  const started = live?.started;
  const made = queries ? queries.before + queries.done : undefined;
  const facts = [
    started && made !== undefined ? `${count(made)} of ${count(started.budget)} queries made` : undefined,
    started ? `training on ${started.backend}` : undefined,
  ];
  const join = (parts: (string | undefined)[]): string => parts.filter((part) => part).join(' · ');
  if (phase === 'training' && training) {
    const total = training.epochs * training.stepsPerEpoch;
    const left = secondsLeft(training.since, training.step, live?.lastAt, total - training.step);
    return {
      text: join([
        `Epoch ${training.epoch} of ${training.epochs}, step ${count(training.step)} of at most ${count(total)}`,
        formatLeft(left, 'training'),
        ...facts,
      ]),
      fraction: total > 0 ? Math.min(1, training.step / total) : undefined,
    };
  }
  if (phase === 'querying' && queries) {
    const left = secondsLeft(queries.since, queries.done, live?.lastAt, queries.total - queries.done);
    return {
      text: join([`${count(queries.done)} of ${count(queries.total)} queries`, formatLeft(left, 'querying'), ...facts]),
      fraction: queries.total > 0 ? Math.min(1, queries.done / queries.total) : undefined,
    };
  }
  return { text: join(facts) };
}

/** A store: the current state, a dispatcher, and listeners told after each change. */
export interface Store {
  getState(): PanelState;
  dispatch(action: PanelAction): void;
  subscribe(listener: (state: PanelState, previous: PanelState) => void): () => void;
}

/** Wraps `reduce`; listeners are called only when the state object changed. */
export function createStore(initial: PanelState): Store {
  let state = initial;
  const listeners = new Set<(state: PanelState, previous: PanelState) => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const previous = state;
      state = reduce(state, action);
      if (state !== previous) for (const listener of listeners) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
