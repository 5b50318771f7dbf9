// The comparison's maps side by side: the input with each method's saliency as an overlay, in the panel's colormap
// and opacity, labelled with the method and its metrics.
import type { ComparisonDetail } from '../../src/shared/protocol';
import { COLORMAP_LABELS, colormapLut, colourBarPixels } from './colormaps';
import { mapPixels, tileMetrics, type ComparisonEntry } from './comparisonData';
import { h, setText, show } from './dom';
import { clipRange, clipSaliency, composeView, displayProblem } from './pixels';
import type { ColormapName, Preferences } from './preferences';

interface Tile {
  entry: ComparisonEntry;
  item: HTMLElement;
  canvas: HTMLCanvasElement;
  notice: HTMLElement;
  buffer: Uint8ClampedArray<ArrayBuffer>;
}

/** The grid of maps. */
export class ComparisonMaps {
  readonly element: HTMLElement;
  private readonly hint: HTMLElement;
  private readonly list: HTMLElement;
  private readonly colourBar: HTMLCanvasElement;
  private tiles: Tile[] = [];
  private detail: ComparisonDetail | undefined;
  private entries: readonly ComparisonEntry[] | undefined;
  private drawn: { colormap: ColormapName; opacity: number; clip: number } | undefined;

  constructor(idPrefix: string) {
    const headingId = `${idPrefix}-heading`;
    this.hint = h('p', { class: 'hint' });
    this.list = h('ul', { class: 'comparison-maps', 'aria-labelledby': headingId });
    this.colourBar = h('canvas', { class: 'colour-bar', width: 256, height: 1, 'aria-hidden': 'true' });
    this.element = h(
      'section',
      { class: 'comparison-maps-section', 'aria-labelledby': headingId },
      h('h3', { id: headingId }, 'Maps'),
      this.hint,
      this.list,
      h(
        'div',
        { class: 'colour-scale', 'aria-hidden': 'true' },
        h(
          'div',
          { class: 'colour-scale-row' },
          h('span', {}, 'low'),
          h('div', { class: 'colour-bar-box' }, this.colourBar),
          h('span', {}, 'high saliency'),
        ),
      ),
    );
  }

  /** Shows the entries' maps; rebuilds the tiles when the entries changed, recomposes when the colormap or opacity did. */
  update(detail: ComparisonDetail, entries: readonly ComparisonEntry[], prefs: Preferences): void {
    const rebuilt = detail !== this.detail || entries !== this.entries;
    if (rebuilt) {
      this.detail = detail;
      this.entries = entries;
      this.tiles = entries.map((entry) => this.tile(entry));
      this.list.replaceChildren(...this.tiles.map((tile) => tile.item));
    }
    const drawn = this.drawn;
    if (
      !rebuilt &&
      drawn &&
      drawn.colormap === prefs.colormap &&
      drawn.opacity === prefs.opacity &&
      drawn.clip === prefs.clip
    )
      return;
    this.drawn = { colormap: prefs.colormap, opacity: prefs.opacity, clip: prefs.clip };

    const lut = colormapLut(prefs.colormap);
    const opacity = Math.round(prefs.opacity * 100);
    const colours = `${COLORMAP_LABELS[prefs.colormap]} at ${opacity} %`;
    const clipped = prefs.clip < 100 ? `, each map clipped at its own ${prefs.clip}th percentile` : '';
    setText(
      this.hint,
      `Each method's saliency over the input in ${colours}${clipped} (the colormap, opacity and clipping of the result's Saliency view).`,
    );
    this.colourBar.getContext('2d')?.putImageData(new ImageData(colourBarPixels(lut), 256, 1), 0, 0);
    for (const tile of this.tiles) this.draw(detail, tile, lut, prefs, colours);
  }

  private tile(entry: ComparisonEntry): Tile {
    const canvas = h('canvas', { class: 'map-canvas', role: 'img' });
    const notice = h('p', { class: 'notice', role: 'status' });
    const metrics = tileMetrics(entry.row);
    const caption = h(
      'figcaption',
      {},
      h('strong', { class: 'map-method' }, entry.label),
      metrics.length > 0
        ? h(
            'dl',
            { class: 'map-metrics' },
            ...metrics.flatMap((metric) => [h('dt', {}, metric.name), h('dd', {}, metric.value)]),
          )
        : h('span', { class: 'hint' }, 'No metrics in the table'),
    );
    const item = h('li', {}, h('figure', { class: 'map-tile' }, canvas, notice, caption));
    return { entry, item, canvas, notice, buffer: new Uint8ClampedArray(0) };
  }

  private draw(detail: ComparisonDetail, tile: Tile, lut: Uint8Array, prefs: Preferences, colours: string): void {
    const pixels = mapPixels(detail, tile.entry.detail);
    const problem = displayProblem(pixels);
    show(tile.notice, problem !== undefined);
    show(tile.canvas, problem === undefined);
    if (problem) {
      setText(tile.notice, `The map of ${tile.entry.label} cannot be drawn: ${problem}.`);
      return;
    }
    const { width, height } = pixels;
    if (tile.buffer.length !== width * height * 4) tile.buffer = new Uint8ClampedArray(width * height * 4);
    const values = clipSaliency(pixels.saliency, clipRange(pixels.saliency, prefs.clip));
    const rgba = composeView(pixels, { view: 'overlay', opacity: prefs.opacity, lut, values }, tile.buffer);
    if (tile.canvas.width !== width) tile.canvas.width = width;
    if (tile.canvas.height !== height) tile.canvas.height = height;
    // The tiles fill their grid cells; a map of few pixels keeps them crisp.
    tile.canvas.classList.toggle('is-small', Math.max(width, height) < 512);
    tile.canvas.getContext('2d')?.putImageData(new ImageData(rgba, width, height), 0, 0);
    tile.canvas.setAttribute(
      'aria-label',
      `${tile.entry.label}: saliency in ${colours} over the input, ${width}×${height}`,
    );
  }
}
