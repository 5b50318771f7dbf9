// A folder batch's summary as the panel shows it: counts, the headline, each row's status text and whether it opens
// a result, and the rows in the order the user sorted them. No DOM.
import type { FolderRow, FolderRowStatus, FolderSummary } from '../../src/shared/protocol';
import { percent } from './format';

/** How many rows are in each status, and how many are finished. */
export type FolderCounts = Record<FolderRowStatus, number> & { finished: number; total: number };

export function folderCounts(summary: Pick<FolderSummary, 'rows'>): FolderCounts {
  const counts: FolderCounts = {
    pending: 0,
    running: 0,
    ok: 0,
    cached: 0,
    failed: 0,
    cancelled: 0,
    finished: 0,
    total: summary.rows.length,
  };
  for (const row of summary.rows) {
    if (row.status in counts) counts[row.status]++;
    if (row.status !== 'pending' && row.status !== 'running') counts.finished++;
  }
  return counts;
}

/** "3 of 12 files done: 2 explained, 1 from cache" (what the summary says under its heading). */
export function folderHeadline(summary: FolderSummary): string {
  const counts = folderCounts(summary);
  const total = summary.total || counts.total;
  const parts = [
    counts.ok > 0 ? `${counts.ok} explained` : '',
    counts.cached > 0 ? `${counts.cached} from cache` : '',
    counts.failed > 0 ? `${counts.failed} failed` : '',
    counts.cancelled > 0 ? `${counts.cancelled} cancelled` : '',
  ].filter(Boolean);
  const files = total === 1 ? 'file' : 'files';
  const lead =
    summary.state === 'running'
      ? `${Math.min(summary.done, total)} of ${total} ${files} done`
      : summary.state === 'cancelled'
        ? `Cancelled after ${total - counts.cancelled} of ${total} ${files}`
        : `All ${total} ${files} done`;
  return parts.length > 0 ? `${lead}: ${parts.join(', ')}` : lead;
}

/** Whether choosing the row opens a result (it has one: explained or cached). */
export function opensResult(row: FolderRow): row is FolderRow & { key: string } {
  return typeof row.key === 'string' && row.key !== '' && (row.status === 'ok' || row.status === 'cached');
}

const STATUS_TEXT: Record<FolderRowStatus, string> = {
  pending: 'waiting',
  running: 'running…',
  ok: 'explained',
  cached: 'from cache',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The status as the table writes it. */
export function statusText(status: FolderRowStatus): string {
  return STATUS_TEXT[status] ?? String(status);
}

/** The file's name without its folders. */
export function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** What a screen reader says for a row's button or cell. */
export function rowLabel(row: FolderRow, shown = false): string {
  const parts = [row.file, statusText(row.status)];
  if (row.classLabel !== undefined)
    parts.push(`${row.classLabel}${row.probability !== undefined ? ` ${percent(row.probability)}` : ''}`);
  if (row.queries !== undefined) parts.push(`${row.queries} queries`);
  if (row.seconds !== undefined) parts.push(`${seconds(row.seconds)}`);
  if (row.error) parts.push(row.error);
  if (opensResult(row)) parts.push(shown ? 'shown' : 'opens the result');
  return parts.join(', ');
}

/** "1.2 s", "–" when unknown. */
export function seconds(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(1)} s`;
}

/** The columns the table sorts by; `order` is the batch's own order (by path, the order the files run in). */
export type FolderSortKey = 'order' | 'file' | 'status' | 'class' | 'probability' | 'queries' | 'seconds';

export interface FolderSort {
  key: FolderSortKey;
  descending: boolean;
}

export const DEFAULT_FOLDER_SORT: FolderSort = { key: 'order', descending: false };

/** Statuses in the order that puts what needs attention first. */
const STATUS_RANK: Record<FolderRowStatus, number> = {
  failed: 0,
  cancelled: 1,
  running: 2,
  pending: 3,
  ok: 4,
  cached: 5,
};

/** Choosing a column: the same column flips its direction; another starts ascending for text, descending for numbers. */
export function nextSort(current: FolderSort, key: FolderSortKey): FolderSort {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key === 'probability' || key === 'queries' || key === 'seconds' };
}

/** A row with its place in the batch (which the sorted table keeps for identity). */
export interface IndexedRow {
  index: number;
  row: FolderRow;
}

/**
 * The rows sorted by `sort`; ties keep the batch's order, and rows without the value (no result yet, or failed) go
 * last in either direction.
 */
export function sortRows(rows: readonly FolderRow[], sort: FolderSort = DEFAULT_FOLDER_SORT): IndexedRow[] {
  const indexed = rows.map((row, index) => ({ index, row }));
  if (sort.key === 'order') return sort.descending ? indexed.reverse() : indexed;
  const value = (row: FolderRow): string | number | undefined => {
    switch (sort.key) {
      case 'file':
        return row.file;
      case 'status':
        return STATUS_RANK[row.status];
      case 'class':
        return row.classLabel;
      case 'probability':
        return row.probability;
      case 'queries':
        return row.queries;
      case 'seconds':
        return row.seconds;
    }
    return undefined;
  };
  const sign = sort.descending ? -1 : 1;
  return indexed.sort((a, b) => {
    const [x, y] = [value(a.row), value(b.row)];
    const missingX = x === undefined || (typeof x === 'number' && Number.isNaN(x));
    const missingY = y === undefined || (typeof y === 'number' && Number.isNaN(y));
    if (missingX || missingY) return missingX === missingY ? a.index - b.index : missingX ? 1 : -1;
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x) < String(y)
          ? -1
          : String(x) > String(y)
            ? 1
            : 0;
    return order !== 0 ? sign * order : a.index - b.index;
  });
}
