// Number, time and name formatting for the panel's text. No DOM.
import type { ClassScore } from '../../src/shared/report';
import { methodLabel } from '../../src/shared/methods';

/** "87.3 %" (one decimal; "<0.1 %" for tiny non-zero shares). */
export function percent(share: number): string {
  if (!Number.isFinite(share)) return '–';
  if (share > 0 && share < 0.0005) return '<0.1 %';
  return `${(share * 100).toFixed(1)} %`;
}

/** "850 ms", "12.3 s", "2 min 05 s". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A loss or metric value: 4 significant digits, exponent form for very small or large values. */
export function metric(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)
    ? value.toExponential(2)
    : String(Number(value.toPrecision(4)));
}

/** "1,000" in the user's locale. */
export function count(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString() : '–';
}

/** A class's name: its label when it has one that is not just its index, else "class 3". */
export function className(score: Pick<ClassScore, 'index' | 'label'>): string {
  return score.label !== undefined && score.label !== '' ? score.label : `class ${score.index}`;
}

/** Method names as people write them. */
export function methodName(method: string): string {
  return methodLabel(method);
}

/** "14:03" today, else a short date and time, in the user's locale. */
export function when(epochMs: number, now = Date.now()): string {
  const date = new Date(epochMs);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return sameDay
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}
