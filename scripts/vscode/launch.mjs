// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns: takes the same arguments,
// runs the extension tests in code-server's extension host (a real VS Code 1.139 server, Node 24) driven by
// headless Chromium, forwards the workbench's log lines to stdout and exits with the tests' exit code.
//
// Usage (normally through ./code): launch.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE
//   [--user-data-dir=DIR] [--extensions-dir=DIR] [FOLDER | FILE.code-workspace] [other VS Code flags, ignored]
// Env: DAX_VSCODE_TIMEOUT (seconds, default 600), DAX_VSCODE_ARTIFACTS (default .vscode-test/artifacts),
//   DAX_CHROMIUM (default /usr/bin/chromium), DAX_VSCODE_VERBOSE=1 (echo code-server's output and every log line),
//   DAX_VSCODE_MAX_RSS_MB (the extension host's memory limit, default 8192), DAX_VSCODE_CACHE (see paths.mjs).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { layout, readStamp } from './paths.mjs';

const TAG = '[vscode-shim]';
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const say = (message) => console.log(`${TAG} ${message} (${seconds()} s)`);

/** A failure of the harness itself, reported by its message alone. */
class HarnessError extends Error {}

/** Exit code when the tests gave no result in time (as timeout(1) does). */
const EXIT_TIMEOUT = 124;
/** Exit code for a harness failure: code-server or the browser did not come up, or crashed. */
const EXIT_HARNESS = 2;
/** Flags that take a value; test-electron passes them as --flag=value, a user might pass --flag value. */
const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'locale', 'log', 'profile']);

const options = parseArgs(process.argv.slice(2));
const timeoutSeconds = positiveNumber('DAX_VSCODE_TIMEOUT', 600);
const artifacts = path.resolve(process.env.DAX_VSCODE_ARTIFACTS ?? path.join('.vscode-test', 'artifacts'));
const chromiumPath = process.env.DAX_CHROMIUM ?? '/usr/bin/chromium';
const verbose = process.env.DAX_VSCODE_VERBOSE === '1';
/**
 * The extension host's resident memory limit: a runaway host is killed with a clear message instead of taking the
 * machine into the kernel's OOM killer (which picks any large process, not necessarily the culprit).
 */
const maxHostRssMb = positiveNumber('DAX_VSCODE_MAX_RSS_MB', 8192);

/** Everything cleanup must undo; filled in as the run goes. */
const state = {
  server: undefined,
  browser: undefined,
  page: undefined,
  tmp: undefined,
  serverLog: undefined,
  browserLog: undefined,
  workbenchLog: undefined,
  /** How code-server saw the extension host process end: `{ code, signal }` from its log. */
  extensionHostExit: undefined,
  /** Why the harness itself killed the extension host, if it did. */
  extensionHostKilled: undefined,
  finishing: false,
};

/**
 * Workbench log entries (matched on their first line) that say only that this machine is offline or signed out
 * (marketplace, GitHub, the chat agent) or that the window is shutting down: kept in workbench.log, left out of
 * stdout unless DAX_VSCODE_VERBOSE=1.
 */
const OFFLINE_NOISE = [
  /^\[AgentHost/,
  /^\[ChatModelSelection\]/,
  /^\[AccountPolicyGate\]/,
  /ENOTFOUND|EAI_AGAIN|ERR_NAME_NOT_RESOLVED/,
  /^Canceled(: Canceled)*$/,
  /^(Resolving|Resolved) connection token/,
  /^Creating a socket \(renderer-/,
  /^\[reconnection-grace-time\]/,
  /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/,
];
/** User settings for a fresh profile that keep a test run lean: no AI features, no startup editor, no update checks. */
const DEFAULT_USER_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
};

process.on('SIGINT', () => finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => finish(143, 'terminated (SIGTERM)'));
process.on('SIGHUP', () => finish(129, 'hung up (SIGHUP)'));
process.on('exit', () => killServerNow());

main().catch((error) => finish(EXIT_HARNESS, error instanceof HarnessError ? error.message : `harness error: ${error instanceof Error ? error.stack : error}`));

async function main() {
  if (options.extensionTestsPath === undefined) {
    fail('no --extensionTestsPath: this stand-in only runs extension tests (it is what runTests() launches)');
  }
  const stamp = readStamp();
  const files = layout();
  if (!stamp) fail(`code-server is not installed in ${files.dir}: run \`node scripts/vscode/installCodeServer.mjs\` first`);
  if (!existsSync(chromiumPath)) fail(`no Chromium at ${chromiumPath} (Debian: apt-get install -y chromium; or set DAX_CHROMIUM)`);

  prepareArtifacts();
  state.tmp = mkdtempSync(path.join(os.tmpdir(), 'dax-vscode-shim-'));
  const timer = setTimeout(() => finish(EXIT_TIMEOUT, `TIMEOUT: the tests gave no result within ${timeoutSeconds} s (raise DAX_VSCODE_TIMEOUT, in seconds)`), timeoutSeconds * 1000);
  timer.unref();

  const port = await freePort();
  await startServer(files, stamp, port);
  const url = workbenchUrl(port);
  const exitCode = await runInBrowser(url);
  await finish(exitCode, exitCode === 0 ? 'tests passed' : `tests failed (exit code ${exitCode})`);
}

/** The flags test-electron passes, the workspace (first positional argument); anything else is ignored. */
function parseArgs(argv) {
  const parsed = { extensionDevelopmentPath: [], extensionTestsPath: undefined, userDataDir: undefined, extensionsDir: undefined, workspace: undefined, ignored: [] };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (!arg.startsWith('--')) {
      if (parsed.workspace === undefined) parsed.workspace = path.resolve(arg);
      else parsed.ignored.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    let value = equals === -1 ? undefined : arg.slice(equals + 1);
    if (value === undefined && VALUE_FLAGS.has(name) && index + 1 < argv.length) value = argv[++index];
    switch (name) {
      case 'extensionDevelopmentPath':
        parsed.extensionDevelopmentPath.push(path.resolve(value));
        break;
      case 'extensionTestsPath':
        parsed.extensionTestsPath = path.resolve(value);
        break;
      case 'user-data-dir':
        parsed.userDataDir = path.resolve(value);
        break;
      case 'extensions-dir':
        parsed.extensionsDir = path.resolve(value);
        break;
      default:
        parsed.ignored.push(arg);
    }
  }
  return parsed;
}

function prepareArtifacts() {
  mkdirSync(artifacts, { recursive: true });
  // Only what this script writes is replaced, so a shared folder keeps its other files.
  for (const name of ['workbench.png', 'code-server.log', 'browser.log', 'workbench.log', 'logs']) rmSync(path.join(artifacts, name), { recursive: true, force: true });
  state.serverLog = createWriteStream(path.join(artifacts, 'code-server.log'));
  state.browserLog = createWriteStream(path.join(artifacts, 'browser.log'));
  state.workbenchLog = createWriteStream(path.join(artifacts, 'workbench.log'));
}

/** Starts code-server on Node 24 in its own process group (so that cleanup reaches its extension host too). */
async function startServer(files, stamp, port) {
  const home = (name) => {
    const folder = path.join(state.tmp, name);
    mkdirSync(folder, { recursive: true });
    return folder;
  };
  const userDataDir = options.userDataDir ?? home('user-data');
  const extensionsDir = options.extensionsDir ?? home('extensions');
  mkdirSync(extensionsDir, { recursive: true });
  // A profile that already has settings keeps them; a fresh one gets the lean defaults.
  const settings = path.join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) {
    mkdirSync(path.dirname(settings), { recursive: true });
    writeFileSync(settings, `${JSON.stringify(DEFAULT_USER_SETTINGS, null, 2)}\n`);
  }
  const config = path.join(state.tmp, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = { ...process.env, XDG_CONFIG_HOME: home('config'), XDG_DATA_HOME: home('data'), XDG_CACHE_HOME: home('cache'), XDG_STATE_HOME: home('state') };
  // Inside a VS Code terminal these make code-server hand its arguments to that VS Code instead of starting.
  for (const name of Object.keys(env)) if (name.startsWith('VSCODE_') || name === 'ELECTRON_RUN_AS_NODE') delete env[name];
  const args = [
    files.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--config', config,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  say(`starting code-server ${stamp.codeServer} (VS Code ${stamp.vscode}, Node ${stamp.node}) on 127.0.0.1:${port}`);
  const server = spawn(files.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  state.server = server;
  for (const stream of [server.stdout, server.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      state.serverLog?.write(chunk);
      if (verbose) process.stderr.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) watchServerLine(line);
    });
  }
  server.on('exit', (code, signal) => {
    state.server = undefined;
    if (!state.finishing) finish(EXIT_HARNESS, `code-server exited early (${signal ?? `exit code ${code}`}); see ${path.join(artifacts, 'code-server.log')}`);
  });
  const deadline = Date.now() + 60_000;
  while (!(await healthy(port))) {
    if (Date.now() > deadline) fail(`code-server did not answer /healthz within 60 s; see ${path.join(artifacts, 'code-server.log')}`);
    await sleep(200);
  }
  say('code-server is up');
}

/**
 * The workbench reports a crashed remote extension host (killed by the OOM killer, say) to codeAutomationExit as
 * exit code 0, so the process's real end is read from code-server's own log.
 */
function watchServerLine(line) {
  const match = /Extension Host Process exited with code: (\S+), signal: (\S+)\./.exec(line);
  if (match) state.extensionHostExit = { code: match[1] === 'null' ? null : Number(match[1]), signal: match[2] === 'null' ? null : match[2] };
  const launched = /<(\d+)> Launched Extension Host Process/.exec(line);
  if (launched) guardMemory(Number(launched[1]));
}

/** Polls the extension host's VmRSS (Linux) and kills it past DAX_VSCODE_MAX_RSS_MB. */
function guardMemory(pid) {
  const timer = setInterval(() => {
    let status;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      clearInterval(timer);
      return;
    }
    const rssMb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
    if (rssMb <= maxHostRssMb) return;
    clearInterval(timer);
    state.extensionHostKilled = `its resident memory reached ${Math.round(rssMb)} MB (limit DAX_VSCODE_MAX_RSS_MB=${maxHostRssMb})`;
    console.error(`${TAG} killing the extension host (pid ${pid}): ${state.extensionHostKilled}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 1_000);
  timer.unref();
}

/** The workbench URL whose payload makes the workbench run the extension tests (needs enable-smoke-test-driver). */
function workbenchUrl(port) {
  const remote = (file) => `vscode-remote://remote${pathToFileURL(file).pathname}`;
  const payload = [
    ...options.extensionDevelopmentPath.map((folder) => ['extensionDevelopmentPath', remote(folder)]),
    ['extensionTestsPath', remote(options.extensionTestsPath)],
  ];
  const query = new URLSearchParams();
  if (options.workspace === undefined) query.set('ew', 'true');
  else if (options.workspace.endsWith('.code-workspace') && existsSync(options.workspace) && statSync(options.workspace).isFile()) query.set('workspace', options.workspace);
  else query.set('folder', options.workspace);
  query.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${port}/?${query}`;
}

/** Opens the workbench in headless Chromium and resolves with the code passed to window.codeAutomationExit. */
async function runInBrowser(url) {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Chromium keeps crash reports and dconf files under XDG_CONFIG_HOME/XDG_CACHE_HOME; keep them out of the home.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(state.tmp, 'browser-config'), XDG_CACHE_HOME: path.join(state.tmp, 'browser-cache') },
    // Without the networking flags Chromium keeps dialling hosts this machine cannot reach.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  state.browser = browser;
  browser.on('disconnected', () => {
    state.browser = undefined;
    if (!state.finishing) finish(EXIT_HARNESS, 'Chromium went away before the tests ended');
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  state.page = page;
  page.on('console', (message) => state.browserLog?.write(`[console.${message.type()}] ${message.text()}\n`));
  page.on('pageerror', (error) => state.browserLog?.write(`[pageerror] ${error.stack ?? error}\n`));
  page.on('crash', () => finish(EXIT_HARNESS, 'the workbench page crashed'));

  let exit;
  const exited = new Promise((resolve) => (exit = resolve));
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    saveLogs(logs);
    exit(Number.isInteger(code) ? code : 1);
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const text = formatLog(args);
    state.workbenchLog?.write(`[${type}] ${text}\n`);
    const firstLine = text.split('\n', 1)[0];
    if (verbose || !OFFLINE_NOISE.some((pattern) => pattern.test(firstLine))) process.stdout.write(`${text}\n`);
  });
  say('opening the workbench in headless Chromium');
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
  const code = await exited;
  // Give code-server a moment to log how the extension host ended, then trust that over a 0 from the workbench.
  await sleep(500);
  const ended = state.extensionHostExit;
  if (code === 0 && ended && (ended.signal !== null || (ended.code !== null && ended.code !== 0))) {
    const why = state.extensionHostKilled ?? (ended.signal === 'SIGKILL' ? 'killed from outside (out of memory? see dmesg)' : 'it crashed');
    console.error(`${TAG} the workbench reported exit code 0, but the extension host process ended with ${ended.signal ?? `exit code ${ended.code}`}: ${why}`);
    return 1;
  }
  return code;
}

/** One log entry from the workbench's automation logger: console-style arguments (`%s`, `%d`, `%c`) formatted. */
function formatLog(args) {
  const parts = Array.isArray(args) ? args : [args];
  return format(...parts);
}

/** The workbench hands its in-browser log files to codeAutomationExit; they go to the artifacts folder. */
function saveLogs(logs) {
  if (!Array.isArray(logs)) return;
  for (const log of logs) {
    if (typeof log?.relativePath !== 'string' || typeof log.contents !== 'string') continue;
    const target = path.resolve(artifacts, 'logs', log.relativePath);
    if (!target.startsWith(path.join(artifacts, 'logs') + path.sep)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, log.contents);
  }
}

/** Screenshot, then browser, then code-server and the temporary folders; runs once, whatever ended the run. */
async function finish(code, reason) {
  if (state.finishing) return;
  state.finishing = true;
  const failed = code !== 0;
  (failed ? console.error : console.log)(`${TAG} ${reason} (${seconds()} s)`);
  if (state.page) {
    const shot = path.join(artifacts, 'workbench.png');
    await withTimeout(state.page.screenshot({ path: shot }), 10_000)
      .then(() => console.log(`${TAG} screenshot: ${shot}`))
      .catch((error) => console.error(`${TAG} no screenshot: ${error.message}`));
  }
  if (state.browser) await withTimeout(state.browser.close(), 10_000).catch(() => {});
  await stopServer();
  await Promise.all([state.serverLog, state.browserLog, state.workbenchLog].filter(Boolean).map((stream) => new Promise((resolve) => stream.end(resolve))));
  if (failed && state.serverLog) console.error(`${TAG} logs: ${artifacts}`);
  if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
  process.exit(code);
}

/** SIGTERM to code-server's process group, SIGKILL if it is still there after 5 s. */
async function stopServer() {
  const server = state.server;
  if (!server) return;
  const gone = new Promise((resolve) => server.once('exit', resolve));
  signalGroup(server.pid, 'SIGTERM');
  if ((await withTimeout(gone, 5_000).catch(() => 'timeout')) === 'timeout') signalGroup(server.pid, 'SIGKILL');
  // The extension host may outlive the server process in the same group.
  signalGroup(server.pid, 'SIGKILL');
}

function killServerNow() {
  if (state.server?.pid) signalGroup(state.server.pid, 'SIGKILL');
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A positive number from the environment, or the default when unset; anything else stops the run. */
function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) {
    console.error(`${TAG} ${name}=${raw} is not a positive number`);
    process.exit(EXIT_HARNESS);
  }
  return value;
}

function fail(message) {
  throw new HarnessError(message);
}

function healthy(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
