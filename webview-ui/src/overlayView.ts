// The image canvas with its controls: view, colormap, opacity and top-k threshold, and a labelled colour bar. For an
// audio result the canvas shows the spectrogram, and AudioView's axes, curve and play buttons are placed around it.
import type { DisplayPixels } from '../../src/shared/protocol';
import { describeFrequencyAxis } from './audioTimeline';
import { AudioView } from './audioView';
import { COLORMAP_LABELS, colormapLut, colourBarPixels } from './colormaps';
import { h, setText, show } from './dom';
import { percent } from './format';
import { describePoint, moveCursor } from './mapReadout';
import {
  clipRange,
  clipSaliency,
  colourTicks,
  composeSideBySide,
  composeView,
  displayProblem,
  displayScale,
  keptCount,
  keptMass,
  pixelAt,
  saliencyHistogram,
  sideBySideColumn,
  topShareMask,
  viewWidth,
  type ClipRange,
} from './pixels';
import { CLIP_CHOICES, COLORMAPS, VIEW_MODES, type Preferences, type ViewMode } from './preferences';
import type { UiAction } from './store';
import type { ChartTheme } from './theme';

const VIEW_LABELS: Record<ViewMode, string> = {
  original: 'Original',
  saliency: 'Saliency',
  overlay: 'Overlay',
  masked: 'Masked input',
  'side-by-side': 'Side by side',
};

/** What the readout says while the pointer is off the map. */
const READOUT_HINT = 'Point at the map (or focus it and use the arrow keys) to read a value.';

function clipLabel(clip: number): string {
  return clip >= 100 ? 'None (min to max)' : `${clip}th percentile`;
}

/** The image section of the current result. */
export class OverlayView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly problem: HTMLElement;
  private readonly views: Map<ViewMode, HTMLInputElement>;
  private readonly colormap: HTMLSelectElement;
  private readonly opacity: HTMLInputElement;
  private readonly opacityOutput: HTMLOutputElement;
  private readonly threshold: HTMLInputElement;
  private readonly thresholdOutput: HTMLOutputElement;
  private readonly clip: HTMLSelectElement;
  private readonly colourBar: HTMLCanvasElement;
  private readonly colourTicks: HTMLElement;
  private readonly colourText: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly colourScale: HTMLElement;
  private readonly audio: AudioView;
  private display: DisplayPixels | undefined;
  private prefs: Preferences | undefined;
  /** The last threshold mask, reused while only the view, colormap or opacity changes. */
  /** The RGBA buffer, reused while the image size stays the same (dragging a slider recomposes on every step). */
  private buffer: Uint8ClampedArray<ArrayBuffer> = new Uint8ClampedArray(0);
  private keepCache: { saliency: Uint8Array; threshold: number; keep: Uint8Array; mass: number } | undefined;
  /** The map's histogram and its clipped values, reused while the map and the clipping percentile stay the same. */
  private clipCache:
    { saliency: Uint8Array; clip: number; histogram: Uint32Array; range: ClipRange; values: Uint8Array } | undefined;
  /** The keyboard cursor on the map, once the arrow keys moved it. */
  private cursor: { x: number; y: number } | undefined;

  constructor(
    private readonly dispatch: (action: UiAction) => void,
    theme: ChartTheme,
  ) {
    this.views = new Map(
      VIEW_MODES.map((mode) => {
        const input = h('input', { type: 'radio', name: 'view-mode', value: mode, id: `view-${mode}` });
        input.addEventListener('change', () => input.checked && this.dispatch({ type: 'ui/setView', view: mode }));
        return [mode, input];
      }),
    );
    const viewGroup = h(
      'fieldset',
      { class: 'view-modes' },
      h('legend', {}, 'View'),
      ...VIEW_MODES.map((mode) =>
        h('label', { class: 'radio', for: `view-${mode}` }, this.views.get(mode)!, VIEW_LABELS[mode]),
      ),
    );

    this.colormap = h(
      'select',
      { id: 'colormap' },
      ...COLORMAPS.map((name) => h('option', { value: name }, COLORMAP_LABELS[name])),
    );
    this.colormap.addEventListener('change', () => {
      const name = COLORMAPS.find((candidate) => candidate === this.colormap.value);
      if (name) this.dispatch({ type: 'ui/setColormap', colormap: name });
    });

    this.opacity = h('input', {
      type: 'range',
      id: 'opacity',
      min: 0,
      max: 100,
      step: 5,
      'aria-describedby': 'opacity-value',
    });
    this.opacity.addEventListener('input', () =>
      this.dispatch({ type: 'ui/setOpacity', opacity: Number(this.opacity.value) / 100 }),
    );
    this.opacityOutput = h('output', { id: 'opacity-value', for: 'opacity' });

    this.threshold = h('input', {
      type: 'range',
      id: 'threshold',
      min: 1,
      max: 100,
      step: 1,
      'aria-describedby': 'threshold-value',
    });
    this.threshold.addEventListener('input', () =>
      this.dispatch({ type: 'ui/setThreshold', threshold: Number(this.threshold.value) }),
    );
    this.thresholdOutput = h('output', { id: 'threshold-value', for: 'threshold' });

    this.clip = h(
      'select',
      { id: 'clip', 'aria-describedby': 'colour-scale-text' },
      ...CLIP_CHOICES.map((value) => h('option', { value: String(value) }, clipLabel(value))),
    );
    this.clip.addEventListener('change', () => this.dispatch({ type: 'ui/setClip', clip: Number(this.clip.value) }));

    this.canvas = h('canvas', { class: 'image-canvas', role: 'img', tabindex: 0, 'aria-describedby': 'map-readout' });
    this.problem = h('p', { class: 'notice', role: 'status' });
    this.colourBar = h('canvas', { class: 'colour-bar', width: 256, height: 1, 'aria-hidden': 'true' });
    this.colourTicks = h('div', { class: 'colour-ticks', 'aria-hidden': 'true' });
    this.colourText = h('p', { class: 'visually-hidden', id: 'colour-scale-text' });
    this.readout = h('p', { class: 'map-readout', id: 'map-readout', 'aria-live': 'polite' }, READOUT_HINT);
    this.caption = h('p', { class: 'image-caption' });
    this.colourScale = h(
      'div',
      { class: 'colour-scale' },
      h(
        'div',
        { class: 'colour-scale-row' },
        h('span', {}, 'low'),
        h('div', { class: 'colour-bar-box' }, this.colourBar, this.colourTicks),
        h('span', {}, 'high saliency'),
      ),
      this.colourText,
    );
    this.canvas.addEventListener('pointermove', (event) => this.readAt(event.offsetX, event.offsetY));
    this.canvas.addEventListener('pointerleave', () => {
      if (!this.cursor) setText(this.readout, READOUT_HINT);
    });
    this.canvas.addEventListener('keydown', (event) => this.onKey(event));
    this.canvas.addEventListener('blur', () => {
      this.cursor = undefined;
      setText(this.readout, READOUT_HINT);
    });

    // The plot is a plain block around the canvas for an image; for a sound it is a grid: frequency labels | spectrogram,
    // then the time labels and the curve under the spectrogram, in the same column so they share its x extent.
    this.audio = new AudioView(theme);
    const canvasBox = h('div', { class: 'canvas-box' }, this.canvas, this.audio.spectrogramCursor);
    this.audio.attachSeek(canvasBox);
    const plot = h(
      'div',
      { class: 'plot' },
      this.audio.frequencyAxis,
      canvasBox,
      this.audio.timeAxis,
      this.audio.curveScale,
      this.audio.curveBox,
    );

    this.element = h(
      'section',
      { class: 'overlay-view', 'aria-labelledby': 'image-heading' },
      h('h3', { id: 'image-heading' }, 'Saliency'),
      h(
        'div',
        { class: 'image-controls' },
        viewGroup,
        h('div', { class: 'control' }, h('label', { for: 'colormap' }, 'Colormap'), this.colormap),
        h('div', { class: 'control' }, h('label', { for: 'opacity' }, 'Opacity'), this.opacity, this.opacityOutput),
        h(
          'div',
          { class: 'control' },
          h('label', { for: 'threshold' }, 'Show top'),
          this.threshold,
          this.thresholdOutput,
        ),
        h('div', { class: 'control' }, h('label', { for: 'clip' }, 'Clip at'), this.clip),
      ),
      this.audio.controls,
      h(
        'figure',
        { class: 'image-figure' },
        plot,
        this.readout,
        this.audio.legend,
        this.problem,
        h('figcaption', {}, this.caption),
      ),
      this.colourScale,
    );
  }

  /** Shows `display` with `prefs`; recomposes only when something it depends on changed. */
  update(display: DisplayPixels, inputName: string, prefs: Preferences): void {
    const previous = this.prefs;
    const changed =
      display !== this.display ||
      !previous ||
      previous.view !== prefs.view ||
      previous.colormap !== prefs.colormap ||
      previous.opacity !== prefs.opacity ||
      previous.threshold !== prefs.threshold ||
      previous.clip !== prefs.clip;
    this.syncControls(prefs);
    if (!changed) return;
    this.display = display;
    this.prefs = prefs;

    const problem = displayProblem(display);
    show(this.problem, problem !== undefined);
    show(this.canvas, problem === undefined);
    // The sounds can still be played when the picture cannot be drawn.
    this.audio.update(display.audio);
    this.element.classList.toggle('is-audio', display.audio !== undefined);
    if (problem) {
      setText(this.problem, `The pixels of this result cannot be drawn: ${problem}.`);
      setText(this.caption, '');
      return;
    }
    const lut = colormapLut(prefs.colormap);
    const kept = prefs.threshold >= 100 ? undefined : this.keepMask(display.saliency, prefs.threshold);
    const keep = kept?.keep;
    const clipped = this.clipped(display.saliency, prefs.clip);
    // A spectrogram keeps its axes around one picture: side by side is for images, and a sound shows the overlay.
    const side = this.sideBySide();
    const width = viewWidth(display.width, side);
    if (this.buffer.length !== width * display.height * 4)
      this.buffer = new Uint8ClampedArray(width * display.height * 4);
    const options = { opacity: prefs.opacity, lut, keep, values: clipped.values };
    const pixels = side
      ? composeSideBySide(display, options, this.buffer)
      : composeView(display, { ...options, view: prefs.view === 'side-by-side' ? 'overlay' : prefs.view }, this.buffer);
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== display.height) this.canvas.height = display.height;
    // A small input is enlarged by a whole factor with crisp pixels; the spectrogram's size is set by its CSS.
    const scale = display.audio ? 1 : displayScale(display.width, display.height);
    this.canvas.classList.toggle('is-small', scale > 1);
    this.canvas.style.width = scale > 1 ? `${width * scale}px` : '';
    this.canvas.getContext('2d')?.putImageData(new ImageData(pixels, width, display.height), 0, 0);
    this.views.get('side-by-side')!.disabled = display.audio !== undefined;
    this.drawColourBar(lut, clipped.range);
    show(this.colourScale, prefs.view === 'saliency' || prefs.view === 'overlay' || prefs.view === 'side-by-side');
    if (this.cursor)
      this.cursor = { x: Math.min(this.cursor.x, display.width - 1), y: Math.min(this.cursor.y, display.height - 1) };
    setText(
      this.readout,
      this.cursor ? describePoint(display, this.cursor.x, this.cursor.y, clipped.histogram) : READOUT_HINT,
    );

    const shown = kept
      ? `the top ${prefs.threshold} % most salient pixels (${keptCount(display.saliency.length, prefs.threshold).toLocaleString()} of ${display.saliency.length.toLocaleString()}, holding ${percent(kept.mass)} of the saliency; the others dimmed)`
      : 'all pixels';
    // For a sound the picture is its spectrogram: say so, with the axes.
    const input = display.audio ? `the spectrogram of ${inputName}` : inputName;
    const description =
      prefs.view === 'original'
        ? display.audio
          ? `Spectrogram of ${inputName} (${display.audio.durationSeconds.toFixed(2)} s, ${describeFrequencyAxis(display.audio)}), without the saliency.`
          : `${inputName}, ${display.width}×${display.height}, without the saliency.`
        : prefs.view === 'saliency'
          ? `Saliency of ${input} in ${COLORMAP_LABELS[prefs.colormap]}, ${shown}.`
          : prefs.view === 'overlay' || (prefs.view === 'side-by-side' && !side)
            ? `Saliency in ${COLORMAP_LABELS[prefs.colormap]} at ${Math.round(prefs.opacity * 100)} % over ${input}, ${shown}.`
            : side
              ? `${inputName} on the left; on the right, its saliency in ${COLORMAP_LABELS[prefs.colormap]} at ${Math.round(prefs.opacity * 100)} % over it, ${shown}.`
              : `${capitalise(input)} multiplied by its saliency${prefs.clip < 100 ? ` (clipped at the ${prefs.clip}th percentile)` : ''}, ${shown}.`;
    this.canvas.setAttribute('aria-label', description);
    setText(this.caption, description);
  }

  /**
   * The map as drawn now, for Export "View PNG": the canvas at display size as base64 PNG, and how it was drawn.
   * Undefined when nothing is drawn (no result, or pixels that cannot be drawn).
   */
  snapshot(): { png: string; shown: string } | undefined {
    const prefs = this.prefs;
    if (!this.display || !prefs || displayProblem(this.display) !== undefined || this.canvas.width === 0)
      return undefined;
    const url = this.canvas.toDataURL('image/png');
    const comma = url.indexOf(',');
    if (!url.startsWith('data:image/png') || comma < 0) return undefined;
    const parts = [VIEW_LABELS[prefs.view].toLowerCase()];
    if (prefs.view !== 'original') {
      if (prefs.view !== 'masked') parts.push(COLORMAP_LABELS[prefs.colormap]);
      if (prefs.view === 'overlay' || prefs.view === 'side-by-side') parts.push(`${Math.round(prefs.opacity * 100)} %`);
      if (prefs.threshold < 100) parts.push(`top ${prefs.threshold} %`);
      if (prefs.clip < 100) parts.push(`clipped at the ${prefs.clip}th percentile`);
    }
    return { png: url.slice(comma + 1), shown: parts.join(' · ') };
  }

  /** Applies a new theme's colours to the audio curve. */
  setTheme(theme: ChartTheme): void {
    this.audio.setTheme(theme);
  }

  /** The histogram, clip range and clipped values of a map (cached). */
  private clipped(saliency: Uint8Array, clip: number): NonNullable<OverlayView['clipCache']> {
    const cached = this.clipCache;
    if (cached && cached.saliency === saliency && cached.clip === clip) return cached;
    const histogram = cached?.saliency === saliency ? cached.histogram : saliencyHistogram(saliency);
    const range = clipRange(saliency, clip, histogram);
    this.clipCache = { saliency, clip, histogram, range, values: clipSaliency(saliency, range) };
    return this.clipCache;
  }

  /** The readout for the pointer at (offsetX, offsetY) CSS pixels over the canvas. */
  private readAt(offsetX: number, offsetY: number): void {
    const display = this.display;
    const clip = this.clipCache;
    if (!display || !clip || displayProblem(display)) return;
    const side = this.sideBySide();
    const point = pixelAt(
      offsetX,
      offsetY,
      this.canvas.clientWidth,
      this.canvas.clientHeight,
      viewWidth(display.width, side),
      display.height,
    );
    // Either half of side by side reads the same pixel; the gap reads nothing.
    const x = point && side ? sideBySideColumn(point.x, display.width) : point?.x;
    if (point && x !== undefined) setText(this.readout, describePoint(display, x, point.y, clip.histogram));
  }

  /** Whether the canvas shows the input and the overlay side by side (an image in that view). */
  private sideBySide(): boolean {
    return this.prefs?.view === 'side-by-side' && this.display !== undefined && this.display.audio === undefined;
  }

  /** Arrow keys move a cursor over the map and read its value (Shift: bigger steps). */
  private onKey(event: KeyboardEvent): void {
    const display = this.display;
    const clip = this.clipCache;
    if (!display || !clip || displayProblem(display)) return;
    const start = this.cursor ?? { x: Math.floor(display.width / 2), y: Math.floor(display.height / 2) };
    const next = this.cursor
      ? moveCursor(start, event.key, display.width, display.height, event.shiftKey)
      : event.key.startsWith('Arrow')
        ? start
        : undefined;
    if (!next) return;
    event.preventDefault();
    this.cursor = next;
    setText(this.readout, describePoint(display, next.x, next.y, clip.histogram));
  }

  private keepMask(saliency: Uint8Array, threshold: number): { keep: Uint8Array; mass: number } {
    const cached = this.keepCache;
    if (cached && cached.saliency === saliency && cached.threshold === threshold) return cached;
    const keep = topShareMask(saliency, threshold);
    this.keepCache = { saliency, threshold, keep, mass: keptMass(saliency, keep) };
    return this.keepCache;
  }

  /** Puts the preference values into the controls without disturbing a control the user is dragging. */
  private syncControls(prefs: Preferences): void {
    for (const [mode, input] of this.views)
      if (input.checked !== (mode === prefs.view)) input.checked = mode === prefs.view;
    if (this.colormap.value !== prefs.colormap) this.colormap.value = prefs.colormap;
    const opacity = String(Math.round(prefs.opacity * 100));
    if (this.opacity.value !== opacity) this.opacity.value = opacity;
    if (this.threshold.value !== String(prefs.threshold)) this.threshold.value = String(prefs.threshold);
    const clip = String(CLIP_CHOICES.find((value) => value === prefs.clip) ?? prefs.clip);
    if (![...this.clip.options].some((option) => option.value === clip))
      this.clip.append(h('option', { value: clip }, clipLabel(prefs.clip)));
    if (this.clip.value !== clip) this.clip.value = clip;
    setText(this.opacityOutput, `${opacity} %`);
    setText(this.thresholdOutput, prefs.threshold >= 100 ? 'all' : `${prefs.threshold} %`);
    this.threshold.setAttribute(
      'aria-valuetext',
      prefs.threshold >= 100 ? 'all pixels' : `top ${prefs.threshold} percent of pixels`,
    );
    this.opacity.setAttribute('aria-valuetext', `${opacity} percent`);
    // Controls that do nothing in the current view are disabled, which also tells screen readers so.
    this.colormap.disabled = prefs.view === 'original' || prefs.view === 'masked';
    this.opacity.disabled = prefs.view !== 'overlay' && prefs.view !== 'side-by-side';
    this.threshold.disabled = prefs.view === 'original';
    this.clip.disabled = prefs.view === 'original';
  }

  /** The bar in the colormap, numbered in the map's units over the clipped range. */
  private drawColourBar(lut: Uint8Array, range: ClipRange): void {
    this.colourBar.getContext('2d')?.putImageData(new ImageData(colourBarPixels(lut), 256, 1), 0, 0);
    const ticks = colourTicks(range);
    this.colourTicks.replaceChildren(...ticks.map((tick) => h('span', { class: 'colour-tick' }, tick.label)));
    const first = ticks[0]!;
    const last = ticks[ticks.length - 1]!;
    const clipped =
      range.percentile < 100
        ? `; values beyond the ${range.percentile}th percentile of the map take the end colours`
        : '';
    setText(
      this.colourText,
      `Colour scale from ${first.label} (low) to ${last.label} (high saliency), in units of the map's maximum${clipped}.`,
    );
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
