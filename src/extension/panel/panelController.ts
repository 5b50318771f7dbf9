// The results panel: one webview beside the editor, restored after a window reload, fed complete snapshots
// of the host's state (a hidden webview drops messages, so it never relies on deltas).
import * as vscode from 'vscode';
import type { HostToPanel, PanelStateNotification, PanelToHost, RunProgress } from '../../shared/protocol';
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

  /** Sends the complete state, and returns it (undefined when there is no panel). */
  async refresh(): Promise<PanelStateNotification | undefined> {
    if (!this.panel) return undefined;
    const state = await this.snapshot();
    this.post(state);
    return state;
  }

  /** Handles a message from the panel (the webview's listener calls this; so can tests). */
  handle(message: PanelToHost): void {
    if (message.type === 'panel/readyCommand') void this.refresh().then((state) => this.replayProgress(state));
    else this.onCommand(message);
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
    panel.webview.options = this.options();
    panel.webview.html = panelHtml(panel.webview, this.distUri);
    const subscriptions = [
      // The webview is not trusted: only well-formed commands get through (a key is a result's hash, never a path).
      panel.webview.onDidReceiveMessage((message: unknown) => {
        const command = checkPanelCommand(message);
        if (command) this.handle(command);
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible) void this.refresh();
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

  private post(message: HostToPanel): void {
    this.posted.push(message);
    if (this.posted.length > 200) this.posted.splice(0, this.posted.length - 200);
    void this.panel?.webview.postMessage(message);
  }
}
