// `dax compare`'s result: every method on one input at the same query budget, as a table.
import type { ComparisonReport } from '../../src/shared/report';
import { bestRows, type BestColumn } from './comparisonData';
import { h } from './dom';
import { className, count, duration, methodName, metric } from './format';

/** The comparison's facts and table (inside the comparison section, below its heading `headingId`). */
export class ComparisonTable {
  readonly element: HTMLElement;
  private comparison: ComparisonReport | undefined;

  constructor(private readonly headingId: string) {
    this.element = h('div', { class: 'comparison-table' });
  }

  update(comparison: ComparisonReport): void {
    if (comparison === this.comparison) return;
    this.comparison = comparison;
    const withTruth = comparison.rows.some((row) => row.iouAt02 !== undefined);
    const headers = [
      'Method',
      'Queries',
      'Time',
      'Deletion AUC (lower is better)',
      'Insertion AUC (higher is better)',
      ...(withTruth ? ['IoU at 0.2', 'Best IoU', 'Pointing game'] : []),
    ];
    const best = bestRows(comparison.rows);
    // The best value of a column is bold with a mark, and says so in words for screen readers.
    const cell = (index: number, column: BestColumn, text: string) =>
      best[column].has(index)
        ? h(
            'td',
            { class: 'is-best' },
            h('strong', {}, text),
            h('span', { class: 'best-mark', 'aria-hidden': 'true' }, ' ★'),
            h('span', { class: 'visually-hidden' }, ' (best)'),
          )
        : h('td', {}, text);
    const rows = comparison.rows.map((row, index) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, methodName(row.method)),
        h('td', {}, count(row.queries)),
        cell(index, 'totalMs', duration(row.totalMs)),
        cell(index, 'deletionAuc', metric(row.deletionAuc)),
        cell(index, 'insertionAuc', metric(row.insertionAuc)),
        ...(withTruth
          ? [
              cell(index, 'iouAt02', row.iouAt02 === undefined ? '–' : metric(row.iouAt02)),
              cell(index, 'bestIou', row.bestIou === undefined ? '–' : metric(row.bestIou)),
              h('td', {}, row.pointingHit === undefined ? '–' : row.pointingHit ? 'hit' : 'miss'),
            ]
          : []),
      ),
    );
    this.element.replaceChildren(
      h(
        'p',
        { class: 'hint' },
        `${comparison.input.file.split(/[\\/]/).pop()} · ${comparison.model.name} · ${className(comparison.target)} · budget ${count(comparison.budget)} queries · seed ${comparison.seed} · ${comparison.substrate} substrate · ${comparison.backend}`,
      ),
      ...(withTruth && comparison.groundTruthFile
        ? [
            h(
              'p',
              { class: 'hint comparison-truth' },
              `IoU and pointing game against ${comparison.groundTruthFile.split(/[\\/]/).pop()}`,
            ),
          ]
        : []),
      h('p', { class: 'hint' }, '★ marks the best value of each column.'),
      h(
        'div',
        { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': this.headingId },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }
}
