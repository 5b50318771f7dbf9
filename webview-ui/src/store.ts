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

/** The host's last snapshot, as sent (the host owns this state; the panel never edits it). */
export type HostSnapshot = Omit<PanelStateNotification, 'type'>;

/** What the panel has gathered from `panel/didProgress` about the active run since it started (or since the panel loaded). */
export interface LiveRun {
  /** Identity of the active run these events belong to (see `runIdentity`). */
  identity: string;
  /** The highest `seq` applied; older or repeated events are dropped. */
  lastSeq: number;
  phase?: { phase: string; message: string };
  queries?: { done: number; total: number };
  training?: { step: number; epoch: number; epochs: number; stepsPerEpoch: number };
  losses: LossPoint[];
  validation: ValidationPoint[];
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
  const { type: _type, ...host } = message;
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
  switch (progress.type) {
    case 'phase':
      next.phase = { phase: progress.phase, message: progress.message };
      break;
    case 'queries':
      next.queries = { done: progress.done, total: progress.total };
      break;
    case 'step':
      next.training = {
        step: progress.step,
        epoch: progress.epoch,
        epochs: progress.epochs,
        stepsPerEpoch: progress.stepsPerEpoch,
      };
      next.losses = [...live.losses, { step: progress.step, epoch: progress.epoch, losses: { ...progress.losses } }];
      break;
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
      };
      next.validation = [
        ...live.validation,
        { step, epoch: progress.epoch, validation: progress.validation, maskChange: progress.maskChange },
      ];
      break;
    }
  }
  return { ...state, live: next };
}

/** Progress of a run as text and, when it can be measured, a fraction (undefined = indeterminate). */
export function progressOf(active: ActiveRun, live: LiveRun | undefined): { text: string; fraction?: number } {
  const phase = live?.phase?.phase ?? active.phase;
  const training = live?.training;
  if (phase === 'training' && training) {
    const total = training.epochs * training.stepsPerEpoch;
    return {
      text: `Epoch ${training.epoch} of ${training.epochs}, step ${count(training.step)} of at most ${count(total)}`,
      fraction: total > 0 ? Math.min(1, training.step / total) : undefined,
    };
  }
  const queries = live?.queries;
  if (phase === 'querying' && queries) {
    return {
      text: `${count(queries.done)} of ${count(queries.total)} queries`,
      fraction: queries.total > 0 ? Math.min(1, queries.done / queries.total) : undefined,
    };
  }
  return { text: '' };
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
