// The panel's own display preferences: the only state the panel owns, persisted with the webview's setState.

/** Colormaps the panel offers for the saliency. */
export const COLORMAPS = ['turbo', 'viridis', 'inferno', 'greys'] as const;
export type ColormapName = (typeof COLORMAPS)[number];

/** The clipping percentiles the panel offers, from none to strong. */
export const CLIP_CHOICES = [100, 99.9, 99.5, 99, 98, 95] as const;

/**
 * What the image canvas shows: the input, the saliency alone, the saliency over the input, input × saliency, or the
 * input and the overlay side by side (Captum's visualize_image_attr_multiple; images only).
 */
export const VIEW_MODES = ['original', 'saliency', 'overlay', 'masked', 'side-by-side'] as const;
export type ViewMode = (typeof VIEW_MODES)[number];

/** How the current result is displayed; kept across snapshots and reloads. */
export interface Preferences {
  /** Weight of the colormapped saliency over the input in the overlay view, 0..1. */
  opacity: number;
  colormap: ColormapName;
  /** Show only the top `threshold` % most salient pixels, 1..100 (100 = all). */
  threshold: number;
  /** The colormap spans the map up to this percentile of its values (and from 100 − it): Xplique's clip_percentile; 100 = no clipping. */
  clip: number;
  view: ViewMode;
  /** Loss curves hidden by the user, by series name. */
  hiddenSeries: string[];
  /** Plot the losses on a logarithmic axis (the terms differ by orders of magnitude). */
  logScale: boolean;
}

/**
 * What a first start shows: the overlay as the engine exports it (turbo at 50 %), clipped at the 99th percentile so
 * that a few extreme values do not take the whole scale, and the losses on a log axis
 * because DAX's terms differ by orders of magnitude (KL ≈ 4 beside an L1 of 0.02 would flatten the others).
 */
export const DEFAULT_PREFERENCES: Preferences = {
  opacity: 0.5,
  colormap: 'turbo',
  threshold: 100,
  clip: 99,
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
    clip: clampNumber(source.clip, 50, 100, d.clip),
    view: VIEW_MODES.find((mode) => mode === source.view) ?? d.view,
    hiddenSeries: Array.isArray(source.hiddenSeries)
      ? source.hiddenSeries.filter((name): name is string => typeof name === 'string')
      : d.hiddenSeries,
    logScale: typeof source.logScale === 'boolean' ? source.logScale : d.logScale,
  };
}
