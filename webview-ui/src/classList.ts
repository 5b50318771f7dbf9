// The top classes of the current input with their probabilities; choosing one explains that class.
import type { PanelToHost, RunView } from '../../src/shared/protocol';
import type { ClassScore } from '../../src/shared/report';
import { h, replaceKeepingFocus, setText, show } from './dom';
import { className, percent } from './format';

/** The class list section. */
export class ClassList {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly note: HTMLElement;
  private view: RunView | undefined;

  constructor(private readonly post: (message: PanelToHost) => void) {
    this.list = h('ol', { class: 'class-list' });
    this.note = h('p', { class: 'hint' });
    this.element = h(
      'section',
      { class: 'classes', 'aria-labelledby': 'classes-heading' },
      h('h3', { id: 'classes-heading' }, 'Top classes'),
      h('p', { class: 'hint' }, 'Choose a class to explain it instead.'),
      this.list,
      this.note,
    );
  }

  update(view: RunView): void {
    if (view === this.view) return;
    this.view = view;
    const { report, summary } = view;
    const target = report.target;
    const items = report.top.map((score) =>
      h('li', {}, this.classButton(score, score.index === target.index, summary.key)),
    );
    replaceKeepingFocus(this.list, items);
    const inTop = report.top.some((score) => score.index === target.index);
    show(this.note, !inTop);
    setText(
      this.note,
      inTop
        ? ''
        : `Explained class: ${className(target)} (#${target.index}, ${percent(target.probability)}), not among the top ${report.top.length}.`,
    );
  }

  private classButton(score: ClassScore, isTarget: boolean, key: string): HTMLButtonElement {
    const name = className(score);
    const meter = h('span', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'bar-fill' }));
    // Width through the CSSOM (allowed by a nonce CSP, unlike a style attribute).
    (meter.firstElementChild as HTMLElement).style.width = `${Math.max(0, Math.min(1, score.probability)) * 100}%`;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'class-button',
        'data-focus-key': `class:${score.index}`,
        'aria-current': isTarget ? 'true' : undefined,
        title: isTarget ? 'The explained class' : `Explain ${name}`,
      },
      // The visible text is the accessible name (axe: label-content-name-mismatch); a screen reader also hears
      // what a click does.
      isTarget ? undefined : h('span', { class: 'visually-hidden' }, 'Explain '),
      h('span', { class: 'class-name' }, name),
      h('span', { class: 'class-index' }, `#${score.index}`),
      h('span', { class: 'class-probability' }, percent(score.probability)),
      isTarget ? h('span', { class: 'badge' }, 'explained') : undefined,
      meter,
    );
    button.addEventListener('click', () => {
      if (!isTarget) this.post({ type: 'panel/explainClassCommand', key, classIndex: score.index });
    });
    return button;
  }
}
