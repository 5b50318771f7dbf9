// What the panel shows besides the runs that are going: the current result, the error banner and the comparison,
// and the rule that keeps a comparison away from another file's result.
import type { ComparisonResult, PanelStateNotification, RunError, RunView } from '../../shared/protocol';
import type { ComparisonReport } from '../../shared/report';

export class ShownResult {
  private view: RunView | undefined;
  private error: PanelStateNotification['error'];
  private comparison: ComparisonResult | undefined;
  /** Whether the comparison is the last thing shown (no result came after it): then it shows whatever the result. */
  private comparisonLatest = false;

  get current(): RunView | undefined {
    return this.view;
  }

  /** A result to show: it replaces the error, and the comparison stays only if it is about the same input and model. */
  show(view: RunView): void {
    this.view = view;
    this.error = undefined;
    this.comparisonLatest = false;
  }

  showComparison(comparison: ComparisonResult): void {
    this.comparison = comparison;
    this.comparisonLatest = true;
  }

  /** The comparison the panel shows now (see comparisonShown), if any. */
  get shownComparison(): ComparisonResult | undefined {
    return this.comparisonShown().comparison ? this.comparison : undefined;
  }

  /**
   * Replaces the table of comparison `of` (scores added after the fact); its maps stay the same object, so the panel
   * is not sent them again. False when another comparison has come since: `of` is not shown any more.
   */
  rescoreComparison(of: ComparisonResult, report: ComparisonReport): boolean {
    if (this.comparison !== of) return false;
    this.comparison = { report, detail: of.detail };
    return true;
  }

  /** The banner, which stays until dismissed or a result comes. */
  setError(error: RunError & { file: string }): void {
    this.error = error;
  }

  clearError(): void {
    this.error = undefined;
  }

  state(): Pick<PanelStateNotification, 'current' | 'error' | 'comparison' | 'comparisonDetail'> {
    return { current: this.view, error: this.error, ...this.comparisonShown() };
  }

  /**
   * The comparison, only where it belongs: while it is the latest thing shown, or with a result of the same input
   * and model. Never under another file's result.
   */
  private comparisonShown(): Pick<PanelStateNotification, 'comparison' | 'comparisonDetail'> {
    const comparison = this.comparison;
    if (!comparison) return {};
    if (!this.comparisonLatest && !(this.view && sameSubject(this.view.report, comparison.report))) return {};
    return { comparison: comparison.report, comparisonDetail: comparison.detail };
  }
}

/** Whether a result and a comparison explain the same input with the same model. */
function sameSubject(
  report: { input: { file: string }; model: { name: string; path: string } },
  comparison: ComparisonReport,
): boolean {
  return (
    report.input.file === comparison.input.file &&
    report.model.path === comparison.model.path &&
    report.model.name === comparison.model.name
  );
}
