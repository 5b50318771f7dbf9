// The results panel: one webview beside the editor, restored after a window reload, fed complete snapshots
// of the host's state (a hidden webview drops messages, so it never relies on deltas).
import * as vscode from 'vscode';
import type { HostToPanel, PanelStateNotification, PanelToHost, RunProgress, RunView } from '../../shared/protocol';
import { panelHtml } from './panelHtml';
import { checkPanelCommand } from '../../shared/jobCheck';

export const PANEL_VIEW_TYPE = 'dax.results';

export class PanelController implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private progressSeq = 0;
  /**
   * The active run's progress so far: a panel that (re)loads mid-run gets the snapshot and then these, so its
   * chart starts from the run's first step, not from the reload.
   */
  private runProgress: HostToPanel[] = [];
  /** The pixels the webview has taken (by identity): refresh leaves out what it already has. */
  private delivered: { display?: unknown; detail?: unknown } = {};
  /** Every message posted to the webview, newest last (tests read it; bounded). */
  readonly posted: HostToPanel[] = [];

  constructor(
    private readonly distUri: vscode.Uri,
    private readonly snapshot: () => Promise<PanelStateNotification>,
    private readonly onCommand: (command: PanelToHost) => void,
  ) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
    );
  }

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /**
   * Opens the panel or brings it forward. The state follows on its own: a new or reloaded webview asks for it
   * (`panel/readyCommand`), a revealed one gets it from the view-state change, and callers refresh after changing it.
   */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'DAX Explain',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.options(),
    );
    this.adopt(panel);
  }

  /**
   * Sends the state, and returns it (undefined when there is no panel). The pixels of the current result and of the
   * comparison go only when this webview has not received them yet: a folder batch sends a snapshot per file, and
   * the pixels are megabytes.
   */
  async refresh(): Promise<PanelStateNotification | undefined> {
    if (!this.panel) return undefined;
    const state = await this.snapshot();
    const sameDisplay = state.current !== undefined && state.current.display === this.delivered.display;
    const sameDetail = state.comparisonDetail !== undefined && state.comparisonDetail === this.delivered.detail;
    const message: PanelStateNotification =
      sameDisplay || sameDetail
        ? {
            ...state,
            current:
              sameDisplay && state.current
                ? ({ ...state.current, display: undefined } as unknown as RunView)
                : state.current,
            comparisonDetail: sameDetail ? undefined : state.comparisonDetail,
            omitted: { display: sameDisplay || undefined, comparisonDetail: sameDetail || undefined },
          }
        : state;
    const webview = this.panel.webview;
    const sent = { display: state.current?.display, detail: state.comparisonDetail };
    this.delivered = sent;
    this.post(message, (delivered) => {
      // A webview that did not take the message (hidden, reloading) has to get the pixels again.
      if (!delivered && this.delivered === sent && this.panel?.webview === webview) this.delivered = {};
    });
    return state;
  }

  /** Handles a message from the panel (the webview's listener calls this; so can tests). */
  handle(message: PanelToHost): void {
    // A (re)loaded panel has nothing: the next snapshot carries every pixel.
    if (message.type === 'panel/readyCommand') {
      this.delivered = {};
      void this.refresh().then((state) => this.replayProgress(state));
    } else this.onCommand(message);
  }

  /** A new run starts: its progress replaces the previous run's. */
  startRun(): void {
    this.runProgress = [];
  }

  progress(progress: RunProgress): void {
    const message: HostToPanel = { type: 'panel/didProgress', seq: ++this.progressSeq, progress, at: Date.now() };
    if (this.runProgress.length < 5000) this.runProgress.push(message);
    if (this.panel) this.post(message);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    // Only the bundles are served; images reach the panel as pixels in messages, not as files.
    return { enableScripts: true, retainContextWhenHidden: false, localResourceRoots: [this.distUri] };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.delivered = {};
    panel.webview.options = this.options();
    panel.webview.html = panelHtml(panel.webview, this.distUri);
    const subscriptions = [
      // The webview is not trusted: only well-formed commands get through (a key is a result's hash, never a path).
      panel.webview.onDidReceiveMessage((message: unknown) => {
        const command = checkPanelCommand(message);
        if (command) this.handle(command);
      }),
      panel.onDidChangeViewState(() => {
        // A hidden webview is discarded (no retained context); shown again, it reloads and asks for everything.
        if (!panel.visible) this.delivered = {};
        else void this.refresh();
      }),
    ];
    panel.onDidDispose(() => {
      for (const subscription of subscriptions) subscription.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private replayProgress(state: PanelStateNotification | undefined): void {
    if (state?.active) for (const message of this.runProgress) this.post(message);
  }

  private post(message: HostToPanel, onDelivered?: (delivered: boolean) => void): void {
    this.posted.push(message);
    if (this.posted.length > 200) this.posted.splice(0, this.posted.length - 200);
    const delivery = this.panel?.webview.postMessage(message);
    if (onDelivered && delivery) void Promise.resolve(delivery).then(onDelivered, () => onDelivered(false));
  }
}
