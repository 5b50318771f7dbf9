// `dax compare`'s result: every method on one input at the same query budget, as a table.
import type { ComparisonReport } from '../../src/shared/report';
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
    const headers = ['Method', 'Queries', 'Time', 'Deletion AUC (lower is better)', 'Insertion AUC (higher is better)', ...(withTruth ? ['IoU at 0.2', 'Best IoU', 'Pointing game'] : [])];
    const rows = comparison.rows.map((row) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, methodName(row.method)),
        h('td', {}, count(row.queries)),
        h('td', {}, duration(row.totalMs)),
        h('td', {}, metric(row.deletionAuc)),
        h('td', {}, metric(row.insertionAuc)),
        ...(withTruth ? [h('td', {}, row.iouAt02 === undefined ? '–' : metric(row.iouAt02)), h('td', {}, row.bestIou === undefined ? '–' : metric(row.bestIou)), h('td', {}, row.pointingHit === undefined ? '–' : row.pointingHit ? 'hit' : 'miss')] : []),
      ),
    );
    this.element.replaceChildren(
      h('p', { class: 'hint' }, `${comparison.input.file.split(/[\\/]/).pop()} · ${comparison.model.name} · ${className(comparison.target)} · budget ${count(comparison.budget)} queries · seed ${comparison.seed} · ${comparison.substrate} substrate · ${comparison.backend}`),
      h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': this.headingId }, h('table', {}, h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))), h('tbody', {}, ...rows))),
    );
  }
}
