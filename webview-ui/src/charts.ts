// What every chart of the panel shares: the Chart.js registration, the themed axis and tooltip options, and the
// legend swatch. The loss charts and the comparison's deletion/insertion charts both build on it.
import {
  Chart,
  Decimation,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import type { ChartTheme } from './theme';

// Only what a line chart on numeric axes uses: the bundle leaves out every other controller, scale and plugin.
Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation);

export { Chart };

/** The point markers the panel uses (Chart.js `pointStyle` names), drawn alike in the legend swatches. */
export type MarkerShape = 'circle' | 'rect' | 'triangle' | 'rectRot';

/** A numeric axis in the theme's colours, with a title. */
export function themedAxis(theme: ChartTheme, title: string) {
  return {
    title: { display: true, text: title, color: theme.foreground },
    ticks: { color: theme.foreground },
    grid: { color: theme.lines },
    border: { color: theme.lines },
  };
}

/** Tooltip colours of the editor's hover widget. */
export function themedTooltip(theme: ChartTheme) {
  return {
    backgroundColor: theme.hoverBackground,
    titleColor: theme.hoverForeground,
    bodyColor: theme.hoverForeground,
    borderColor: theme.hoverBorder,
    borderWidth: 1,
  };
}

/** Options every line chart of the panel shares: no animation, `{x, y}` points as given, sized by its box, theme font. */
export function baseLineOptions(theme: ChartTheme) {
  return {
    animation: false as const,
    // Points are {x, y} already; the decimation plugin also requires parsing to be off chart-wide.
    parsing: false as const,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
    font: { family: theme.fontFamily, size: theme.fontSize },
    color: theme.foreground,
  };
}

const SVG = 'http://www.w3.org/2000/svg';

/** The marker as an SVG path centred at (14, 5), within ±4. */
const MARKER_PATHS: Record<MarkerShape, string> = {
  circle: 'M10 5 A4 4 0 1 0 18 5 A4 4 0 1 0 10 5 Z',
  rect: 'M10.5 1.5 H17.5 V8.5 H10.5 Z',
  triangle: 'M14 1 L18 9 L10 9 Z',
  rectRot: 'M14 1 L18 5 L14 9 L10 5 Z',
};

/** A short line drawn as the series is (colour, dashes, marker if any), for an HTML legend. */
export function swatch(colour: string, dash: readonly number[], marker?: MarkerShape): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 28 10');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '10');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('swatch');
  const line = document.createElementNS(SVG, 'line');
  for (const [name, value] of Object.entries({
    x1: '1',
    y1: '5',
    x2: '27',
    y2: '5',
    stroke: colour,
    'stroke-width': '2',
    'stroke-dasharray': dash.join(' '),
  }))
    line.setAttribute(name, value);
  svg.append(line);
  if (marker) {
    const shape = document.createElementNS(SVG, 'path');
    shape.setAttribute('d', MARKER_PATHS[marker]);
    shape.setAttribute('fill', colour);
    svg.append(shape);
  }
  return svg;
}
