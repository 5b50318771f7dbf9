// The edge between the host and the panel: checks a message's type and restores typed arrays. No DOM.
import type {
  ComparisonDetail,
  DisplayAudio,
  DisplayPixels,
  FolderSummary,
  HostToPanel,
  PanelProgressNotification,
  PanelStateNotification,
} from '../../src/shared/protocol';

/**
 * A byte array from what a posted typed array may arrive as: the array itself, its buffer, a plain array, or
 * (if a transport serialised it as JSON) an object with numeric keys. Undefined for anything else.
 */
export function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return Uint8Array.from(value, (v) => Number(v));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
      const bytes = new Uint8Array(entries.length);
      for (const [key, v] of entries) bytes[Number(key)] = Number(v);
      return bytes;
    }
    if (entries.length === 0) return new Uint8Array(0);
  }
  return undefined;
}

/**
 * Samples from what a posted Float32Array may arrive as: the array itself, its buffer, another typed array, a plain
 * array or an object with numeric keys (JSON). Empty for anything else.
 */
export function toFloats(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof ArrayBuffer) return value.byteLength % 4 === 0 ? new Float32Array(value) : new Float32Array(0);
  return Float32Array.from(toNumbers(value));
}

/** An audio display with its sample arrays restored; the same object when they all arrived as Float32Arrays. */
function restoreAudio(audio: DisplayAudio): DisplayAudio | undefined {
  if (typeof audio !== 'object' || audio === null) return undefined;
  const original = toFloats(audio.original);
  const kept = toFloats(audio.kept);
  const removed = toFloats(audio.removed);
  const timeSaliency = toFloats(audio.timeSaliency);
  const intervals = Array.isArray(audio.intervals) ? audio.intervals : [];
  if (
    original === audio.original &&
    kept === audio.kept &&
    removed === audio.removed &&
    timeSaliency === audio.timeSaliency &&
    intervals === audio.intervals
  )
    return audio;
  return { ...audio, original, kept, removed, timeSaliency, intervals };
}

function restoreDisplay(display: DisplayPixels): DisplayPixels {
  const rgb = toBytes(display.rgb) ?? new Uint8Array(0);
  const saliency = toBytes(display.saliency) ?? new Uint8Array(0);
  const audio = display.audio === undefined ? undefined : restoreAudio(display.audio);
  if (rgb === display.rgb && saliency === display.saliency && audio === display.audio) return display;
  const { audio: _audio, ...pixels } = display;
  return audio ? { ...pixels, rgb, saliency, audio } : { ...pixels, rgb, saliency };
}

/** A value of a number list; JSON turns NaN into null, which must not become 0. */
function toNumber(value: unknown): number {
  return value === null || value === undefined || value === '' ? Number.NaN : Number(value);
}

/**
 * A number list from a plain array, a typed array or an object with numeric keys; the array itself when it already
 * is one of numbers; empty for anything else.
 */
export function toNumbers(value: unknown): number[] {
  if (Array.isArray(value))
    return value.every((v) => typeof v === 'number') ? (value as number[]) : value.map(toNumber);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, Number);
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.every(([key]) => /^\d+$/.test(key))) {
      const numbers = new Array<number>(entries.length).fill(Number.NaN);
      for (const [key, v] of entries) numbers[Number(key)] = toNumber(v);
      return numbers;
    }
  }
  return [];
}

/** A comparison's detail with its arrays restored (the same object when nothing needed it); undefined when it is not one. */
function restoreComparisonDetail(value: unknown): ComparisonDetail | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const detail = value as ComparisonDetail;
  if (!Array.isArray(detail.methods)) return undefined;
  const rgb = toBytes(detail.rgb) ?? new Uint8Array(0);
  let changed = rgb !== detail.rgb;
  const methods = detail.methods.flatMap((method) => {
    if (typeof method !== 'object' || method === null) {
      changed = true;
      return [];
    }
    const saliency = toBytes(method.saliency) ?? new Uint8Array(0);
    const fractions = toNumbers(method.fractions);
    const deletionCurve = toNumbers(method.deletionCurve);
    const insertionCurve = toNumbers(method.insertionCurve);
    if (
      saliency === method.saliency &&
      fractions === method.fractions &&
      deletionCurve === method.deletionCurve &&
      insertionCurve === method.insertionCurve
    )
      return [method];
    changed = true;
    return [{ ...method, saliency, fractions, deletionCurve, insertionCurve }];
  });
  return changed ? { ...detail, rgb, methods } : detail;
}

/** Whether a snapshot's folder summary has the shape the panel draws (a malformed one is left out, not drawn half). */
function isFolderSummary(value: unknown): value is FolderSummary {
  if (typeof value !== 'object' || value === null) return false;
  const summary = value as FolderSummary;
  return (
    typeof summary.folder === 'string' &&
    typeof summary.done === 'number' &&
    typeof summary.total === 'number' &&
    Array.isArray(summary.rows) &&
    summary.rows.every(
      (row) =>
        typeof row === 'object' && row !== null && typeof row.file === 'string' && typeof row.status === 'string',
    )
  );
}

/** A snapshot with its typed arrays restored; the same object when they all arrived as typed arrays. */
function restoreSnapshot(message: PanelStateNotification): PanelStateNotification {
  let next = message;
  const current = message.current;
  if (current?.display) {
    const display = restoreDisplay(current.display);
    if (display !== current.display) next = { ...next, current: { ...current, display } };
  }
  if (message.folder !== undefined && !isFolderSummary(message.folder)) {
    const { folder: _dropped, ...rest } = next;
    next = rest;
  }
  if (message.comparisonDetail !== undefined) {
    const detail = restoreComparisonDetail(message.comparisonDetail);
    if (detail !== message.comparisonDetail) {
      const { comparisonDetail: _dropped, ...rest } = next;
      next = detail ? { ...rest, comparisonDetail: detail } : rest;
    }
  }
  return next;
}

/** A progress message with a live map's bytes restored; a map whose bytes cannot be read is dropped. */
function restoreProgress(message: PanelProgressNotification): PanelProgressNotification | undefined {
  const progress = message.progress;
  if (progress.type !== 'map') return message;
  const values = toBytes(progress.values);
  if (!values) return undefined;
  return values === progress.values ? message : { ...message, progress: { ...progress, values } };
}

/** The message if it is one the panel knows (display and comparison arrays restored to `Uint8Array`), else undefined. */
export function decodeHostMessage(data: unknown): HostToPanel | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as HostToPanel;
  switch (message.type) {
    case 'panel/didChangeState': {
      if (!Array.isArray(message.history)) return undefined;
      return restoreSnapshot(message);
    }
    case 'panel/didProgress':
      if (typeof message.seq !== 'number' || typeof message.progress !== 'object' || message.progress === null)
        return undefined;
      // The time left is measured on the host's clock; without a stamp, the panel's own is the best there is.
      return restoreProgress(typeof message.at === 'number' ? message : { ...message, at: Date.now() });
    default:
      return undefined;
  }
}
