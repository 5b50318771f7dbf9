// The summary of a folder batch (**Explain Folder with DAX**): a headline, a progress bar and Cancel while it runs,
// and a table with one row per file; a row with a result opens it, a failed row shows its error.
import type { FolderRow, FolderSummary, PanelToHost } from '../../src/shared/protocol';
import { isAudioFileName } from './audioTimeline';
import { h, replaceKeepingFocus, setText, show } from './dom';
import { count, percent } from './format';
import {
  DEFAULT_FOLDER_SORT,
  baseName,
  folderHeadline,
  nextSort,
  opensResult,
  rowLabel,
  seconds,
  sortRows,
  statusText,
  type FolderSort,
  type FolderSortKey,
} from './folderSummary';

const COLUMNS: { key: FolderSortKey; title: string; className?: string }[] = [
  { key: 'file', title: 'File' },
  { key: 'status', title: 'Status' },
  { key: 'class', title: 'Class' },
  { key: 'probability', title: 'Probability', className: 'is-numeric' },
  { key: 'queries', title: 'Queries', className: 'is-numeric is-queries' },
  { key: 'seconds', title: 'Time', className: 'is-numeric' },
];

/** The folder section. */
export class FolderView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly headline: HTMLElement;
  private readonly progress: HTMLProgressElement;
  private readonly cancel: HTMLButtonElement;
  private readonly exportCsv: HTMLButtonElement;
  private readonly body: HTMLTableSectionElement;
  private readonly headers = new Map<FolderSortKey, { cell: HTMLTableCellElement; button: HTMLButtonElement }>();
  private summary: FolderSummary | undefined;
  private currentKey: string | undefined;
  private sort: FolderSort = DEFAULT_FOLDER_SORT;

  constructor(private readonly post: (message: PanelToHost) => void) {
    this.title = h('h2', { id: 'folder-heading' });
    this.headline = h('p', { class: 'hint', role: 'status' });
    this.progress = h('progress', { class: 'run-progress', 'aria-labelledby': 'folder-heading' });
    this.cancel = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': 'Cancel the folder: the file that is running and the rest' },
      'Cancel',
    );
    this.cancel.addEventListener('click', () => post({ type: 'panel/cancelCommand' }));
    this.exportCsv = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': 'Export the table as CSV: one row per file, for a spreadsheet',
        title: 'Save this table as a CSV file',
      },
      'Export CSV',
    );
    this.exportCsv.addEventListener('click', () => post({ type: 'panel/exportFolderCommand' }));
    const headerCells = COLUMNS.map((column) => {
      const button = h('button', { type: 'button', class: 'sort-button' }, column.title);
      button.addEventListener('click', () => this.setSort(nextSort(this.sort, column.key)));
      const cell = h('th', { scope: 'col', class: column.className }, button);
      this.headers.set(column.key, { cell, button });
      return cell;
    });
    this.body = h('tbody', {});
    const table = h(
      'table',
      { class: 'folder-table', 'aria-labelledby': 'folder-heading' },
      h('thead', {}, h('tr', {}, ...headerCells)),
      this.body,
    );
    this.element = h(
      'section',
      { class: 'folder', 'aria-labelledby': 'folder-heading' },
      h(
        'div',
        { class: 'section-header' },
        h('div', {}, this.title, this.headline),
        h('div', { class: 'actions' }, this.exportCsv, this.cancel),
      ),
      this.progress,
      h(
        'div',
        { class: 'table-scroll folder-scroll', tabindex: 0, role: 'region', 'aria-label': 'Files of the folder' },
        table,
      ),
    );
    this.updateHeaders();
  }

  update(summary: FolderSummary, currentKey: string | undefined): void {
    if (summary === this.summary && currentKey === this.currentKey) return;
    if (summary.id !== this.summary?.id) this.sort = DEFAULT_FOLDER_SORT;
    this.summary = summary;
    this.currentKey = currentKey;
    const running = summary.state === 'running';
    setText(this.title, `Folder ${summary.folder}`);
    this.title.title = summary.folderPath;
    setText(this.headline, folderHeadline(summary));
    show(this.progress, running);
    show(this.cancel, running);
    this.progress.max = Math.max(1, summary.total);
    this.progress.value = Math.min(summary.done, summary.total);
    this.updateHeaders();
    this.renderRows();
  }

  private setSort(sort: FolderSort): void {
    this.sort = sort;
    this.updateHeaders();
    this.renderRows();
  }

  private updateHeaders(): void {
    for (const [key, { cell, button }] of this.headers) {
      const active = this.sort.key === key;
      cell.setAttribute('aria-sort', active ? (this.sort.descending ? 'descending' : 'ascending') : 'none');
      const title = COLUMNS.find((column) => column.key === key)?.title ?? key;
      setText(button, active ? `${title} ${this.sort.descending ? '▾' : '▴'}` : title);
      button.setAttribute(
        'aria-label',
        `${title}: sort ${active && !this.sort.descending ? 'descending' : 'ascending'}`,
      );
    }
  }

  private renderRows(): void {
    const summary = this.summary;
    if (!summary) return;
    const rows = sortRows(summary.rows, this.sort).flatMap(({ index, row }) => this.rowElements(index, row));
    replaceKeepingFocus(this.body, rows);
  }

  private rowElements(index: number, row: FolderRow): HTMLTableRowElement[] {
    const shown = opensResult(row) && row.key === this.currentKey;
    const errorId = `folder-error-${index}`;
    const audio = isAudioFileName(row.file);
    const name = h(
      'span',
      { class: 'folder-file' },
      audio ? h('span', { class: 'history-audio', 'aria-hidden': 'true', title: 'Sound' }, '♪ ') : undefined,
      row.file,
    );
    let fileCell: HTMLTableCellElement;
    if (opensResult(row)) {
      const key = row.key;
      const button = h(
        'button',
        {
          type: 'button',
          class: 'folder-open',
          'data-focus-key': `folder:${row.file}`,
          'aria-current': shown ? 'true' : undefined,
          'aria-label': rowLabel(row, shown),
          title: `Show the result of ${baseName(row.file)}`,
        },
        name,
        shown ? h('span', { class: 'badge' }, 'shown') : undefined,
      );
      button.addEventListener('click', () => this.post({ type: 'panel/selectRunCommand', key }));
      fileCell = h('th', { scope: 'row' }, button);
    } else {
      fileCell = h('th', { scope: 'row', 'aria-describedby': row.error ? errorId : undefined }, name);
    }
    const tr = h(
      'tr',
      { class: `folder-row is-${row.status}${shown ? ' is-shown' : ''}` },
      fileCell,
      h('td', { class: 'folder-status' }, statusText(row.status)),
      h('td', { class: 'folder-class' }, row.classLabel ?? '–'),
      h('td', { class: 'is-numeric' }, row.probability === undefined ? '–' : percent(row.probability)),
      h('td', { class: 'is-numeric is-queries' }, row.queries === undefined ? '–' : count(row.queries)),
      h('td', { class: 'is-numeric' }, seconds(row.seconds)),
    );
    if (!row.error) return [tr];
    const error = h(
      'tr',
      { class: 'folder-error-row' },
      h('td', { colspan: COLUMNS.length, class: 'folder-error', id: errorId }, row.error),
    );
    return [tr, error];
  }
}
