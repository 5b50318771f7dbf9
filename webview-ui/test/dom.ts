// A DOM for the panel's view tests in Node (linkedom): `document` and the element classes the views use, as globals.
import { parseHTML } from 'linkedom';

const { window } = parseHTML('<!doctype html><html lang="en"><head></head><body></body></html>');

/** Installs the DOM's globals once; returns its window (for its Event class). */
export function installDom(): typeof window {
  const globals = globalThis as Record<string, unknown>;
  if (globals.document !== window.document)
    Object.assign(globals, {
      document: window.document,
      HTMLElement: window.HTMLElement,
      Node: window.Node,
    });
  return window;
}

/** A click on `element`, as a keyboard's Enter or Space on a focused button makes one. */
export function click(element: Element): void {
  element.dispatchEvent(new window.Event('click'));
}

/** The text of an element with runs of white space as one space. */
export function textOf(element: Element): string {
  return (element.textContent ?? '').replace(/\s+/g, ' ').trim();
}
