// The summary of a batch: one row per input (file, class, probability, queries, time, status) as a Markdown table
// and as CSV (RFC 4180), written atomically to <out>/summary.md and <out>/summary.csv.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExplanationReport } from '../shared/report';

export type RowStatus = 'ok' | 'skipped' | 'failed' | 'cancelled' | 'not run';

/** One input's line. */
export interface SummaryRow {
  file: string;
  status: RowStatus;
  /** The report made now (ok) or found up to date (skipped). */
  report?: Pick<ExplanationReport, 'target' | 'queries' | 'timing'>;
  error?: string;
  /** Wall time spent on the input in this run, for a failure (an ok or skipped row shows the report's). */
  elapsedMs?: number;
}

interface Cells {
  file: string;
  class: string;
  probability: string;
  queries: string;
  time: string;
  status: string;
}

function cells(row: SummaryRow): Cells {
  const report = row.report;
  const target = report?.target;
  const status =
    row.status === 'skipped'
      ? 'skipped (up to date)'
      : row.status === 'failed'
        ? `failed: ${withoutFile(row.error ?? 'unknown error', row.file)}`
        : row.status === 'not run'
          ? 'not run (interrupted)'
          : row.status;
  const ms = report ? report.timing.totalMs : row.elapsedMs;
  return {
    file: row.file,
    class: target ? (target.label !== undefined ? `${target.label}` : `${target.index}`) : '',
    probability: target ? target.probability.toFixed(3) : '',
    queries: report ? `${report.queries}` : '',
    time: ms !== undefined ? (ms / 1000).toFixed(1) : '',
    status,
  };
}

/** A message without the leading "<file>: " the row already shows. */
function withoutFile(message: string, file: string): string {
  for (const prefix of [`${path.resolve(file)}: `, `${file}: `])
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  return message;
}

/** The counts line under the table. */
export function summaryCounts(rows: SummaryRow[]): string {
  const count = (status: RowStatus): number => rows.filter((row) => row.status === status).length;
  const parts = [`${count('ok')} explained`, `${count('skipped')} skipped (up to date)`, `${count('failed')} failed`];
  if (count('cancelled') + count('not run') > 0)
    parts.push(`${count('cancelled')} cancelled`, `${count('not run')} not run`);
  return `${rows.length} file${rows.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** `| file | class | probability | queries | time (s) | status |` and one line per input, then the counts. */
export function summaryMarkdown(rows: SummaryRow[]): string {
  const escape = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const lines = ['| file | class | probability | queries | time (s) | status |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const c = cells(row);
    lines.push(`| ${[c.file, c.class, c.probability, c.queries, c.time, c.status].map(escape).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n\n${summaryCounts(rows)}\n`;
}

/** A CSV field: quoted when it holds a comma, a quote, a line break or edge spaces; quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header `file,class,probability,queries,time_s,status`, CRLF line ends (RFC 4180). */
export function summaryCsv(rows: SummaryRow[]): string {
  const lines = ['file,class,probability,queries,time_s,status'];
  for (const row of rows) {
    const c = cells(row);
    lines.push([c.file, c.class, c.probability, c.queries, c.time, c.status].map(csvField).join(','));
  }
  return lines.map((line) => line + '\r\n').join('');
}

/** Writes both files under temporary names, then renames them into place; returns their paths. */
export async function writeSummary(outDir: string, rows: SummaryRow[]): Promise<{ markdown: string; csv: string }> {
  await mkdir(outDir, { recursive: true });
  const files = { markdown: path.join(outDir, 'summary.md'), csv: path.join(outDir, 'summary.csv') };
  const contents = { markdown: summaryMarkdown(rows), csv: summaryCsv(rows) };
  const suffix = `.partial-${process.pid}`;
  try {
    for (const key of ['markdown', 'csv'] as const) await writeFile(files[key] + suffix, contents[key]);
    for (const key of ['markdown', 'csv'] as const) await rename(files[key] + suffix, files[key]);
  } catch (error) {
    await Promise.all(Object.values(files).map((file) => rm(file + suffix, { force: true })));
    throw error;
  }
  return files;
}
