// The history of results, newest first, as a list of buttons; the one shown is marked.
import type { PanelToHost, RunSummary } from '../../src/shared/protocol';
import { isAudioFileName } from './audioTimeline';
import { h, replaceKeepingFocus, show } from './dom';
import { methodName, percent, when } from './format';

/** The history entries newest first (a stable sort, so equal times keep the host's order). */
export function newestFirst(history: readonly RunSummary[]): RunSummary[] {
  return [...history].sort((a, b) => b.finishedAt - a.finishedAt);
}

/** The history section. */
export class HistoryList {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private history: readonly RunSummary[] | undefined;
  private currentKey: string | undefined;

  constructor(private readonly post: (message: PanelToHost) => void) {
    this.list = h('ul', { class: 'history-list' });
    this.empty = h('p', { class: 'hint' }, 'Results you explain appear here.');
    this.element = h(
      'section',
      { class: 'history', 'aria-labelledby': 'history-heading' },
      h('h2', { id: 'history-heading' }, 'History'),
      this.list,
      this.empty,
    );
  }

  update(history: readonly RunSummary[], currentKey: string | undefined): void {
    if (history === this.history && currentKey === this.currentKey) return;
    this.history = history;
    this.currentKey = currentKey;
    show(this.empty, history.length === 0);
    show(this.list, history.length > 0);
    replaceKeepingFocus(
      this.list,
      newestFirst(history).map((entry) => h('li', {}, this.entryButton(entry, entry.key === currentKey))),
    );
  }

  private entryButton(entry: RunSummary, isCurrent: boolean): HTMLButtonElement {
    const target = entry.targetLabel || 'unlabelled class';
    // The summary has no kind; a sound is known by its file name.
    const audio = isAudioFileName(entry.inputName);
    const button = h(
      'button',
      {
        type: 'button',
        class: 'history-entry',
        'data-focus-key': `run:${entry.key}`,
        'aria-current': isCurrent ? 'true' : undefined,
      },
      // The visible text is the accessible name (axe: label-content-name-mismatch); the note is its sound mark.
      h(
        'span',
        { class: 'history-title' },
        audio ? h('span', { class: 'history-audio', 'aria-hidden': 'true', title: 'Sound' }, '♪') : undefined,
        h('span', { class: 'history-image' }, entry.inputName),
        audio ? h('span', { class: 'visually-hidden' }, ' (sound)') : undefined,
        isCurrent ? h('span', { class: 'badge' }, 'shown') : undefined,
      ),
      h(
        'span',
        { class: 'history-detail' },
        `${target} ${percent(entry.probability)} · ${methodName(entry.method)} · ${entry.modelName}`,
      ),
      h('span', { class: 'history-detail' }, `${when(entry.finishedAt)}${entry.cached ? ' · from cache' : ''}`),
    );
    button.addEventListener('click', () => this.post({ type: 'panel/selectRunCommand', key: entry.key }));
    return button;
  }
}
