// What an audio result adds to the saliency view: frequency and time axes on the spectrogram, the saliency-over-time
// curve under it (same x extent) with the top intervals and the ground truth, the play buttons, and a cursor that
// follows playback over both. OverlayView places the parts around its canvas; for an image they all stay hidden.
import type { DisplayAudio } from '../../src/shared/protocol';
import type { TimeInterval } from '../../src/shared/report';
import { AudioPlayer, browserAudioContext, type Playing, type SoundName } from './audioPlayer';
import {
  curveFractions,
  describeFrequencyAxis,
  formatInterval,
  formatSeconds,
  fractionToTime,
  frequencyTicks,
  intervalPixels,
  ticksThatFit,
  timeExtent,
  timeTicks,
  timeToFraction,
  type Tick,
  type TimeExtent,
} from './audioTimeline';
import { swatch } from './charts';
import { h, setText, show } from './dom';
import { lineWidth, type ChartTheme } from './theme';

/** CSS heights of the spectrogram and the curve (panel.css sets the same; the tick counts are computed from them). */
const SPECTROGRAM_HEIGHT = 200;
/** Room above the curve for the interval numbers. */
const CURVE_TOP = 14;

const SOUND_LABELS: Record<SoundName, { label: string; title: string; spoken: string }> = {
  original: { label: 'Play original', title: 'Play the input sound', spoken: 'the original' },
  kept: {
    label: 'Play kept (what the model used)',
    title: 'Play what the mask keeps: the input × the mask',
    spoken: 'the kept sound (what the model used)',
  },
  removed: {
    label: 'Play removed',
    title: 'Play what the mask removes: the input × (1 − the mask)',
    spoken: 'the removed sound',
  },
};

/** The interval colours, named by role so the legend and the drawing agree. */
function colours(theme: ChartTheme): { curve: string; interval: string; truth: string } {
  return { curve: theme.palette[0]!, interval: theme.palette[1]!, truth: theme.palette[2]! };
}

const SVG = 'http://www.w3.org/2000/svg';

function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** A legend swatch: a filled box with a number (an interval), or a hatched dashed box (the ground truth). */
function boxSwatch(colour: string, kind: 'filled' | 'hatched', text?: string, opacity = 0.45): SVGSVGElement {
  const svg = svgElement('svg', {
    viewBox: '0 0 28 14',
    width: 28,
    height: 14,
    'aria-hidden': 'true',
    class: 'swatch',
  });
  if (kind === 'filled') {
    svg.append(
      svgElement('rect', {
        x: 1,
        y: 1,
        width: 26,
        height: 12,
        fill: colour,
        'fill-opacity': opacity,
        stroke: colour,
        'stroke-width': 1.5,
      }),
    );
    if (text) {
      const label = svgElement('text', { x: 4, y: 11, 'font-size': 10, fill: 'currentColor' });
      label.textContent = text;
      svg.append(label);
    }
  } else {
    for (let x = -10; x < 28; x += 5)
      svg.append(svgElement('line', { x1: x, y1: 13, x2: x + 12, y2: 1, stroke: colour, 'stroke-width': 1 }));
    svg.append(
      svgElement('rect', {
        x: 1,
        y: 1,
        width: 26,
        height: 12,
        fill: 'none',
        stroke: colour,
        'stroke-width': 2,
        'stroke-dasharray': '4 2',
      }),
    );
  }
  return svg;
}

/** The axis labels of `ticks`, placed along the axis by CSSOM (no inline style attributes, which the CSP forbids). */
function tickElements(ticks: readonly Tick[], kind: 'time' | 'frequency'): HTMLElement[] {
  return ticks.map((tick) => {
    const element = h('span', { class: `tick ${kind}-tick is-${tick.anchor}` }, tick.label);
    if (kind === 'time') element.style.left = `${tick.fraction * 100}%`;
    else element.style.top = `${(1 - tick.fraction) * 100}%`;
    return element;
  });
}

/** An axis column's labels and an invisible copy of the longest, which gives the column its width. */
function axisWithSizer(ticks: HTMLElement[], labels: readonly string[]): Node[] {
  const longest = labels.reduce((a, b) => (b.length > a.length ? b : a), '');
  return [h('span', { class: 'axis-sizer', 'aria-hidden': 'true' }, longest), ...ticks];
}

/** The audio parts of the saliency view. */
export class AudioView {
  /** Left of the spectrogram: the frequency labels. */
  readonly frequencyAxis: HTMLElement;
  /** Over the spectrogram (in OverlayView's canvas box): the playback cursor. */
  readonly spectrogramCursor: HTMLElement;
  /** Under the spectrogram: the time labels. */
  readonly timeAxis: HTMLElement;
  /** Left of the curve: its scale. */
  readonly curveScale: HTMLElement;
  /** Under the time axis: the saliency-over-time curve and its cursor. */
  readonly curveBox: HTMLElement;
  /** Under the curve: what the marks mean, and the axes in words. */
  readonly legend: HTMLElement;
  /** The play buttons and the playback status. */
  readonly controls: HTMLElement;

  private readonly curveCanvas: HTMLCanvasElement;
  private readonly curveCursor: HTMLElement;
  private readonly legendList: HTMLElement;
  private readonly note: HTMLElement;
  private readonly buttons: Map<SoundName, HTMLButtonElement>;
  private readonly stopButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly player: AudioPlayer;
  private audio: DisplayAudio | undefined;
  private extent: TimeExtent = { start: 0, end: 1 };
  private width = 0;
  private frame: number | undefined;

  constructor(private theme: ChartTheme) {
    this.frequencyAxis = h('div', { class: 'frequency-axis', 'aria-hidden': 'true' });
    this.spectrogramCursor = h('div', { class: 'play-cursor', 'aria-hidden': 'true', hidden: true });
    this.timeAxis = h('div', { class: 'time-axis', 'aria-hidden': 'true' });
    this.curveScale = h(
      'div',
      { class: 'curve-scale', 'aria-hidden': 'true' },
      h('span', { class: 'tick frequency-tick is-start' }, 'peak'),
      h('span', { class: 'tick frequency-tick is-end' }, '0'),
    );
    this.curveCanvas = h('canvas', { class: 'curve-canvas', role: 'img' });
    this.curveCursor = h('div', { class: 'play-cursor', 'aria-hidden': 'true', hidden: true });
    this.curveBox = h('div', { class: 'curve-box' }, this.curveCanvas, this.curveCursor);
    this.legendList = h('ul', { class: 'curve-legend audio-legend', 'aria-label': 'What the curve shows' });
    this.note = h('p', { class: 'hint' });
    this.legend = h('div', { class: 'audio-legend-box' }, this.legendList, this.note);

    this.player = new AudioPlayer(browserAudioContext);
    this.buttons = new Map(
      (['original', 'kept', 'removed'] as const).map((sound) => {
        const { label, title } = SOUND_LABELS[sound];
        const button = h(
          'button',
          { type: 'button', class: 'secondary play-button', 'aria-pressed': 'false', 'aria-label': label, title },
          h('span', { class: 'play-icon', 'aria-hidden': 'true' }, '▶'),
          label,
        );
        button.addEventListener('click', () => this.player.toggle(sound));
        return [sound, button];
      }),
    );
    // Stays focusable when idle (aria-disabled, not disabled), so focus is not lost when a sound ends.
    this.stopButton = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': 'Stop playback', 'aria-disabled': 'true' },
      h('span', { class: 'play-icon', 'aria-hidden': 'true' }, '■'),
      'Stop',
    );
    this.stopButton.addEventListener('click', () => this.player.stop());
    this.status = h('p', { class: 'hint audio-status', role: 'status' });
    this.controls = h(
      'div',
      { class: 'audio-player', role: 'group', 'aria-label': 'Listen (Escape stops)' },
      h('div', { class: 'actions' }, ...this.buttons.values(), this.stopButton),
      this.status,
    );
    this.controls.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.player.playing) {
        event.preventDefault();
        this.player.stop();
      }
    });
    this.player.onChange((playing, reason) => this.onPlayback(playing, reason));

    this.attachSeek(this.curveBox);
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        const width = this.curveBox.clientWidth;
        if (this.audio && width !== this.width) this.layout();
      }).observe(this.curveBox);
    }
    this.hideAll();
  }

  /** Clicks on `box` (the spectrogram's box or the curve's) play from the time under the pointer. */
  attachSeek(box: HTMLElement): void {
    box.addEventListener('click', (event) => this.seekTo(event, box));
  }

  /** Shows `audio` (undefined: an image result, everything hidden). The same object redraws nothing. */
  update(audio: DisplayAudio | undefined): void {
    if (audio === this.audio) return;
    this.audio = audio;
    this.player.setAudio(audio);
    if (!audio) {
      this.hideAll();
      return;
    }
    for (const part of this.parts()) show(part, true);
    this.extent = timeExtent(audio);
    const webAudio = typeof (globalThis as { AudioContext?: unknown }).AudioContext === 'function';
    const why = this.player.problem() ?? (webAudio ? undefined : 'this panel has no Web Audio');
    for (const button of this.buttons.values()) button.disabled = why !== undefined;
    this.stopButton.disabled = why !== undefined;
    setText(this.status, why ? `The sounds cannot be played: ${why}.` : '');
    for (const target of [this.curveBox, this.spectrogramCursor.parentElement])
      target?.classList.toggle('is-seekable', why === undefined);
    this.renderLegend(audio);
    this.layout();
  }

  /** Redraws in a new theme's colours. */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (!this.audio) return;
    this.renderLegend(this.audio);
    this.drawCurve();
  }

  private parts(): HTMLElement[] {
    return [this.frequencyAxis, this.timeAxis, this.curveScale, this.curveBox, this.legend, this.controls];
  }

  private hideAll(): void {
    for (const part of this.parts()) show(part, false);
    this.hideCursor();
  }

  /** The axes and the curve for the current width. */
  private layout(): void {
    const audio = this.audio;
    if (!audio) return;
    this.width = this.curveBox.clientWidth;
    const times = timeTicks(this.extent, ticksThatFit(this.width || 400, 72));
    this.timeAxis.replaceChildren(...tickElements(times, 'time'));
    const frequencies = frequencyTicks(audio, ticksThatFit(SPECTROGRAM_HEIGHT, 34));
    this.frequencyAxis.replaceChildren(
      ...axisWithSizer(tickElements(frequencies, 'frequency'), [...frequencies.map((tick) => tick.label), 'peak']),
    );
    this.drawCurve(times);
  }

  private renderLegend(audio: DisplayAudio): void {
    const { curve, interval, truth } = colours(this.theme);
    const [top, ...others] = audio.intervals;
    const item = (mark: Node, text: string) => h('li', { class: 'curve-legend-item' }, mark, text);
    const items: HTMLElement[] = [item(swatch(curve, []), 'Saliency over time (mean over the frequencies; peak = 1)')];
    if (top) items.push(item(boxSwatch(interval, 'filled', '1'), `Top interval (1): ${formatInterval(top)}`));
    if (others.length > 0)
      items.push(
        item(
          boxSwatch(interval, 'filled', '2', 0.2),
          `Next: ${others.map((other, i) => `(${i + 2}) ${formatInterval(other)}`).join(', ')}`,
        ),
      );
    if (!top) items.push(item(swatch(curve, [2, 2]), 'No interval stands out (the map is flat)'));
    if (audio.truth)
      items.push(
        item(boxSwatch(truth, 'hatched'), `Ground truth (hatched, dashed outline): ${formatInterval(audio.truth)}`),
      );
    items.push(
      item(
        swatch(this.theme.foreground, [1, 3]),
        "The curve's mean: intervals are the stretches that rise above it the most",
      ),
    );
    this.legendList.replaceChildren(...items);
    const duration =
      audio.original.length > 0 && audio.sampleRate > 0
        ? audio.original.length / audio.sampleRate
        : audio.durationSeconds;
    setText(
      this.note,
      `Spectrogram: time to the right (${formatSeconds(0, 0.01)} to ${formatSeconds(duration, 0.01)}), frequency upwards (${describeFrequencyAxis(audio)}). Click the spectrogram or the curve to play from that moment.`,
    );
    this.curveCanvas.setAttribute('aria-label', curveDescription(audio));
  }

  private drawCurve(times = timeTicks(this.extent, ticksThatFit(this.width || 400, 72))): void {
    const audio = this.audio;
    const context = this.curveCanvas.getContext('2d');
    if (!audio || !context) return;
    const width = this.curveBox.clientWidth;
    const height = this.curveBox.clientHeight;
    if (width <= 0 || height <= 0) return;
    const ratio = globalThis.devicePixelRatio || 1;
    const pixelWidth = Math.round(width * ratio);
    const pixelHeight = Math.round(height * ratio);
    if (this.curveCanvas.width !== pixelWidth) this.curveCanvas.width = pixelWidth;
    if (this.curveCanvas.height !== pixelHeight) this.curveCanvas.height = pixelHeight;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    const theme = this.theme;
    const { curve, interval, truth } = colours(theme);
    const plotHeight = height - CURVE_TOP - 2;
    const y = (value: number) =>
      CURVE_TOP + (1 - Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0))) * plotHeight;
    const font = `${Math.round(theme.fontSize * 0.85)}px ${theme.fontFamily}`;

    // Grid lines at the time ticks, and the curve's mean: the intervals are the stretches most above it.
    context.save();
    context.strokeStyle = theme.lines;
    context.globalAlpha = 0.35;
    context.lineWidth = 1;
    for (const tick of times)
      line(
        context,
        Math.round(tick.fraction * width) + 0.5,
        CURVE_TOP,
        Math.round(tick.fraction * width) + 0.5,
        height,
      );
    context.restore();
    context.save();
    context.strokeStyle = theme.foreground;
    context.setLineDash([1, 3]);
    context.lineWidth = 1;
    const mean = audio.timeSaliency.reduce((sum, value) => sum + value, 0) / Math.max(1, audio.timeSaliency.length);
    line(context, 0, Math.round(y(mean)) + 0.5, width, Math.round(y(mean)) + 0.5);
    context.restore();

    // The intervals, best first: filled (the top one stronger), with solid edges and their rank as a number.
    context.save();
    context.font = font;
    context.textBaseline = 'top';
    audio.intervals.forEach((found, rank) => {
      const { x, width: w } = intervalPixels(found, this.extent, width);
      context.globalAlpha = rank === 0 ? 0.35 : 0.18;
      context.fillStyle = interval;
      context.fillRect(x, CURVE_TOP, w, plotHeight + 2);
      context.globalAlpha = 1;
      context.strokeStyle = interval;
      context.lineWidth = rank === 0 ? 2 : 1;
      line(context, x, CURVE_TOP, x, height);
      line(context, x + w, CURVE_TOP, x + w, height);
      context.fillStyle = theme.foreground;
      context.fillText(String(rank + 1), x + 3, 1);
    });
    context.restore();

    // The ground truth: hatched, with a dashed outline (told apart from the intervals by more than its colour).
    if (audio.truth) drawTruth(context, audio.truth, this.extent, width, height, truth, theme.highContrast);

    // The curve, over everything.
    const xs = curveFractions(audio.timeSaliency.length, audio.frameSeconds, this.extent);
    context.save();
    context.strokeStyle = curve;
    context.lineWidth = lineWidth(theme) + 0.5;
    context.lineJoin = 'round';
    context.beginPath();
    for (let t = 0; t < xs.length; t++) {
      const px = xs[t]! * width;
      const py = y(audio.timeSaliency[t]!);
      if (t === 0) context.moveTo(px, py);
      else context.lineTo(px, py);
    }
    context.stroke();
    context.restore();
  }

  private seekTo(event: MouseEvent, box: HTMLElement): void {
    if (!this.audio || this.player.problem()) return;
    const rect = box.getBoundingClientRect();
    if (rect.width <= 0) return;
    const seconds = fractionToTime((event.clientX - rect.left) / rect.width, this.extent);
    this.player.seek(seconds);
  }

  private onPlayback(playing: Playing | undefined, reason: 'start' | 'stop' | 'end'): void {
    for (const [sound, button] of this.buttons) {
      const pressed = playing?.sound === sound;
      button.setAttribute('aria-pressed', String(pressed));
      button.classList.toggle('is-playing', pressed);
      setText(button.querySelector('.play-icon')!, pressed ? '■' : '▶');
    }
    this.stopButton.setAttribute('aria-disabled', String(playing === undefined));
    const last = SOUND_LABELS[this.player.lastSound].spoken;
    if (playing) {
      setText(
        this.status,
        `Playing ${SOUND_LABELS[playing.sound].spoken}${playing.offset > 0 ? ` from ${playing.offset.toFixed(2)} s` : ''}. Press the button again or Stop to stop.`,
      );
      this.frame ??= requestAnimationFrame(() => this.tick());
    } else {
      setText(this.status, reason === 'end' ? `Finished playing ${last}.` : `Stopped ${last}.`);
      this.hideCursor();
    }
  }

  /** Moves the cursors to where playback is, each frame, until it ends. */
  private tick(): void {
    this.frame = undefined;
    const position = this.player.position();
    if (position === undefined) {
      this.hideCursor();
      return;
    }
    const left = `${timeToFraction(position, this.extent) * 100}%`;
    for (const cursor of [this.spectrogramCursor, this.curveCursor]) {
      cursor.style.left = left;
      show(cursor, true);
    }
    this.frame = requestAnimationFrame(() => this.tick());
  }

  private hideCursor(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    show(this.spectrogramCursor, false);
    show(this.curveCursor, false);
  }
}

function line(context: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  context.beginPath();
  context.moveTo(x1, y1);
  context.lineTo(x2, y2);
  context.stroke();
}

function drawTruth(
  context: CanvasRenderingContext2D,
  truth: TimeInterval,
  extent: TimeExtent,
  width: number,
  height: number,
  colour: string,
  highContrast: boolean,
): void {
  const { x, width: w } = intervalPixels(truth, extent, width);
  const top = CURVE_TOP - 1;
  context.save();
  context.beginPath();
  context.rect(x, top, w, height - top);
  context.clip();
  context.strokeStyle = colour;
  context.globalAlpha = highContrast ? 0.9 : 0.6;
  context.lineWidth = 1;
  for (let hx = x - height; hx < x + w; hx += 7) line(context, hx, height, hx + height, 0);
  context.restore();
  context.save();
  context.strokeStyle = colour;
  context.lineWidth = 2;
  context.setLineDash([5, 3]);
  context.strokeRect(x + 1, top + 1, Math.max(0, w - 2), height - top - 2);
  context.restore();
}

/** The curve in words, for screen readers. */
export function curveDescription(audio: DisplayAudio): string {
  let peak = 0;
  let at = 0;
  audio.timeSaliency.forEach((value, t) => {
    if (value > peak) {
      peak = value;
      at = t * audio.frameSeconds;
    }
  });
  const parts = [`Saliency over time, peaking at ${at.toFixed(2)} s`];
  const [top, ...others] = audio.intervals;
  parts.push(top ? `top interval ${formatInterval(top)}` : 'no interval stands out');
  if (others.length > 0) parts.push(`then ${others.map(formatInterval).join(', ')}`);
  if (audio.truth) parts.push(`ground truth ${formatInterval(audio.truth)}`);
  return `${parts.join('; ')}.`;
}
