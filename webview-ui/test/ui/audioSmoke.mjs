// Loads the built panel in headless Chromium under the CSP panelHtml.ts serves, shows a synthetic AUDIO result
// (a 2 s sound at 16 kHz: a spectrogram picture, a map, the three sounds, intervals and a ground truth), then
// plays it with the keyboard and checks the play buttons, the cursor, the axes and the facts; then an image result,
// to check that none of the audio parts show for it. Screenshots per theme. No report files needed.
//
// Usage: node scripts/build.mjs && node webview-ui/test/ui/audioSmoke.mjs [outDir]
// Env: DAX_CHROMIUM (default /usr/bin/chromium), DAX_DIST (default dist/).
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, '.vscode-test/panel-audio-smoke'));
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

const NONCE = 'YXVkaW9zbW9rZXRlc3Q';

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

/** Builds the audio snapshot in the page (typed arrays, as VS Code's postMessage delivers them) and posts it. */
function postAudioResult(asJson) {
  const sampleRate = 16000;
  const duration = 2;
  const n = sampleRate * duration;
  const hop = 128;
  const frameSeconds = hop / sampleRate;
  const frames = 1 + Math.floor(n / hop);
  const burst = (t) => (t >= 0.6 && t < 1.1 ? 1 : 0);
  const original = new Float32Array(n);
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    original[i] =
      0.05 * Math.sin(2 * Math.PI * 220 * t) + 0.4 * burst(t) * Math.sin(2 * Math.PI * (800 + 1200 * (t - 0.6)) * t);
    mask[i] = burst(t);
  }
  const kept = original.map((v, i) => v * mask[i]);
  const removed = original.map((v, i) => v * (1 - mask[i]));
  const width = Math.min(1024, Math.max(512, frames));
  const height = 256;
  const rgb = new Uint8Array(width * height * 3);
  const saliency = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = ((x + 0.5) / width) * frames * frameSeconds - frameSeconds / 2;
      const row = 1 - y / height;
      const energy =
        0.15 +
        0.2 * Math.exp(-row * 6) +
        (burst(t) ? 0.7 * Math.exp(-(((row - 0.45 - 0.2 * (t - 0.6)) / 0.05) ** 2)) : 0);
      const v = Math.round(255 * Math.min(1, energy));
      rgb.fill(v, 3 * (y * width + x), 3 * (y * width + x) + 3);
      saliency[y * width + x] = Math.round(255 * Math.max(0, Math.min(1, burst(t) * (1 - Math.abs(row - 0.5) * 1.5))));
    }
  }
  const timeSaliency = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const t = f * frameSeconds;
    timeSaliency[f] = Math.min(1, burst(t) * 0.9 + 0.1 * Math.exp(-(((t - 1.6) / 0.05) ** 2)) + 0.03);
  }
  timeSaliency[frames - 1] = 0.02;
  let peak = 0;
  for (const v of timeSaliency) peak = Math.max(peak, v);
  for (let f = 0; f < frames; f++) timeSaliency[f] /= peak;
  const intervals = [
    { start: 0.6, end: 1.1 },
    { start: 1.55, end: 1.65 },
  ];
  const truth = { start: 0.55, end: 1.0 };
  const report = {
    schema: 2,
    method: 'dax',
    input: { file: '/tmp/siren.wav', width: frames, height: 64 },
    model: { name: 'speech-commands', kind: 'onnx', path: '/tmp/m.onnx', description: '' },
    target: { index: 3, label: 'siren', probability: 0.82 },
    top: [
      { index: 3, label: 'siren', probability: 0.82 },
      { index: 1, label: 'speech', probability: 0.1 },
    ],
    queries: 1000,
    timing: { totalMs: 5000, loadMs: 100, queryMs: 2000, modelMs: 1800, finishMs: 100 },
    backend: { name: 'cpu', notes: [] },
    workingSize: { width: frames, height: 64 },
    maskGrid: { width: 32, height: 16 },
    segments: 512,
    training: {
      steps: 300,
      epochs: 3,
      stoppedEarly: false,
      ms: 2800,
      losses: Array.from({ length: 30 }, (_, i) => ({
        step: (i + 1) * 10,
        epoch: 1 + Math.floor(i / 10),
        total: 1 / (i + 1),
        distillation: 0.5 / (i + 1),
        l1: 0.1,
        kl: 0.05,
      })),
      validation: [],
    },
    config: {},
    preset: 'fast',
    seed: 0,
    versions: {},
    audio: {
      sampleRate,
      durationSeconds: duration,
      spectrogram: { rows: 64, frames, scale: 'mel', fftSize: 512, hop, lowHz: 0, highHz: 8000 },
      frameSeconds,
      timeSaliency: Array.from(timeSaliency),
      intervals: [
        { ...intervals[0], mass: 0.45 },
        { ...intervals[1], mass: 0.02 },
      ],
      groundTruth: { ...truth, timeIou: 0.4 / 0.55 },
    },
  };
  const audio = {
    sampleRate,
    original,
    kept,
    removed,
    durationSeconds: duration,
    timeSaliency,
    frameSeconds,
    intervals,
    truth,
    lowHz: 0,
    highHz: 8000,
    scale: 'mel',
  };
  const summary = {
    key: 'a1',
    inputName: 'siren.wav',
    modelName: 'speech-commands',
    method: 'dax',
    targetLabel: 'siren',
    probability: 0.82,
    finishedAt: Date.now(),
    cached: false,
  };
  const image = {
    key: 'i1',
    inputName: 'cat.png',
    modelName: 'resnet',
    method: 'rise',
    targetLabel: 'cat',
    probability: 0.7,
    finishedAt: Date.now() - 60_000,
    cached: true,
  };
  let message = {
    type: 'panel/didChangeState',
    history: [summary, image],
    current: { summary, report, display: { width, height, rgb, saliency, audio } },
  };
  if (asJson) message = JSON.parse(JSON.stringify(message));
  window.postMessage(message, '*');
}

function postImageResult() {
  const width = 300;
  const height = 200;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 7) % 256);
  const saliency = new Uint8Array(width * height).map((_, i) => (i % width) % 256);
  const summary = {
    key: 'i1',
    inputName: 'cat.png',
    modelName: 'resnet',
    method: 'rise',
    targetLabel: 'cat',
    probability: 0.7,
    finishedAt: Date.now() - 60_000,
    cached: true,
  };
  const report = {
    schema: 2,
    method: 'rise',
    input: { file: '/tmp/cat.png', width, height },
    model: { name: 'resnet', kind: 'onnx', path: '/tmp/m.onnx', description: '' },
    target: { index: 0, label: 'cat', probability: 0.7 },
    top: [{ index: 0, label: 'cat', probability: 0.7 }],
    queries: 500,
    timing: { totalMs: 1000, loadMs: 10, queryMs: 900, modelMs: 800, finishMs: 10 },
    backend: { name: 'cpu', notes: [] },
    workingSize: { width, height },
    maskGrid: { width: 8, height: 8 },
    segments: 64,
    config: {},
    preset: 'fast',
    seed: 0,
    versions: {},
  };
  window.postMessage(
    {
      type: 'panel/didChangeState',
      history: [summary],
      current: { summary, report, display: { width, height, rgb, saliency } },
    },
    '*',
  );
}

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

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
});
let failures = 0;
try {
  for (const name of Object.keys(THEMES)) {
    for (const width of [380, 1000]) {
      const page = await browser.newPage({ viewport: { width, height: 1400 } });
      const errors = [];
      page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${origin}/?theme=${name}`);
      // The JSON path on one page, typed arrays on the others.
      await page.evaluate(postAudioResult, name === 'light');
      await page.waitForTimeout(300);

      const layout = await page.evaluate(() => {
        const box = (selector) => {
          const r = document.querySelector(selector)?.getBoundingClientRect();
          return r ? { left: r.left, right: r.right, width: r.width, height: r.height } : undefined;
        };
        return {
          audio: document.querySelector('.overlay-view').classList.contains('is-audio'),
          spectrogram: box('.image-canvas'),
          curve: box('.curve-canvas'),
          timeTicks: [...document.querySelectorAll('.time-tick')].map((e) => e.textContent),
          frequencyTicks: [...document.querySelectorAll('.frequency-axis .frequency-tick')].map((e) => e.textContent),
          legend: [...document.querySelectorAll('.audio-legend .curve-legend-item')].map((e) => e.textContent),
          facts: [...document.querySelectorAll('.facts-list dt')]
            .map((dt) => `${dt.textContent}: ${dt.nextElementSibling.textContent}`)
            .filter((f) => /interval|IoU|Sound/.test(f)),
          buttons: [...document.querySelectorAll('.audio-player button')].map(
            (b) =>
              `${b.getAttribute('aria-label')}[${b.getAttribute('aria-pressed') ?? b.getAttribute('aria-disabled')}]`,
          ),
          historyAudio: document.querySelectorAll('.history-audio').length,
          caption: document.querySelector('.image-caption').textContent,
        };
      });
      if (!layout.audio) errors.push('not shown as audio');
      if (
        !layout.spectrogram ||
        !layout.curve ||
        Math.abs(layout.spectrogram.left - layout.curve.left) > 0.5 ||
        Math.abs(layout.spectrogram.right - layout.curve.right) > 0.5
      )
        errors.push(
          `the curve is not aligned with the spectrogram: ${JSON.stringify([layout.spectrogram, layout.curve])}`,
        );
      if (layout.timeTicks.length < 2 || layout.frequencyTicks.length < 2)
        errors.push(`axes: ${JSON.stringify(layout)}`);
      if (
        !layout.facts.some((f) => f.startsWith('Top interval: 0.60–1.10 s')) ||
        !layout.facts.some((f) => f.startsWith('Time IoU: 0.7273'))
      )
        errors.push(`facts: ${layout.facts}`);
      if (layout.historyAudio !== 1) errors.push(`history audio markers: ${layout.historyAudio}`);
      await page.screenshot({ path: path.join(outDir, `${name}-${width}-audio.png`), fullPage: true });

      // Keyboard: focus "Play kept", press Space; the cursor moves; Enter on "Play removed" switches; Escape stops.
      await page.focus('.audio-player button:nth-child(2)');
      await page.keyboard.press('Space');
      await page.waitForTimeout(400);
      const playing = await page.evaluate(() => ({
        pressed: [...document.querySelectorAll('.play-button')].map((b) => b.getAttribute('aria-pressed')),
        cursor: [...document.querySelectorAll('.play-cursor')].map((c) => (c.hidden ? 'hidden' : c.style.left)),
        status: document.querySelector('.audio-status').textContent,
      }));
      await page.locator('.overlay-view').screenshot({ path: path.join(outDir, `${name}-${width}-playing.png`) });
      await page.waitForTimeout(300);
      const later = await page.evaluate(() =>
        [...document.querySelectorAll('.play-cursor')].map((c) => (c.hidden ? 'hidden' : c.style.left)),
      );
      if (playing.pressed.join() !== 'false,true,false') errors.push(`pressed after Space: ${playing.pressed}`);
      if (playing.cursor.includes('hidden') || playing.cursor[0] !== playing.cursor[1])
        errors.push(`cursor while playing: ${playing.cursor}`);
      if (!(parseFloat(later[0]) > parseFloat(playing.cursor[0])))
        errors.push(`the cursor did not move: ${playing.cursor[0]} → ${later[0]}`);
      await page.focus('.audio-player button:nth-child(3)');
      await page.keyboard.press('Enter');
      const switched = await page.evaluate(() =>
        [...document.querySelectorAll('.play-button')].map((b) => b.getAttribute('aria-pressed')).join(),
      );
      if (switched !== 'false,false,true') errors.push(`pressed after Enter on removed: ${switched}`);
      await page.keyboard.press('Escape');
      const stopped = await page.evaluate(() => ({
        pressed: [...document.querySelectorAll('.play-button')].map((b) => b.getAttribute('aria-pressed')).join(),
        cursor: [...document.querySelectorAll('.play-cursor')].every((c) => c.hidden),
        status: document.querySelector('.audio-status').textContent,
        focus: document.activeElement?.getAttribute('aria-label'),
      }));
      if (stopped.pressed !== 'false,false,false' || !stopped.cursor || stopped.focus !== 'Play removed')
        errors.push(`after Escape: ${JSON.stringify(stopped)}`);

      // A click on the curve at 3/4 of its width plays from about 1.5 s; the original sound plays to its end.
      const curve = await page.locator('.curve-canvas').boundingBox();
      await page.mouse.click(curve.x + curve.width * 0.75, curve.y + curve.height / 2);
      await page.waitForTimeout(100);
      const seek = await page.evaluate(() => ({
        status: document.querySelector('.audio-status').textContent,
        left: document.querySelector('.play-cursor').style.left,
      }));
      if (!/from 1\.[45]\d s/.test(seek.status)) errors.push(`seek: ${JSON.stringify(seek)}`);
      await page.waitForTimeout(900);
      const ended = await page.evaluate(() => ({
        status: document.querySelector('.audio-status').textContent,
        hidden: [...document.querySelectorAll('.play-cursor')].every((c) => c.hidden),
      }));
      if (!ended.hidden || !/^Finished/.test(ended.status)) errors.push(`end: ${JSON.stringify(ended)}`);

      // Tab order through the audio controls.
      await page.focus('#threshold');
      const order = [];
      for (let i = 0; i < 5; i++) {
        await page.keyboard.press('Tab');
        order.push(
          await page.evaluate(
            () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName,
          ),
        );
      }

      // An image result: none of the audio parts show.
      await page.evaluate(postImageResult);
      await page.waitForTimeout(300);
      const image = await page.evaluate(() => ({
        audio: document.querySelector('.overlay-view').classList.contains('is-audio'),
        visible: ['.frequency-axis', '.time-axis', '.curve-box', '.audio-player', '.audio-legend-box'].filter(
          (s) => document.querySelector(s).offsetParent !== null,
        ),
        canvas: (() => {
          const r = document.querySelector('.image-canvas').getBoundingClientRect();
          return [r.width, r.height];
        })(),
      }));
      if (image.audio || image.visible.length > 0)
        errors.push(`image result shows audio parts: ${JSON.stringify(image)}`);
      await page.locator('.overlay-view').screenshot({ path: path.join(outDir, `${name}-${width}-image.png`) });

      const violations = await page.evaluate(() => window.__violations);
      const ok = errors.length === 0 && violations.length === 0;
      if (!ok) failures++;
      console.log(`${name} ${width}px: ${ok ? 'ok' : 'FAILED'}`);
      if (errors.length) console.log('  errors:', errors);
      if (violations.length) console.log('  CSP violations:', violations);
      if (name === 'dark' && width === 380) {
        console.log('  layout:', JSON.stringify({ ...layout, spectrogram: undefined, curve: undefined }));
        console.log('  playing:', JSON.stringify(playing), 'then', later.join());
        console.log('  tab order after the threshold:', order.join(' → '));
        console.log('  image canvas:', image.canvas.join('×'));
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
