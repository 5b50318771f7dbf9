// `dax compare`'s result: the table, and when the host sends them, the maps side by side and the deletion and
// insertion curves of every method.
import type { ComparisonDetail, PanelToHost } from '../../src/shared/protocol';
import type { ComparisonReport } from '../../src/shared/report';
import { comparisonEntries, comparisonHeading, sameDetail, type ComparisonEntry } from './comparisonData';
import { ComparisonCurves } from './comparisonCurves';
import { ComparisonMaps } from './comparisonMaps';
import { ComparisonTable } from './comparisonTable';
import { h, setText, show } from './dom';
import { className } from './format';
import type { Preferences } from './preferences';
import type { ChartTheme } from './theme';

/** The label of the comparison's ground-truth button, which is its accessible name too. */
export const COMPARISON_TRUTH_LABEL = 'Ground truth…';

/** The comparison section (shown when the host's snapshot carries a comparison). */
export class ComparisonView {
  readonly element: HTMLElement;
  /** Asks the host to score every method's map against a mask image the user picks (no method runs again). */
  readonly truthButton: HTMLButtonElement;
  private readonly table: ComparisonTable;
  private readonly maps: ComparisonMaps;
  private readonly curves: ComparisonCurves;
  private readonly detailBox: HTMLElement;
  private readonly heading: HTMLElement;
  private comparison: ComparisonReport | undefined;
  private comparisonJson = '';
  private detail: ComparisonDetail | undefined;
  private entries: ComparisonEntry[] = [];

  constructor(theme: ChartTheme, post: (message: PanelToHost) => void) {
    const headingId = 'comparison-heading';
    this.table = new ComparisonTable(headingId);
    this.maps = new ComparisonMaps('comparison-maps');
    this.curves = new ComparisonCurves(theme, 'comparison-curves');
    this.detailBox = h('div', { class: 'comparison-detail' }, this.maps.element, this.curves.element);
    this.heading = h('h2', { id: headingId }, 'Compare Methods');
    // The visible label is the accessible name (as the result's buttons); the longer text is the tooltip.
    this.truthButton = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        title:
          'Score every method’s map against where the evidence truly is: a mask image (white = evidence). Nothing runs again.',
      },
      COMPARISON_TRUTH_LABEL,
    );
    this.truthButton.addEventListener('click', () => post({ type: 'panel/comparisonGroundTruthCommand' }));
    this.element = h(
      'section',
      { class: 'comparison', 'aria-labelledby': headingId },
      h(
        'div',
        { class: 'section-header' },
        this.heading,
        h('div', { class: 'actions', role: 'group', 'aria-label': 'Comparison actions' }, this.truthButton),
      ),
      this.table.element,
      this.detailBox,
    );
  }

  /**
   * Shows `comparison` and, when present, its `detail` with the colormap and opacity of `prefs`. A snapshot that
   * re-sends the same comparison keeps what is drawn (and the focus and scroll position in it).
   */
  update(comparison: ComparisonReport, detail: ComparisonDetail | undefined, prefs: Preferences): boolean {
    let changed = false;
    if (comparison !== this.comparison) {
      const json = JSON.stringify(comparison);
      if (json !== this.comparisonJson) {
        this.comparisonJson = json;
        this.comparison = comparison;
        changed = true;
      }
    }
    if (!sameDetail(detail, this.detail)) {
      this.detail = detail;
      changed = true;
    }
    const current = this.comparison!;
    if (changed) this.entries = this.detail ? comparisonEntries(this.detail, current.rows) : [];
    setText(this.heading, comparisonHeading(current));
    this.table.update(current);

    const shown = this.detail !== undefined && this.entries.length > 0;
    show(this.detailBox, shown);
    if (shown) {
      this.maps.update(this.detail!, this.entries, prefs);
      this.curves.update(this.entries, { targetName: className(current.target), substrate: current.substrate });
    }
    return changed;
  }

  /** Re-reads chart colours after a theme change. */
  setTheme(theme: ChartTheme): void {
    this.curves.setTheme(theme);
  }
}
