// Loads the built panel in headless Chromium under the CSP panelHtml.ts serves and shows a synthetic FOLDER batch
// (Explain Folder with DAX): running (progress bar, Cancel, a running row), then finished with explained, cached,
// failed and cancelled rows. Checks the table's rows and error text, sorting from the keyboard, that Enter on a row
// with a result posts panel/selectRunCommand with its key and that rows without one are not buttons, and the
// absence of CSP violations and console errors. Screenshots per theme. No report files needed.
//
// Usage: node scripts/build.mjs && node webview-ui/test/ui/folderSmoke.mjs [outDir]
// Env: DAX_CHROMIUM (default /usr/bin/chromium), DAX_DIST (default dist/).
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, '.vscode-test/panel-folder-smoke'));
const dist = path.resolve(process.env.DAX_DIST ?? path.join(root, 'dist'));
const chromiumPath = process.env.DAX_CHROMIUM ?? '/usr/bin/chromium';
mkdirSync(outDir, { recursive: true });

const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#cccccc',
      '--vscode-editor-foreground': '#cccccc',
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
      '--vscode-charts-foreground': '#cccccc',
      '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-editor-foreground': '#3b3b3b',
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
      '--vscode-charts-foreground': '#3b3b3b',
      '--vscode-charts-lines': 'rgba(59, 59, 59, 0.5)',
      '--vscode-charts-red': '#e51400',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
    },
  },
  'high-contrast': {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, sans-serif',
      '--vscode-font-size': '13px',
      '--vscode-editor-font-family': 'monospace',
      '--vscode-foreground': '#ffffff',
      '--vscode-editor-foreground': '#ffffff',
      '--vscode-descriptionForeground': '#ffffffb3',
      '--vscode-editor-background': '#000000',
      '--vscode-focusBorder': '#f38518',
      '--vscode-contrastBorder': '#6fc3df',
      '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-widget-border': '#6fc3df',
      '--vscode-button-background': '#000000',
      '--vscode-button-foreground': '#ffffff',
      '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryBackground': '#000000',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-charts-foreground': '#ffffff',
      '--vscode-charts-lines': 'rgba(255, 255, 255, 0.5)',
      '--vscode-charts-red': '#f14c4c',
      '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185',
      '--vscode-charts-purple': '#b180d7',
    },
  },
};

const NONCE = 'Zm9sZGVyc21va2V0ZXN0';

/** The page as src/extension/panel/panelHtml.ts serves it (same CSP), plus a nonce'd stand-in for acquireVsCodeApi. */
function html(origin, theme) {
  const csp = [
    `default-src 'none'`,
    `img-src ${origin} data: blob:`,
    `style-src ${origin} 'nonce-${NONCE}'`,
    `font-src ${origin}`,
    `script-src 'nonce-${NONCE}'`,
  ].join('; ');
  const vars = JSON.stringify(Object.entries(theme.vars));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" nonce="${NONCE}" href="${origin}/dist/webview.css">
</head>
<body class="${theme.bodyClass}">
<div id="app"></div>
<script nonce="${NONCE}">
  for (const [k, v] of ${vars}) document.documentElement.style.setProperty(k, v);
  window.__posted = []; window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let saved;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => saved, setState: (s) => { saved = s; } });
</script>
<script nonce="${NONCE}" src="${origin}/dist/webview.js"></script>
</body>
</html>`;
}

const row = (file, status, extra = {}) => {
  const result =
    status === 'ok' || status === 'cached'
      ? {
          key: `key-${file}`,
          classLabel: file.endsWith('.wav') ? 'speech' : '0',
          probability: 0.5 + file.length / 100,
          queries: 500,
          seconds: 2 + file.length / 10,
        }
      : {};
  return { file, status, ...result, ...extra };
};
const FILES = [
  'a-sign.jpg',
  'b-long-name-of-a-photo-taken-on-a-trip.jpeg',
  'broken.png',
  'open-the-door.wav',
  'sub/c.png',
  'sub/d.webp',
];
const running = {
  id: 1,
  folder: 'photos',
  folderPath: '/home/user/photos',
  state: 'running',
  done: 3,
  total: FILES.length,
  rows: [
    row(FILES[0], 'ok'),
    row(FILES[1], 'cached'),
    row(FILES[2], 'failed', {
      error: '/home/user/photos/broken.png: cannot decode the image (Input buffer contains unsupported image format).',
    }),
    row(FILES[3], 'running'),
    row(FILES[4], 'pending'),
    row(FILES[5], 'pending'),
  ],
};
const finished = {
  ...running,
  state: 'cancelled',
  done: FILES.length,
  rows: [...running.rows.slice(0, 3), row(FILES[3], 'ok'), row(FILES[4], 'cancelled'), row(FILES[5], 'cancelled')],
};

const server = http.createServer((request, response) => {
  const url = new URL(request.url, 'http://x');
  if (url.pathname.startsWith('/dist/')) {
    const file = path.join(dist, url.pathname.slice('/dist/'.length));
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
  for (const name of Object.keys(THEMES)) {
    for (const width of [380, 900]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${origin}/?theme=${name}`);
      const post = (message) => page.evaluate((m) => window.postMessage(m, '*'), message);
      const check = (condition, what) => condition || errors.push(what);

      await post({ type: 'panel/didChangeState', history: [], folder: running });
      await page.waitForTimeout(200);
      const live = await page.evaluate(() => ({
        title: document.querySelector('#folder-heading')?.textContent,
        headline: document.querySelector('.folder [role=status]')?.textContent,
        progress: document.querySelector('.folder progress')?.value,
        cancel: !document.querySelector('.folder .actions button')?.hidden,
        rows: [...document.querySelectorAll('.folder-row')].map((tr) =>
          [...tr.children].map((cell) => cell.textContent.trim()),
        ),
        buttons: [...document.querySelectorAll('.folder-open')].map((b) => b.getAttribute('aria-label')),
        error: document.querySelector('.folder-error')?.textContent,
      }));
      check(live.title === 'Folder photos', `title ${live.title}`);
      check(live.headline === '3 of 6 files done: 1 explained, 1 from cache, 1 failed', `headline ${live.headline}`);
      check(live.progress === 3 && live.cancel, `progress ${live.progress}, cancel ${live.cancel}`);
      check(
        live.rows.length === 6 && live.rows[3][1] === 'running…' && live.rows[4][1] === 'waiting',
        `rows ${JSON.stringify(live.rows)}`,
      );
      check(
        live.buttons.length === 2 && live.buttons[0].startsWith('a-sign.jpg, explained'),
        `buttons ${JSON.stringify(live.buttons)}`,
      );
      check(live.error?.includes('cannot decode'), `error ${live.error}`);
      await page.screenshot({ path: path.join(outDir, `${name}-${width}-running.png`), fullPage: true });

      // Cancel posts the cancel command.
      await page.click('.folder .actions button');
      // Finished (cancelled): no progress, no Cancel; Enter on a row opens its result.
      await post({ type: 'panel/didChangeState', history: [], folder: finished });
      await page.waitForTimeout(200);
      check(
        await page.evaluate(
          () =>
            document.querySelector('.folder progress').hidden &&
            document.querySelector('.folder .actions button').hidden,
        ),
        'progress and Cancel hidden when finished',
      );
      const headline = await page.textContent('.folder [role=status]');
      check(
        headline === 'Cancelled after 4 of 6 files: 2 explained, 1 from cache, 1 failed, 2 cancelled',
        `headline ${headline}`,
      );
      await page.focus('.folder-open >> nth=2');
      await page.keyboard.press('Enter');
      // Sort by probability from the keyboard (descending first), then by status.
      const sortButton = async (label) => page.focus(`.sort-button:text-is("${label}")`);
      await sortButton('Probability');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(100);
      const byProbability = await page.evaluate(() =>
        [...document.querySelectorAll('.folder-row th')].map((th) =>
          th.textContent.replace(/^♪ /, '').replace(/shown$/, ''),
        ),
      );
      const sortState = await page.evaluate(() =>
        [...document.querySelectorAll('.folder-table thead th')].map((th) => th.getAttribute('aria-sort')),
      );
      check(
        byProbability.slice(0, 3).join() === [FILES[1], FILES[3], FILES[0]].join() && sortState[3] === 'descending',
        `by probability ${byProbability} ${sortState}`,
      );
      check(
        await page.evaluate(() => document.activeElement?.classList.contains('sort-button')),
        'focus stays on the sort button',
      );
      // The shown result is marked.
      await post({ type: 'panel/didChangeState', history: [], folder: finished, current: undefined });
      const posted = await page.evaluate(() => window.__posted.map((m) => JSON.stringify(m)));
      check(posted.includes(JSON.stringify({ type: 'panel/cancelCommand' })), 'Cancel posted panel/cancelCommand');
      check(
        posted.some((m) => m === JSON.stringify({ type: 'panel/selectRunCommand', key: `key-${FILES[3]}` })),
        `Enter on a row posts its key: ${posted.join(' ')}`,
      );
      await page.screenshot({ path: path.join(outDir, `${name}-${width}-finished.png`), fullPage: true });
      const violations = await page.evaluate(() => window.__violations);
      const ok = errors.length === 0 && violations.length === 0;
      if (!ok) failures++;
      console.log(`${name} ${width}px: ${ok ? 'ok' : 'FAILED'}`);
      if (errors.length) console.log('  errors:', errors);
      if (violations.length) console.log('  CSP violations:', violations);
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots in ${outDir}`);
process.exit(failures ? 1 : 0);
