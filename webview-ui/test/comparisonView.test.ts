// The comparison section in a DOM: its Ground truth… button, and the IoU columns that come with scores.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PanelToHost } from '../../src/shared/protocol';
import type { ComparisonReport } from '../../src/shared/report';
import type { ComparisonView as ComparisonViewType } from '../src/comparisonView';
import { DEFAULT_PREFERENCES } from '../src/preferences';
import type { ChartTheme } from '../src/theme';
import { click, installDom, textOf } from './dom';
import { comparison, comparisonRow } from './fixtures';

const THEME: ChartTheme = {
  foreground: '#ccc',
  lines: '#555',
  palette: ['#f00', '#0f0', '#00f', '#ff0'],
  hoverBackground: '#222',
  hoverForeground: '#eee',
  hoverBorder: '#444',
  fontFamily: 'sans-serif',
  fontSize: 13,
  highContrast: false,
};

let ComparisonView: typeof ComparisonViewType;
before(async () => {
  installDom();
  // The views create elements when they are made: the DOM comes first.
  ({ ComparisonView } = await import('../src/comparisonView'));
});

function view(): { view: ComparisonViewType; posted: PanelToHost[] } {
  const posted: PanelToHost[] = [];
  return { view: new ComparisonView(THEME, (message) => posted.push(message)), posted };
}

function headers(element: HTMLElement): string[] {
  return Array.from(element.querySelectorAll('thead th')).map(textOf);
}

/** The texts of column `name`'s cells, a best one with its mark, row by row. */
function column(element: HTMLElement, name: string): { text: string; best: boolean }[] {
  const index = headers(element).indexOf(name);
  assert.ok(index >= 0, `a column ${name}`);
  return Array.from(element.querySelectorAll('tbody tr')).map((tr) => {
    const cell = tr.children[index]!;
    return { text: textOf(cell), best: cell.classList.contains('is-best') };
  });
}

const scored = (): ComparisonReport => ({
  ...comparison([
    comparisonRow('dax', { iouAt02: 0.61, bestIou: 0.7, pointingHit: true }),
    comparisonRow('rise', { iouAt02: 0.42, bestIou: 0.75, pointingHit: true }),
    comparisonRow('lime', { iouAt02: 0.3, bestIou: 0.31, pointingHit: false }),
    comparisonRow('occlusion', { iouAt02: 0.1, bestIou: 0.2, pointingHit: false }),
  ]),
  groundTruthFile: '/work/masks/a.mask.png',
});

describe('comparison: the Ground truth… button', () => {
  test('is a labelled button reached with Tab, and asks the host to score the maps', () => {
    const { view: comparisonView, posted } = view();
    comparisonView.update(comparison(), undefined, DEFAULT_PREFERENCES);
    const buttons = Array.from(comparisonView.element.querySelectorAll('button')).filter(
      (button) => textOf(button) === 'Ground truth…',
    );
    assert.equal(buttons.length, 1, 'one Ground truth… button in the comparison');
    const button = buttons[0]!;
    assert.equal(button, comparisonView.truthButton);
    // Its visible text is its accessible name; a native button is in the tab order and answers Enter and Space.
    assert.equal(button.getAttribute('type'), 'button');
    assert.equal(button.getAttribute('aria-label'), null, 'no aria-label that would differ from what is shown');
    assert.equal(button.getAttribute('tabindex'), null);
    assert.equal(button.hasAttribute('disabled'), false);
    assert.match(button.getAttribute('title') ?? '', /mask image/);
    assert.equal(button.closest('[role="group"]')?.getAttribute('aria-label'), 'Comparison actions');
    click(button);
    assert.deepEqual(posted, [{ type: 'panel/comparisonGroundTruthCommand' }]);
  });
});

describe('comparison: IoU columns', () => {
  test('none without scores', () => {
    const { view: comparisonView } = view();
    comparisonView.update(comparison(), undefined, DEFAULT_PREFERENCES);
    const names = headers(comparisonView.element);
    assert.ok(names.includes('Deletion AUC (lower is better)'));
    assert.ok(!names.some((name) => /IoU|Pointing/.test(name)), names.join(' | '));
    assert.equal(comparisonView.element.querySelector('.comparison-truth'), null);
  });

  test('with scores: IoU at 0.2, best IoU and the pointing game, the best of each IoU column marked', () => {
    const { view: comparisonView } = view();
    comparisonView.update(scored(), undefined, DEFAULT_PREFERENCES);
    const names = headers(comparisonView.element);
    assert.deepEqual(names.slice(-3), ['IoU at 0.2', 'Best IoU', 'Pointing game']);
    const iou = column(comparisonView.element, 'IoU at 0.2');
    assert.deepEqual(
      iou.map((cell) => cell.best),
      [true, false, false, false],
      'DAX has the best IoU at 0.2',
    );
    assert.match(iou[0]!.text, /★/);
    assert.match(iou[0]!.text, /\(best\)/, 'and says so in words');
    assert.deepEqual(
      column(comparisonView.element, 'Best IoU').map((cell) => cell.best),
      [false, true, false, false],
      'RISE has the best best-IoU',
    );
    assert.deepEqual(
      column(comparisonView.element, 'Pointing game').map((cell) => cell.text),
      ['hit', 'hit', 'miss', 'miss'],
    );
    assert.equal(
      textOf(comparisonView.element.querySelector('.comparison-truth')!),
      'IoU and pointing game against a.mask.png',
    );
  });

  test('scores that arrive for the comparison shown add the columns; the button stays for another mask', () => {
    const { view: comparisonView } = view();
    comparisonView.update(comparison(), undefined, DEFAULT_PREFERENCES);
    assert.ok(!headers(comparisonView.element).includes('IoU at 0.2'));
    assert.equal(comparisonView.update(scored(), undefined, DEFAULT_PREFERENCES), true, 'a change');
    assert.ok(headers(comparisonView.element).includes('IoU at 0.2'));
    assert.ok(comparisonView.element.contains(comparisonView.truthButton));
  });
});
