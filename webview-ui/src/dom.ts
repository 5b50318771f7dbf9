// Small DOM helpers: element creation without HTML strings (nothing to escape, no inline styles) and focus keeping.

type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | undefined | false;

/**
 * `h('button', { class: 'primary', 'aria-label': 'Cancel' }, 'Cancel')`. Attributes set to false or undefined are
 * left out, true sets an empty attribute. Text children become text nodes, never markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}

/** Sets, changes or removes attributes as `h` does. */
export function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) element.removeAttribute(name);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

/** Replaces a container's children; if focus was on an element with `data-focus-key` inside, the new element with that key gets it back. */
export function replaceKeepingFocus(container: Element, children: Node[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  container.replaceChildren(...children);
  if (key === undefined) return;
  const target = Array.from(container.querySelectorAll<HTMLElement>('[data-focus-key]')).find(
    (element) => element.dataset.focusKey === key,
  );
  target?.focus();
}

/** Sets `hidden` only when it changes. */
export function show(element: HTMLElement, visible: boolean): void {
  if (element.hidden === visible) element.hidden = !visible;
}

/** Sets text only when it changes (avoids needless layout and screen-reader announcements). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}
