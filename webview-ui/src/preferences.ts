// The panel's own display preferences: the only state the panel owns, persisted with the webview's setState.

/** Colormaps the panel offers for the saliency. */
export const COLORMAPS = ['turbo', 'viridis', 'inferno', 'greys'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

/** What the image canvas shows: the input, the saliency alone, the saliency over the input, or input × saliency. */
export const VIEW_MODES = ['original', 'saliency', 'overlay', 'masked'] as const;
export type ViewMode = (typeof VIEW_MODES)[number];

/** How the current result is displayed; kept across snapshots and reloads. */
export interface Preferences {
  /** Weight of the colormapped saliency over the input in the overlay view, 0..1. */
  opacity: number;
  colormap: ColormapName;
  /** Show only the top `threshold` % most salient pixels, 1..100 (100 = all). */
  threshold: number;
  view: ViewMode;
  /** Loss curves hidden by the user, by series name. */
  hiddenSeries: string[];
  /** Plot the losses on a logarithmic axis (the terms differ by orders of magnitude). */
  logScale: boolean;
}

/**
 * What a first start shows: the overlay as the engine exports it (turbo at 50 %), and the losses on a log axis
 * because DAX's terms differ by orders of magnitude (KL ≈ 4 beside an L1 of 0.02 would flatten the others).
 */
export const DEFAULT_PREFERENCES: Preferences = {
  opacity: 0.5,
  colormap: 'turbo',
  threshold: 100,
  view: 'overlay',
  hiddenSeries: [],
  logScale: true,
};

/** Clamps to [min, max], mapping anything that is not a finite number to `fallback`. */
export function clampNumber(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

/** Preferences from whatever `getState()` returned (another version's, or nothing): unknown or invalid fields take their defaults. */
export function restorePreferences(saved: unknown): Preferences {
  const source = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  const d = DEFAULT_PREFERENCES;
  return {
    opacity: clampNumber(source.opacity, 0, 1, d.opacity),
    colormap: COLORMAPS.find((name) => name === source.colormap) ?? d.colormap,
    threshold: Math.round(clampNumber(source.threshold, 1, 100, d.threshold)),
    view: VIEW_MODES.find((mode) => mode === source.view) ?? d.view,
    hiddenSeries: Array.isArray(source.hiddenSeries) ? source.hiddenSeries.filter((name): name is string => typeof name === 'string') : d.hiddenSeries,
    logScale: typeof source.logScale === 'boolean' ? source.logScale : d.logScale,
  };
}
