// Colours for canvas drawing, read from VS Code's theme variables at run time, and a hook for theme changes.

/** The theme values the chart needs (canvas drawing cannot use CSS variables directly). */
export interface ChartTheme {
  foreground: string;
  lines: string;
  /** Series colours, in assignment order. */
  palette: string[];
  /** Tooltip colours (the editor's hover widget). */
  hoverBackground: string;
  hoverForeground: string;
  hoverBorder: string;
  fontFamily: string;
  fontSize: number;
  highContrast: boolean;
}

/** Line width of a chart series: thicker in high-contrast themes. */
export function lineWidth(theme: Pick<ChartTheme, 'highContrast'>): number {
  return theme.highContrast ? 2 : 1.5;
}

function cssVariable(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name).trim();
}

/** Reads `--vscode-charts-*` and the editor font from the document. */
export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const foreground = cssVariable(style, '--vscode-charts-foreground') || cssVariable(style, '--vscode-foreground');
  const palette = ['blue', 'orange', 'green', 'purple', 'red', 'yellow']
    .map((name) => cssVariable(style, `--vscode-charts-${name}`))
    .map((colour) => colour || foreground);
  return {
    foreground,
    lines: cssVariable(style, '--vscode-charts-lines') || foreground,
    palette,
    hoverBackground:
      cssVariable(style, '--vscode-editorHoverWidget-background') || cssVariable(style, '--vscode-editor-background'),
    hoverForeground: cssVariable(style, '--vscode-editorHoverWidget-foreground') || foreground,
    hoverBorder:
      cssVariable(style, '--vscode-editorHoverWidget-border') ||
      cssVariable(style, '--vscode-contrastBorder') ||
      foreground,
    fontFamily: cssVariable(style, '--vscode-font-family') || 'sans-serif',
    fontSize: Number.parseFloat(cssVariable(style, '--vscode-font-size')) || 13,
    highContrast:
      document.body.classList.contains('vscode-high-contrast') ||
      document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls `listener` when VS Code switches theme (it rewrites the body's class and the root's variables). */
export function onThemeChange(listener: () => void): () => void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      listener();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}
