// Loads the built panel (dist/webview.js, dist/webview.css) in headless Chromium under the CSP the host serves, with
// a stand-in acquireVsCodeApi and VS Code-like theme variables; plays a snapshot, live progress and a finished
// result, checks for CSP violations and console errors, and writes screenshots per theme.
//
// Usage: node scripts/build.mjs && node --import tsx webview-ui/test/ui/smoke.mjs [outDir] (tsx: it reads the report
// through src/shared/reportUpgrade.ts, so a dax-out/example of an older format still plays)
// Env: DAX_CHROMIUM (default /usr/bin/chromium). Needs dax-out/example (npm run example) for a real report.
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { upgradeReport } from '../../../src/shared/reportUpgrade.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, '.vscode-test/panel-smoke'));
const chromiumPath = process.env.DAX_CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(outDir, { recursive: true });

const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-font-weight': 'normal',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#cccccc',
      '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-editor-background': '#1f1f1f',
      '--vscode-focusBorder': '#0078d4',
      '--vscode-widget-border': '#313131',
      '--vscode-button-background': '#0078d4',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-secondaryBackground': '#313131',
      '--vscode-button-secondaryForeground': '#cccccc',
      '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-button-border': '#ffffff12',
      '--vscode-dropdown-background': '#313131',
      '--vscode-dropdown-foreground': '#cccccc',
      '--vscode-dropdown-border': '#3c3c3c',
      '--vscode-input-background': '#313131',
      '--vscode-list-hoverBackground': '#2a2d2e',
      '--vscode-list-inactiveSelectionBackground': '#37373d',
      '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8',
      '--vscode-progressBar-background': '#0078d4',
      '--vscode-inputValidation-errorBackground': '#5a1d1d',
      '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-inputValidation-infoBackground': '#063b49',
      '--vscode-inputValidation-infoBorder': '#007acc',
      '--vscode-charts-foreground': '#cccccc',
      '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-editorHoverWidget-background': '#202020',
      '--vscode-editorHoverWidget-foreground': '#cccccc',
      '--vscode-editorHoverWidget-border': '#454545',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-font-weight': 'normal',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-descriptionForeground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-focusBorder': '#005fb8',
      '--vscode-widget-border': '#e5e5e5',
      '--vscode-button-background': '#005fb8',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-secondaryBackground': '#e5e5e5',
      '--vscode-button-secondaryForeground': '#3b3b3b',
      '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-button-border': '#0000001a',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-border': '#cecece',
      '--vscode-input-background': '#ffffff',
      '--vscode-list-hoverBackground': '#f2f2f2',
      '--vscode-list-inactiveSelectionBackground': '#e4e6f1',
      '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b',
      '--vscode-progressBar-background': '#005fb8',
      '--vscode-inputValidation-errorBackground': '#f2dede',
      '--vscode-inputValidation-errorBorder': '#be1100',
      '--vscode-inputValidation-infoBackground': '#d6ecf2',
      '--vscode-inputValidation-infoBorder': '#007acc',
      '--vscode-charts-foreground': '#3b3b3b',
      '--vscode-charts-lines': 'rgba(59, 59, 59, 0.5)',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
      '--vscode-editorHoverWidget-background': '#f8f8f8',
      '--vscode-editorHoverWidget-foreground': '#3b3b3b',
      '--vscode-editorHoverWidget-border': '#c8c8c8',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-font-weight': 'normal',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffffb3',
      '--vscode-editor-background': '#000000',
      '--vscode-focusBorder': '#f38518',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-dropdown-background': '#000000',
      '--vscode-dropdown-foreground': '#ffffff',
      '--vscode-dropdown-border': '#6fc3df',
      '--vscode-input-background': '#000000',
      '--vscode-badge-background': '#000000',
      '--vscode-badge-foreground': '#ffffff',
      '--vscode-progressBar-background': '#6fc3df',
      '--vscode-inputValidation-errorBackground': '#000000',
      '--vscode-inputValidation-errorBorder': '#6fc3df',
      '--vscode-charts-foreground': '#ffffff',
      '--vscode-charts-lines': 'rgba(255, 255, 255, 0.5)',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
      '--vscode-editorHoverWidget-background': '#0c141f',
      '--vscode-editorHoverWidget-foreground': '#ffffff',
      '--vscode-editorHoverWidget-border': '#6fc3df',
    },
  },
};

const NONCE = 'c21va2V0ZXN0bm9uY2U';

/** The page exactly as the host should serve it, plus a nonce'd stand-in for acquireVsCodeApi. */
function html(origin, theme) {
  const csp = `default-src 'none'; style-src ${origin}; font-src ${origin}; script-src 'nonce-${NONCE}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${origin}/dist/webview.css">
<title>DAX Explain</title>
</head>
<body class="${theme.bodyClass}">
<div id="app"></div>
<script nonce="${NONCE}">
  for (const [k, v] of ${JSON.stringify(Object.entries(theme.vars))}) document.documentElement.style.setProperty(k, v);
  window.__posted = []; window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let saved;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved, setState: (s) => { saved = s; } });
</script>
<script nonce="${NONCE}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

async function examplePixels() {
  const reportFile = path.join(root, 'dax-out/example/stationery-sign.dax.json');
  const report = upgradeReport(JSON.parse(readFileSync(reportFile, 'utf8')));
  const image = await sharp(path.join(root, 'examples/stationery-sign.jpg'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const saliency = await sharp(path.join(root, 'dax-out/example/stationery-sign.saliency.png'))
    .extractChannel(0)
    .resize(image.info.width, image.info.height)
    .raw()
    .toBuffer();
  return {
    report,
    display: { width: image.info.width, height: image.info.height, rgb: [...image.data], saliency: [...saliency] },
  };
}

const { report, display } = await examplePixels();
/** A comparison of the four methods on the example: the real map and three variants of it, with made-up curves. */
function exampleComparisonOf(report, display) {
  const { width, height, saliency } = display;
  const variants = {
    dax: saliency,
    rise: saliency.map((_, i) => saliency[(i + Math.floor(width / 8)) % saliency.length]),
    lime: saliency.map((_, i) => {
      const x = i % width,
        y = Math.floor(i / width);
      return saliency[Math.min(height - 1, y - (y % 24) + 12) * width + Math.min(width - 1, x - (x % 24) + 12)];
    }),
    occlusion: saliency.map((v) => Math.round(v * 0.6)),
  };
  const fractions = Array.from({ length: 33 }, (_, k) => k / 32);
  const methods = Object.entries(variants).map(([method, map], i) => {
    const fall = 4 + 3 * (3 - i);
    return {
      method,
      saliency: map,
      fractions,
      deletionCurve: fractions.map((f) => report.target.probability * Math.exp(-fall * f)),
      insertionCurve: fractions.map((f) => report.target.probability * (1 - Math.exp(-fall * f))),
    };
  });
  const rows = methods.map((m, i) => ({
    method: m.method,
    queries: 500,
    totalMs: 1000 * (i + 1),
    deletionAuc: m.deletionCurve.reduce((a, b) => a + b, 0) / 33,
    insertionAuc: m.insertionCurve.reduce((a, b) => a + b, 0) / 33,
  }));
  return {
    comparison: {
      schema: 1,
      input: report.input,
      model: report.model,
      target: report.target,
      budget: 500,
      seed: 0,
      substrate: 'blur',
      steps: 32,
      backend: 'cpu',
      rows,
    },
    detail: { width, height, rgb: display.rgb, methods },
  };
}

const { comparison: exampleComparison, detail: exampleDetail } = exampleComparisonOf(report, display);
const summary = (key, finishedAt, cached = false, method = 'dax') => ({
  key,
  inputName: 'stationery-sign.jpg',
  modelName: report.model.name,
  method,
  targetLabel: report.target.label,
  probability: report.target.probability,
  finishedAt,
  cached,
});

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://x');
  if (url.pathname.startsWith('/dist/')) {
    const file = path.join(root, url.pathname);
    if (!existsSync(file)) return response.writeHead(404).end();
    response
      .writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' })
      .end(readFileSync(file));
    return;
  }
  const theme = THEMES[url.searchParams.get('theme') ?? 'dark'];
  response
    .writeHead(200, { 'content-type': 'text/html' })
    .end(html(`http://127.0.0.1:${server.address().port}`, theme));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
let failures = 0;
try {
  for (const [name] of Object.entries(THEMES)) {
    for (const width of [380, 1000]) {
      const page = await browser.newPage({ viewport: { width, height: 1500 } });
      const errors = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${origin}/?theme=${name}`);
      const post = (message) => page.evaluate((m) => window.postMessage(m, '*'), message);
      const posted = await page.evaluate(() => window.__posted);
      if (posted[0]?.type !== 'panel/readyCommand') errors.push(`first message was ${JSON.stringify(posted[0])}`);

      // A run in progress with live losses, over an earlier result.
      const history = [summary('k1', Date.now() - 60_000), summary('k0', Date.now() - 3_600_000, true, 'rise')];
      await post({
        type: 'panel/didChangeState',
        history,
        current: { summary: history[0], report, display },
        active: {
          inputName: 'stationery-sign.jpg',
          modelName: report.model.name,
          method: 'dax',
          phase: 'training',
          queued: 1,
        },
      });
      let seq = 0;
      await post({
        type: 'panel/didProgress',
        seq: ++seq,
        progress: { type: 'phase', phase: 'training', message: 'training the mask and student networks at 96x24' },
      });
      const { training } = report;
      for (const row of training.losses.slice(0, 120)) {
        const { step, epoch, ...losses } = row;
        await post({
          type: 'panel/didProgress',
          seq: ++seq,
          progress: { type: 'step', step, epoch, epochs: training.epochs, stepsPerEpoch: 29, losses },
        });
        if (step % 29 === 0) {
          const v = training.validation[epoch - 1];
          await post({
            type: 'panel/didProgress',
            seq: ++seq,
            progress: {
              type: 'epoch',
              epoch,
              epochs: training.epochs,
              validation: v.validation,
              maskChange: v.maskChange,
            },
          });
        }
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(outDir, `${name}-${width}-running.png`), fullPage: true });

      // Finished, with an error banner from a later cancelled run; the threshold and view changed by the user.
      await post({
        type: 'panel/didChangeState',
        history,
        current: { summary: history[0], report, display },
        error: { kind: 'cancelled', message: 'cancelled by the user' },
      });
      await page.fill('#threshold', '20');
      await page.dispatchEvent('#threshold', 'input');
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(outDir, `${name}-${width}-result.png`), fullPage: true });

      // Keyboard: Tab through every control and record what gets focus.
      const order = [];
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        order.push(
          await page.evaluate(() => {
            const e = document.activeElement;
            return e
              ? `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.getAttribute('aria-label') ? `[${e.getAttribute('aria-label')}]` : ''}${e.textContent && e.tagName === 'BUTTON' && !e.getAttribute('aria-label') ? `(${e.textContent.trim().slice(0, 30)})` : ''}`
              : 'none';
          }),
        );
      }
      await page.keyboard.press('Shift+Tab');
      const focusShot = path.join(outDir, `${name}-${width}-focus.png`);
      await page.screenshot({ path: focusShot, fullPage: true });

      // Clicking a class and a history entry posts the right commands.
      await page.click('.class-button:not([aria-current])');
      await page.click('.history-entry >> nth=1');
      const commands = (await page.evaluate(() => window.__posted)).map((m) => JSON.stringify(m));

      // A comparison with its maps and curves (arrays as plain arrays, as a JSON transport would deliver them); sent
      // twice, since every snapshot brings fresh objects and the second must not rebuild what the first drew.
      const comparisonSnapshot = {
        type: 'panel/didChangeState',
        history,
        current: { summary: history[0], report, display },
        comparison: exampleComparison,
        comparisonDetail: exampleDetail,
      };
      await post(comparisonSnapshot);
      await page.waitForTimeout(300);
      await page.evaluate(() => {
        window.__firstMap = document.querySelector('.map-canvas');
      });
      await post(comparisonSnapshot);
      await page.waitForTimeout(200);
      const drawn = await page.evaluate(() => ({
        maps: document.querySelectorAll('.comparison-maps .map-canvas:not([hidden])').length,
        charts: [...document.querySelectorAll('.curve-chart canvas')].filter((c) => c.width > 0 && c.height > 0).length,
        legend: [...document.querySelectorAll('.curve-legend-item')].map((e) => e.textContent),
        kept: window.__firstMap === document.querySelector('.map-canvas'),
      }));
      if (drawn.maps !== 4 || drawn.charts !== 2 || drawn.legend.join() !== 'DAX,RISE,LIME,Occlusion' || !drawn.kept)
        errors.push(`comparison drawn as ${JSON.stringify(drawn)}`);
      await page.locator('.comparison').screenshot({ path: path.join(outDir, `${name}-${width}-comparison.png`) });
      // The maps follow the result view's colormap.
      await page.selectOption('#colormap', 'greys');
      await page.waitForTimeout(200);
      const hint = await page.textContent('.comparison-maps-section .hint');
      if (!hint.includes('Greys')) errors.push(`the maps did not follow the colormap: ${hint}`);
      const violations = await page.evaluate(() => window.__violations);
      const saved = await page.evaluate(() => window.acquireVsCodeApi().getState());
      const ok = errors.length === 0 && violations.length === 0;
      if (!ok) failures++;
      console.log(`${name} ${width}px: ${ok ? 'ok' : 'FAILED'}`);
      if (errors.length) console.log('  errors:', errors);
      if (violations.length) console.log('  CSP violations:', violations);
      if (width === 380 && name === 'dark') {
        console.log('  commands:', commands.join(' '));
        console.log('  saved state:', JSON.stringify(saved));
        console.log('  tab order:', order.join(' → '));
      }
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${outDir}`);
process.exit(failures ? 1 : 0);
