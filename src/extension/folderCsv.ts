// A folder batch's summary as CSV (RFC 4180), for a spreadsheet or a script: one row per file, in the order they
// ran. File names and error messages come from the disk and from models, so a cell a spreadsheet would run as a
// formula (=, +, -, @ first) is written as text.
import type { FolderRow, FolderSummary } from '../shared/protocol';

const HEADER = ['file', 'status', 'class', 'probability', 'queries', 'seconds', 'error'];

export function folderCsv(summary: FolderSummary): string {
  const lines = [HEADER, ...summary.rows.map(rowCells)].map((cells) => cells.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function rowCells(row: FolderRow): string[] {
  return [
    row.file,
    row.status,
    row.classLabel ?? '',
    row.probability === undefined ? '' : String(row.probability),
    row.queries === undefined ? '' : String(row.queries),
    row.seconds === undefined ? '' : row.seconds.toFixed(2),
    row.error ?? '',
  ];
}

/** One cell: quoted when it holds a comma, a quote or a line break; a leading formula character made inert. */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The file name offered for a folder's CSV. */
export function folderCsvName(summary: FolderSummary): string {
  const stem =
    Array.from(summary.folder, (c) => (c.charCodeAt(0) < 32 || '\\/:*?"<>|'.includes(c) ? '_' : c))
      .join('')
      .replace(/_+/g, '_') || 'folder';
  return `${stem}.dax-summary.csv`;
}
