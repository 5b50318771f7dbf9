// `npm run test:ui`: the extension as a user meets it, in a real VS Code workbench (code-server) in headless Chromium.
// Opens the test workspace, right-clicks stationery-sign.jpg in the explorer, chooses "Explain with DAX", waits
// for the DAX Explain panel to show the finished result, and checks what the panel drew: the overlay's pixels
// differ clearly from the plain image's, and the loss chart has points. Then the export dialog, axe in three themes,
// the walkthrough, Compare Methods, a window reload (the result comes back), and the same workspace reopened in
// Restricted Mode (Explain refuses, saying why and what to do). Screenshots (the whole window, the panel, the overlay
// and original canvases) go to .vscode-test/artifacts/ui/.
//
// Env: DAX_UI_TIMEOUT (seconds, default 300), DAX_CHROMIUM, DAX_VSCODE_CACHE, DAX_VSCODE_KEEP=1 (keep the
// temporary workspace and profile). Exit code 0 when every check passed, 1 otherwise.
import type { ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import sharp from 'sharp';
import { launchChromium, missingChromium } from '../../scripts/vscode/chromium.mjs';
import {
  DEFAULT_USER_SETTINGS,
  extensionHostEvent,
  freePort,
  installedCodeServer,
  killCodeServerNow,
  linkExtension,
  privateDir,
  spawnCodeServer,
  stopCodeServer,
  waitHealthy,
  withTimeout,
  workbenchUrl,
} from '../../scripts/vscode/codeServer.mjs';
import { buildStep, installCodeServerStep } from '../../scripts/vscode/steps.mjs';
import { EXAMPLE_IMAGE, makeWorkspace, ROOT } from '../../scripts/vscode/workspace.mjs';

const TAG = '[ui]';
const ARTIFACTS = path.join(ROOT, '.vscode-test', 'artifacts', 'ui');
const TIMEOUT_MS = positiveSeconds('DAX_UI_TIMEOUT', 300) * 1000;
/** Small settings: the behaviour under test is the UI, not the map. */
const WORKSPACE_SETTINGS = { 'dax.samples': 120, 'dax.epochs': 3 };
const MENU_ITEM = 'Explain with DAX';
/** The overlay must differ from the plain image by at least this much, on average over pixels and channels (0..255). */
const MIN_MEAN_DIFFERENCE = 8;
/** ...and in at least this share of the pixels (by more than PIXEL_CHANGED in some channel). */
const MIN_CHANGED_SHARE = 0.25;
const PIXEL_CHANGED = 8;
/** The loss curves are drawn in the theme's chart colours; axes, grid and labels are grey. Coloured pixels needed: */
const MIN_CURVE_PIXELS = 150;

const started = Date.now();
const seconds = (): string => ((Date.now() - started) / 1000).toFixed(1);
const say = (message: string): void => console.log(`${TAG} ${message} (${seconds()} s)`);

class CheckFailed extends Error {}

/** The little of the DOM that the functions run inside the webview use (this project's `lib` has no DOM types). */
interface PageElement {
  readonly textContent: string | null;
  readonly hidden: boolean;
  readonly checked?: boolean;
  closest(selector: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
}
interface PageCanvas extends PageElement {
  readonly width: number;
  readonly height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } | null;
  toDataURL(type: string): string;
}
declare const document: {
  readonly title: string;
  readonly body: { readonly innerText: string; readonly classList: { contains(name: string): boolean } };
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { readonly length: number };
};

declare const window: object;

interface Run {
  tmp?: string;
  extensionLink?: string;
  server?: ChildProcess;
  browser?: Browser;
  page?: Page;
  serverLog?: WriteStream;
  browserLog?: WriteStream;
  screenshots: string[];
}

const run: Run = { screenshots: [] };
let finishing = false;

async function main(): Promise<void> {
  installCodeServerStep();
  buildStep();
  installedCodeServer();
  const noChromium = missingChromium();
  if (noChromium) throw noChromium;

  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  run.serverLog = createWriteStream(path.join(ARTIFACTS, 'code-server.log'));
  run.browserLog = createWriteStream(path.join(ARTIFACTS, 'browser.log'));
  run.tmp = mkdtempSync(path.join(os.tmpdir(), 'dax-ui-test-'));
  const workspace = makeWorkspace(path.join(run.tmp, 'workspace'), WORKSPACE_SETTINGS);

  // The clone installed as a user's extension (a link in a fresh extensions folder): a normal window, no test payload.
  const extensionsDir = privateDir(run.tmp, 'extensions');
  run.extensionLink = linkExtension(extensionsDir, ROOT);

  const page = await openWorkbench(workspace, extensionsDir);

  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: EXAMPLE_IMAGE });
  await row.waitFor({ timeout: 60_000 });
  say(`explorer shows ${EXAMPLE_IMAGE}`);
  await chooseFromContextMenu(page, row, MENU_ITEM);
  say(`chose "${MENU_ITEM}"`);

  const panel = await panelFrame(page);
  const where = (frame: Frame | null): string =>
    frame ? `${frame.name() || 'unnamed'} …/${frame.url().split('?')[0]!.split('/static/out/').pop()}` : 'none';
  say(`the DAX Explain panel is open (frame ${where(panel)} in ${where(panel.parentFrame())})`);
  const result = await waitForResult(panel);
  say(`the run finished: "${result.title}" (${result.subtitle})`);
  check(
    !result.subtitle.includes('from cache'),
    `the panel shows a cached result, not a run made by this test: "${result.subtitle}"`,
  );

  await setView(panel, 'overlay');
  const overlay = await readCanvas(panel);
  await saveCanvas(panel, 'overlay-canvas.png');
  await screenshots(page, 'explained');
  await setView(panel, 'original');
  const original = await readCanvas(panel);
  await saveCanvas(panel, 'original-canvas.png');
  const difference = compare(overlay, original);
  say(
    `overlay vs original (${overlay.width}×${overlay.height}): mean difference ${difference.mean.toFixed(1)}, ${(difference.changedShare * 100).toFixed(1)} % of pixels changed`,
  );
  check(
    overlay.width === original.width && overlay.height === original.height,
    `the overlay (${overlay.width}×${overlay.height}) and the original (${original.width}×${original.height}) differ in size`,
  );
  check(overlay.width > 0 && overlay.height > 0, 'the image canvas is empty (0×0)');
  check(
    difference.mean >= MIN_MEAN_DIFFERENCE && difference.changedShare >= MIN_CHANGED_SHARE,
    `the overlay is not drawn: it differs from the plain image by ${difference.mean.toFixed(1)} on average (need ≥ ${MIN_MEAN_DIFFERENCE}) in ${(difference.changedShare * 100).toFixed(1)} % of pixels (need ≥ ${MIN_CHANGED_SHARE * 100} %)`,
  );

  const chart = await readChart(panel);
  say(`loss chart: "${chart.summary}"; ${chart.label}; ${chart.curvePixels} curve pixels`);
  const step = Number(/^Step (\d+) \(epoch \d+\)/.exec(chart.summary)?.[1] ?? 0);
  check(step >= 1, `the loss chart's summary names no training step: "${chart.summary}"`);
  check(
    /over [1-9]\d* training steps/.test(chart.label),
    `the loss chart's canvas says it has no steps: "${chart.label}"`,
  );
  check(
    chart.curvePixels >= MIN_CURVE_PIXELS,
    `the loss chart has no curves drawn: ${chart.curvePixels} coloured pixels (need ≥ ${MIN_CURVE_PIXELS})`,
  );
  // Side by side: the input and the overlay in one picture, twice as wide and a gap.
  await setView(panel, 'side-by-side');
  const side = await readCanvas(panel);
  await screenshots(page, 'side-by-side');
  check(
    side.width === 2 * overlay.width + 8 && side.height === overlay.height,
    `the side-by-side view is ${side.width}×${side.height}, not the input and the overlay (${2 * overlay.width + 8}×${overlay.height})`,
  );
  await setView(panel, 'overlay');

  // Export "View PNG": the map as the panel shows it, through VS Code's save dialog (code-server's, in the page).
  await panel.locator('button', { hasText: 'View PNG' }).click();
  const pathBox = page.locator('.quick-input-widget .quick-input-box input');
  await pathBox.waitFor({ state: 'visible', timeout: 30_000 });
  say(`the save dialog offers "${await pathBox.inputValue()}"`);
  await pathBox.press('Enter');
  const exported = await waitForFile(workspace, (name) => name.endsWith('.view.png'), 30_000);
  const decoded = await sharp(exported).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const saved: Pixels = { width: decoded.info.width, height: decoded.info.height, data: Array.from(decoded.data) };
  const drift = compare(saved, overlay);
  say(
    `exported ${path.basename(exported)} (${saved.width}×${saved.height}): mean difference from the overlay shown ${drift.mean.toFixed(2)}`,
  );
  check(
    saved.width === overlay.width && saved.height === overlay.height && drift.mean < 1,
    `the exported view (${saved.width}×${saved.height}, mean difference ${drift.mean.toFixed(2)}) is not the overlay the panel shows (${overlay.width}×${overlay.height})`,
  );

  await auditThemes(page, panel, workspace);

  // The walkthrough a new user starts from, and Compare Methods from the palette (the workspace's image picked).
  await fromPalette(page, 'DAX: Get Started');
  await page.locator('.gettingStartedContainer').first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForTimeout(1_000);
  await screenshots(page, 'walkthrough');
  say('the walkthrough is open');
  await fromPalette(page, 'DAX: Compare Methods');
  const picker = page.locator('.quick-input-widget .monaco-list-row', { hasText: EXAMPLE_IMAGE }).first();
  await picker.waitFor({ state: 'visible', timeout: 30_000 });
  await picker.click();
  // The walkthrough took the panel's place, so the panel is a new frame when the comparison shows it again.
  await page.waitForTimeout(1_000);
  const comparing = await panelFrame(page);
  const rows = await comparing.waitForFunction(
    () => document.querySelectorAll('.comparison table tbody tr').length,
    undefined,
    { timeout: 180_000 },
  );
  const methods = (await rows.jsonValue()) as number;
  await page.waitForTimeout(500);
  await screenshots(page, 'compare-methods');
  say(`Compare Methods shows ${methods} methods`);
  check(methods === 4, `Compare Methods shows ${methods} rows, not one per method (4)`);

  // A window reload brings the panel back by its serializer, with the last result (from
  // the store; the comparison is not stored) and the view the user chose (the panel's own setState).
  await setView(comparing, 'original');
  say('reloading the window');
  // As a user would: the command shuts the window down in order (its webviews' state saved), unlike a page reload.
  await fromPalette(page, 'Developer: Reload Window');
  await page.waitForEvent('load', { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The walkthrough may come back in front; a webview is built only when its tab is shown.
  await page.locator('.tab', { hasText: 'DAX Explain' }).first().click({ timeout: 60_000 });
  const restored = await panelFrame(page);
  const again = await waitForResult(restored);
  say(`after the reload the panel shows "${again.title}"`);
  check(again.title === result.title, `after a reload the panel shows "${again.title}", not "${result.title}"`);
  check(
    await restored.locator('#view-original').isChecked(),
    'after a reload the panel forgot the chosen view (original) and shows another',
  );
  await screenshots(page, 'restored');

  // Restricted Mode: the same workspace opened untrusted. Its settings name the models, and a model runs code, so
  // Explain must refuse with the reason and what to do, and run nothing.
  say('restarting code-server with workspace trust on, the folder untrusted');
  restarting = true;
  await withTimeout(run.browser!.close(), 10_000).catch(() => {});
  await stopCodeServer(run.server);
  restarting = false;
  const untrusted = await openWorkbench(workspace, extensionsDir, true);
  await untrusted
    .locator('.statusbar-item', { hasText: 'Restricted Mode' })
    .first()
    .waitFor({ timeout: 60_000 })
    .catch(() => {
      throw new CheckFailed('the untrusted window does not say Restricted Mode in its status bar');
    });
  const untrustedRow = untrusted.locator('.explorer-folders-view .monaco-list-row', { hasText: EXAMPLE_IMAGE });
  await untrustedRow.waitFor({ timeout: 60_000 });
  await chooseFromContextMenu(untrusted, untrustedRow, MENU_ITEM);
  const refusal = untrusted.locator('.notifications-toasts .notification-list-item', {
    hasText: 'this workspace is not trusted',
  });
  await refusal
    .first()
    .waitFor({ timeout: 30_000 })
    .catch(async () => {
      // What was said instead (a toast may already have gone to the notification centre).
      await fromPalette(untrusted, 'Notifications: Show Notifications').catch(() => {});
      const center = await untrusted
        .locator('.notifications-center')
        .innerText({ timeout: 5_000 })
        .catch(() => '(the notification centre did not open)');
      throw new CheckFailed(
        `in Restricted Mode, Explain with DAX did not say that the workspace is not trusted; notifications: ${center.replace(/\s+/g, ' ')}`,
      );
    });
  const said = (await refusal.first().innerText()).replace(/\s+/g, ' ');
  say(`in Restricted Mode: "${said.slice(0, 160)}"`);
  check(/Trust the workspace/.test(said), `the refusal does not say what to do: "${said}"`);
  // The refusal does not push the panel forward; opened, it says the same in its banner.
  await fromPalette(untrusted, 'DAX: Show Results');
  const banner = await panelFrame(untrusted);
  const bannerText = await banner.evaluate(() => document.body.innerText);
  check(/not trusted/.test(bannerText), 'the panel does not show the refusal in its banner');
  const finished = await banner.evaluate(
    () => !(document.getElementById('result-heading')?.closest('section')?.hidden ?? true),
  );
  check(!finished, 'in Restricted Mode the panel shows a result, so something ran');
  await screenshots(untrusted, 'restricted');
}

/** Set while the test itself stops code-server to start it again: that exit is not a failure. */
let restarting = false;

/**
 * Starts code-server on `workspace` with the extensions of `extensionsDir` and opens its workbench in Chromium. With
 * `restricted`, workspace trust is on and the folder is opened untrusted (Restricted Mode), its prompt suppressed.
 */
async function openWorkbench(workspace: string, extensionsDir: string, restricted = false): Promise<Page> {
  const { files, stamp } = installedCodeServer();
  const workspaceTrust = restricted;
  let userDataDir: string | undefined;
  if (restricted) {
    userDataDir = privateDir(run.tmp!, 'user-data-restricted');
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      `${JSON.stringify({ ...DEFAULT_USER_SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }, null, 2)}\n`,
    );
  }
  const port = await freePort();
  say(`starting code-server ${stamp.codeServer} (VS Code ${stamp.vscode}) on 127.0.0.1:${port}`);
  run.server = spawnCodeServer({
    files,
    tmp: run.tmp!,
    port,
    extensionsDir,
    userDataDir,
    workspaceTrust,
    onOutput: (chunk) => run.serverLog?.write(chunk),
    // A crashed extension host would only show as a panel that never comes; say so at once instead.
    onLine: (line) => {
      const event = extensionHostEvent(line);
      const crashed =
        event &&
        'exited' in event &&
        (event.exited.signal !== null || (event.exited.code !== null && event.exited.code !== 0));
      if (crashed && !finishing && !restarting)
        void finish(
          1,
          `the extension host ended during the test (${event.exited.signal ?? `exit code ${event.exited.code}`}); see ${path.join(ARTIFACTS, 'code-server.log')}`,
        );
    },
    onExit: (code, signal) => {
      run.server = undefined;
      if (!finishing && !restarting)
        void finish(
          1,
          `code-server exited early (${signal ?? `exit code ${code}`}); see ${path.join(ARTIFACTS, 'code-server.log')}`,
        );
    },
  });
  await waitHealthy(run.server, port);

  run.browser = await launchChromium({ tmp: run.tmp! });
  const page = await run.browser.newPage({ viewport: { width: 1440, height: 900 } });
  run.page = page;
  page.on('console', (message) => run.browserLog?.write(`[console.${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => run.browserLog?.write(`[pageerror] ${error.stack ?? error}\n`));
  const url = workbenchUrl(port, { workspace });
  say('opening the workbench');
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return page;
}

/** Runs a command by its title from the command palette (F1), as a user would. */
async function fromPalette(page: Page, title: string): Promise<void> {
  // F1 belongs to the workbench, not to the panel's frame: the status bar takes the focus first.
  await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('F1');
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ state: 'visible', timeout: 15_000 });
  await box.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/** The themes the panel is audited in, with the class VS Code gives a webview's body in each. */
const THEMES = [
  { name: 'Default Light Modern', bodyClass: 'vscode-light', file: 'light' },
  { name: 'Default Dark Modern', bodyClass: 'vscode-dark', file: 'dark' },
  { name: 'Default High Contrast', bodyClass: 'vscode-high-contrast', file: 'high-contrast' },
] as const;

/** One axe-core violation, as the audit reports it. */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * In each theme (set in the workspace settings, as a user would): a screenshot of the panel, and an axe-core audit of
 * the panel's document. Serious and critical violations fail the test; all of them are written to the artifacts.
 */
async function auditThemes(page: Page, panel: Frame, workspace: string): Promise<void> {
  const axeSource = readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
  const report: Record<string, Violation[]> = {};
  const failures: string[] = [];
  for (const theme of THEMES) {
    writeFileSync(settingsFile, `${JSON.stringify({ ...settings, 'workbench.colorTheme': theme.name }, null, 2)}\n`);
    await panel.waitForFunction((name) => document.body.classList.contains(name), theme.bodyClass, { timeout: 30_000 });
    // The panel redraws its canvases for the theme's colours on the next frame.
    await page.waitForTimeout(500);
    await screenshots(page, `theme-${theme.file}`);
    // Evaluated through the debugger protocol, which the webview's content security policy does not govern.
    if (!(await panel.evaluate(() => 'axe' in window))) await panel.evaluate(axeSource);
    const violations = await panel.evaluate(async () => {
      const axe = (window as unknown as { axe: AxeApi }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => node.target.join(' ')).slice(0, 5),
      }));
    });
    report[theme.name] = violations;
    say(
      `axe in ${theme.name}: ${violations.length === 0 ? 'no violations' : violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`).join(', ')}`,
    );
    for (const violation of violations)
      if (violation.impact === 'serious' || violation.impact === 'critical')
        failures.push(
          `${theme.name}: ${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.join('; ')}`,
        );
  }
  writeFileSync(path.join(ARTIFACTS, 'axe.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
  check(failures.length === 0, `axe found serious or critical violations in the panel:\n${failures.join('\n')}`);
}

/** What the audit uses of axe-core's API, inside the page. */
interface AxeApi {
  run(
    context: unknown,
    options: { resultTypes: string[] },
  ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
}

/** The first file in `folder` whose name passes `wanted`, once it is there and complete (polling up to `timeoutMs`). */
async function waitForFile(folder: string, wanted: (name: string) => boolean, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const name = readdirSync(folder).find(wanted);
    if (name && statSync(path.join(folder, name)).size > 0) {
      // The host writes it in one call; a moment more and it is whole.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return path.join(folder, name);
    }
    if (Date.now() > until)
      throw new CheckFailed(`no exported file appeared in ${folder} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Right-clicks `target` until its context menu lists `item` (an extension's menus arrive 1-5 s after the explorer),
 * then chooses it. Choosing closes the menu; a menu still open means the choice was lost (once in a few runs the
 * click lands while the menu is still being laid out), so the highlighted item is taken with Enter, and failing that
 * the menu is opened afresh.
 */
async function chooseFromContextMenu(page: Page, target: ReturnType<Page['locator']>, item: string): Promise<void> {
  const entry = page.getByRole('menuitem', { name: item, exact: true });
  const gone = (ms: number): Promise<boolean> =>
    entry
      .waitFor({ state: 'hidden', timeout: ms })
      .then(() => true)
      .catch(() => false);
  const deadline = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    const shown = await entry
      .waitFor({ state: 'visible', timeout: 1_500 })
      .then(() => true)
      .catch(() => false);
    if (shown) {
      if (attempt > 1) say(`the menu listed "${item}" at attempt ${attempt}`);
      await entry.click();
      if (await gone(2_000)) return;
      say(`the menu stayed open after the click on "${item}": pressing Enter on it`);
      await entry.hover().catch(() => {});
      await page.keyboard.press('Enter');
      if (await gone(2_000)) return;
      say(`the menu is still open: opening it again`);
    }
    await page.keyboard.press('Escape');
    if (Date.now() > deadline)
      throw new CheckFailed(
        `could not choose "${item}" from the explorer's context menu (${attempt} attempts in 60 s)`,
      );
    await page.waitForTimeout(500);
  }
}

/**
 * The panel's document. A webview is an iframe holding the workbench's webview host page
 * (`.../contrib/webview/browser/pre/index.html`), which loads the extension's HTML into an inner iframe (URL
 * `fake.html`; id `pending-frame` until loaded, then `active-frame`). Playwright lists both among the page's frames:
 * the panel is the inner frame whose document is DAX Explain's.
 */
async function panelFrame(page: Page): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (!frame.parentFrame()?.url().includes('/webview/')) continue;
      const isPanel = await frame
        .evaluate(() => document.title === 'DAX Explain' && document.getElementById('app') !== null)
        .catch(() => false);
      if (isPanel) return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new CheckFailed(
    `no DAX Explain webview within 60 s (frames: ${page
      .frames()
      .map((frame) => `${frame.name() || '-'} ${frame.url().slice(0, 100)}`)
      .join('; ')})`,
  );
}

/** Waits until the panel shows a finished result (no run in progress, the result's heading filled); returns its heading. */
async function waitForResult(panel: Frame): Promise<{ title: string; subtitle: string }> {
  const handle = await panel
    .waitForFunction(
      () => {
        const heading = document.getElementById('result-heading');
        const result = heading?.closest('section');
        const active = document.querySelector('section.active-run');
        const text = heading?.textContent ?? '';
        const subtitle = heading?.closest('div')?.querySelector('.hint')?.textContent ?? '';
        return result && !result.hidden && (!active || active.hidden) && text.includes(':')
          ? { title: text, subtitle }
          : false;
      },
      undefined,
      { timeout: 120_000, polling: 250 },
    )
    .catch(async (error: Error) => {
      const text = await panel.evaluate(() => document.body.innerText.slice(0, 500)).catch(() => '?');
      throw new CheckFailed(
        `the panel showed no finished result: ${error.message.split('\n')[0]}; the panel said: ${text}`,
      );
    });
  return (await handle.jsonValue()) as { title: string; subtitle: string };
}

/** Chooses a view of the image (clicks its radio's label, as a user would) and waits for the canvas to be redrawn. */
async function setView(panel: Frame, view: 'overlay' | 'original' | 'side-by-side'): Promise<void> {
  const radio = panel.locator(`#view-${view}`);
  if (!(await radio.isChecked())) await panel.locator(`label[for="view-${view}"]`).click();
  await panel.waitForFunction(
    (name) => {
      const caption = document.querySelector('.overlay-view figcaption')?.textContent ?? '';
      const input = document.getElementById(`view-${name}`);
      return (
        input?.checked === true &&
        (name === 'original'
          ? caption.includes('without the saliency')
          : name === 'side-by-side'
            ? caption.includes('on the left')
            : caption.startsWith('Saliency in'))
      );
    },
    view,
    { timeout: 10_000 },
  );
}

interface Pixels {
  width: number;
  height: number;
  data: number[];
}

/** The image canvas's RGBA pixels, read in the webview. */
async function readCanvas(panel: Frame): Promise<Pixels> {
  return panel.evaluate(() => {
    const canvas = document.querySelector('.overlay-view canvas.image-canvas') as PageCanvas | null;
    if (!canvas) throw new Error('no image canvas in the panel');
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0)
      return { width: canvas.width, height: canvas.height, data: [] };
    return {
      width: canvas.width,
      height: canvas.height,
      data: Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data),
    };
  });
}

/** Mean absolute difference over the RGB channels, and the share of pixels that changed visibly. */
function compare(a: Pixels, b: Pixels): { mean: number; changedShare: number } {
  const n = Math.min(a.data.length, b.data.length) / 4;
  if (n === 0) return { mean: 0, changedShare: 0 };
  let total = 0;
  let changed = 0;
  for (let p = 0; p < n; p++) {
    let most = 0;
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a.data[4 * p + c]! - b.data[4 * p + c]!);
      total += d;
      most = Math.max(most, d);
    }
    if (most > PIXEL_CHANGED) changed++;
  }
  return { mean: total / (3 * n), changedShare: changed / n };
}

/** The loss chart of the result: its text summary, its canvas's label and how many coloured (curve) pixels it has. */
async function readChart(panel: Frame): Promise<{ summary: string; label: string; curvePixels: number }> {
  return panel.evaluate(() => {
    const canvas = document.getElementById('result-chart-canvas') as PageCanvas | null;
    const summary = document.getElementById('result-chart-summary')?.textContent ?? '';
    if (!canvas) return { summary, label: 'no chart canvas', curvePixels: 0 };
    const label = canvas.getAttribute('aria-label') ?? '';
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0 || canvas.height === 0) return { summary, label, curvePixels: 0 };
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let curvePixels = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!;
      const g = data[i + 1]!;
      const b = data[i + 2]!;
      // Saturated and opaque enough: a curve in one of the chart colours, not the grey text, axes or grid.
      if (data[i + 3]! > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) curvePixels++;
    }
    return { summary, label, curvePixels };
  });
}

/** Saves the image canvas as drawn (a PNG from the webview itself). */
async function saveCanvas(panel: Frame, name: string): Promise<void> {
  const dataUrl = await panel.evaluate(
    () =>
      (document.querySelector('.overlay-view canvas.image-canvas') as PageCanvas | null)?.toDataURL('image/png') ?? '',
  );
  if (!dataUrl.startsWith('data:image/png;base64,')) return;
  const file = path.join(ARTIFACTS, name);
  writeFileSync(file, Buffer.from(dataUrl.slice('data:image/png;base64,'.length), 'base64'));
  run.screenshots.push(file);
}

/** The whole window and the panel's region. */
async function screenshots(page: Page, name: string): Promise<void> {
  const whole = path.join(ARTIFACTS, `${name}-workbench.png`);
  await page.screenshot({ path: whole });
  run.screenshots.push(whole);
  const webview = page.locator('iframe.webview').first();
  if (await webview.isVisible().catch(() => false)) {
    const region = path.join(ARTIFACTS, `${name}-panel.png`);
    await webview.screenshot({ path: region });
    run.screenshots.push(region);
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/** Screenshot on failure, then browser, code-server and the temporary folder; runs once, whatever ended the run. */
async function finish(code: number, reason: string): Promise<void> {
  if (finishing) return;
  finishing = true;
  (code === 0 ? console.log : console.error)(`${TAG} ${code === 0 ? 'PASSED' : 'FAILED'}: ${reason} (${seconds()} s)`);
  if (code !== 0 && run.page) {
    const shot = path.join(ARTIFACTS, 'failure-workbench.png');
    await withTimeout(run.page.screenshot({ path: shot }), 10_000)
      .then(() => run.screenshots.push(shot))
      .catch((error: Error) => console.error(`${TAG} no failure screenshot: ${error.message}`));
  }
  if (run.browser) await withTimeout(run.browser.close(), 10_000).catch(() => {});
  await stopCodeServer(run.server);
  await Promise.all(
    [run.serverLog, run.browserLog]
      .filter((stream) => stream !== undefined)
      .map((stream) => new Promise<void>((resolve) => stream.end(resolve))),
  );
  for (const file of run.screenshots) console.log(`${TAG} screenshot: ${file}`);
  if (code !== 0) console.error(`${TAG} logs: ${ARTIFACTS}`);
  if (run.tmp) {
    if (process.env.DAX_VSCODE_KEEP === '1') console.log(`${TAG} kept ${run.tmp}`);
    else {
      // The link goes first, so that nothing below can reach into the clone through it.
      if (run.extensionLink) rmSync(run.extensionLink, { force: true });
      rmSync(run.tmp, { recursive: true, force: true });
    }
  }
  process.exit(code);
}

function positiveSeconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) {
    console.error(`${TAG} ${name}=${raw} is not a positive number of seconds`);
    process.exit(1);
  }
  return value;
}

process.on('SIGINT', () => void finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => void finish(143, 'terminated (SIGTERM)'));
process.on('exit', () => killCodeServerNow(run.server));
setTimeout(
  () => void finish(1, `TIMEOUT: the UI test did not end within ${TIMEOUT_MS / 1000} s (DAX_UI_TIMEOUT, in seconds)`),
  TIMEOUT_MS,
);

main().then(
  () => finish(0, `every phase passed, from the first explain to Restricted Mode`),
  (error: unknown) =>
    finish(
      1,
      error instanceof CheckFailed
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    ),
);
