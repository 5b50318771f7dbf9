// The edge between the host and the panel: checks a message's type and restores typed arrays. No DOM.
import type { DisplayPixels, HostToPanel } from '../../src/shared/protocol';

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

function restoreDisplay(display: DisplayPixels): DisplayPixels {
  const rgb = toBytes(display.rgb) ?? new Uint8Array(0);
  const saliency = toBytes(display.saliency) ?? new Uint8Array(0);
  return rgb === display.rgb && saliency === display.saliency ? display : { ...display, rgb, saliency };
}

/** The message if it is one the panel knows (display arrays restored to `Uint8Array`), else undefined. */
export function decodeHostMessage(data: unknown): HostToPanel | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const message = data as HostToPanel;
  switch (message.type) {
    case 'panel/didChangeState': {
      if (!Array.isArray(message.history)) return undefined;
      const current = message.current;
      return current?.display ? { ...message, current: { ...current, display: restoreDisplay(current.display) } } : message;
    }
    case 'panel/didProgress':
      return typeof message.seq === 'number' && typeof message.progress === 'object' && message.progress !== null ? message : undefined;
    default:
      return undefined;
  }
}
