// The panel's entry: connects the store to the host's messages, renders once per frame, persists preferences.
import './panel.css';
import type { PanelToHost } from '../../src/shared/protocol';
import { App } from './app';
import { decodeHostMessage } from './messages';
import { restorePreferences, type Preferences } from './preferences';
import { createStore, initialState } from './store';
import { onThemeChange, readChartTheme } from './theme';

/** What the panel keeps with `setState`: only its own preferences (the host owns everything else). */
interface PersistedState {
  prefs: Preferences;
}

/** The API VS Code gives a webview (callable once). */
interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = vscode.getState() as Partial<PersistedState> | undefined;
const store = createStore(initialState(restorePreferences(saved?.prefs)));
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
const app = new App(
  root,
  (message) => vscode.postMessage(message),
  (action) => store.dispatch(action),
  readChartTheme(),
);

let frame: number | undefined;
store.subscribe((state, previous) => {
  if (state.prefs !== previous.prefs) vscode.setState({ prefs: state.prefs });
  // A snapshot that left out pixels this panel never got (it reloaded in between): ask for everything.
  if (state.host.missing && state.host !== previous.host) vscode.postMessage({ type: 'panel/readyCommand' });
  // Progress can arrive faster than frames: draw the latest state once per frame.
  frame ??= requestAnimationFrame(() => {
    frame = undefined;
    app.render(store.getState());
  });
});

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = decodeHostMessage(event.data);
  if (message) store.dispatch(message);
});

onThemeChange(() => app.setTheme(readChartTheme()));

app.render(store.getState());
// The host answers with a complete snapshot; this also covers a panel that was hidden and lost messages.
vscode.postMessage({ type: 'panel/readyCommand' });
