// What the pointer (or the keyboard cursor) reads on the map: the saliency of one pixel or spectrogram cell, with its
// rank among the map's values, and for a sound its time and frequency. No DOM.
import type { DisplayPixels } from '../../src/shared/protocol';
import { formatHz, fractionToTime, frequencyAt, timeExtent } from './audioTimeline';
import { shareAbove } from './pixels';

/** "x 12, y 40: saliency 0.73 (top 2.5 % of pixels)"; for a sound "0.53 s, 1.2 kHz: saliency 0.41 (top 10 % of cells)". */
export function describePoint(display: DisplayPixels, x: number, y: number, histogram: ArrayLike<number>): string {
  const { width, height } = display;
  const value = display.saliency[y * width + x] ?? 0;
  const rank = shareAbove(histogram, display.saliency.length, value);
  const top = rank === 0 ? 'the most salient' : `top ${formatShare(rank)}`;
  const where = display.audio
    ? `${fractionToTime((x + 0.5) / width, timeExtent(display.audio)).toFixed(2)} s, ${formatHz(frequencyAt(1 - (y + 0.5) / height, display.audio))}`
    : `x ${x}, y ${y}`;
  return `${where}: saliency ${(value / 255).toFixed(2)} (${top} of ${display.audio ? 'cells' : 'pixels'})`;
}

/** A share as a percentage that stays readable near 0 ("0.3 %", "12 %"). */
function formatShare(share: number): string {
  const percent = share * 100;
  return `${percent < 1 ? Number(percent.toFixed(1)) || 0.1 : Math.round(percent)} %`;
}

/** The cursor after an arrow key (a step of 1, or `big` with Shift), kept on the map; undefined for other keys. */
export function moveCursor(
  cursor: { x: number; y: number },
  key: string,
  width: number,
  height: number,
  big = false,
): { x: number; y: number } | undefined {
  const step = big ? Math.max(1, Math.round(Math.max(width, height) / 16)) : 1;
  const [dx, dy] =
    key === 'ArrowLeft'
      ? [-step, 0]
      : key === 'ArrowRight'
        ? [step, 0]
        : key === 'ArrowUp'
          ? [0, -step]
          : key === 'ArrowDown'
            ? [0, step]
            : [Number.NaN, 0];
  if (Number.isNaN(dx)) return undefined;
  return { x: Math.min(width - 1, Math.max(0, cursor.x + dx)), y: Math.min(height - 1, Math.max(0, cursor.y + dy)) };
}
