// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns: takes the same arguments,
// runs the extension tests in code-server's extension host (a real VS Code 1.139 server, Node 24) driven by
// headless Chromium, forwards the workbench's log lines to stdout and exits with the tests' exit code.
//
// Usage (normally through ./code): launch.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE
//   [--user-data-dir=DIR] [--extensions-dir=DIR] [FOLDER | FILE.code-workspace] [other VS Code flags, ignored]
// Env: DAX_VSCODE_TIMEOUT (seconds, default 600), DAX_VSCODE_ARTIFACTS (default .vscode-test/artifacts),
//   DAX_CHROMIUM (default /usr/bin/chromium), DAX_VSCODE_VERBOSE=1 (echo code-server's output and every log line),
//   DAX_VSCODE_MAX_RSS_MB (the extension host's memory limit, default 8192), DAX_VSCODE_CACHE (see paths.mjs).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import { launchChromium, missingChromium } from './chromium.mjs';
import {
  extensionHostEvent,
  freePort,
  guardMemory,
  installedCodeServer,
  killCodeServerNow,
  sleep,
  spawnCodeServer,
  stopCodeServer,
  waitHealthy,
  withTimeout,
  workbenchUrl,
} from './codeServer.mjs';

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
const VALUE_FLAGS = new Set([
  'extensionDevelopmentPath',
  'extensionTestsPath',
  'user-data-dir',
  'extensions-dir',
  'locale',
  'log',
  'profile',
]);

const options = parseArgs(process.argv.slice(2));
const timeoutSeconds = positiveNumber('DAX_VSCODE_TIMEOUT', 600);
const artifacts = path.resolve(process.env.DAX_VSCODE_ARTIFACTS ?? path.join('.vscode-test', 'artifacts'));
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

process.on('SIGINT', () => finish(130, 'interrupted (SIGINT)'));
process.on('SIGTERM', () => finish(143, 'terminated (SIGTERM)'));
process.on('SIGHUP', () => finish(129, 'hung up (SIGHUP)'));
process.on('exit', () => killServerNow());

main().catch((error) =>
  finish(
    EXIT_HARNESS,
    error instanceof HarnessError ? error.message : `harness error: ${error instanceof Error ? error.stack : error}`,
  ),
);

async function main() {
  if (options.extensionTestsPath === undefined) {
    fail('no --extensionTestsPath: this stand-in only runs extension tests (it is what runTests() launches)');
  }
  let install;
  try {
    install = installedCodeServer();
  } catch (error) {
    fail(error.message);
  }
  const { files, stamp } = install;
  const noChromium = missingChromium();
  if (noChromium) fail(noChromium.message);

  prepareArtifacts();
  state.tmp = mkdtempSync(path.join(os.tmpdir(), 'dax-vscode-shim-'));
  const timer = setTimeout(
    () =>
      finish(
        EXIT_TIMEOUT,
        `TIMEOUT: the tests gave no result within ${timeoutSeconds} s (raise DAX_VSCODE_TIMEOUT, in seconds)`,
      ),
    timeoutSeconds * 1000,
  );
  timer.unref();

  const port = await freePort();
  await startServer(files, stamp, port);
  const payload = [
    ...options.extensionDevelopmentPath.map((folder) => ['extensionDevelopmentPath', folder]),
    ['extensionTestsPath', options.extensionTestsPath],
  ];
  const url = workbenchUrl(port, { workspace: options.workspace, payload });
  const exitCode = await runInBrowser(url);
  await finish(exitCode, exitCode === 0 ? 'tests passed' : `tests failed (exit code ${exitCode})`);
}

/** The flags test-electron passes, the workspace (first positional argument); anything else is ignored. */
function parseArgs(argv) {
  const parsed = {
    extensionDevelopmentPath: [],
    extensionTestsPath: undefined,
    userDataDir: undefined,
    extensionsDir: undefined,
    workspace: undefined,
    ignored: [],
  };
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
  for (const name of ['workbench.png', 'code-server.log', 'browser.log', 'workbench.log', 'logs'])
    rmSync(path.join(artifacts, name), { recursive: true, force: true });
  state.serverLog = createWriteStream(path.join(artifacts, 'code-server.log'));
  state.browserLog = createWriteStream(path.join(artifacts, 'browser.log'));
  state.workbenchLog = createWriteStream(path.join(artifacts, 'workbench.log'));
}

/** Starts code-server on Node 24 in its own process group (so that cleanup reaches its extension host too). */
async function startServer(files, stamp, port) {
  say(`starting code-server ${stamp.codeServer} (VS Code ${stamp.vscode}, Node ${stamp.node}) on 127.0.0.1:${port}`);
  state.server = spawnCodeServer({
    files,
    tmp: state.tmp,
    port,
    userDataDir: options.userDataDir,
    extensionsDir: options.extensionsDir,
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    onOutput: (chunk) => {
      state.serverLog?.write(chunk);
      if (verbose) process.stderr.write(chunk);
    },
    onLine: watchServerLine,
    onExit: (code, signal) => {
      state.server = undefined;
      if (!state.finishing)
        finish(
          EXIT_HARNESS,
          `code-server exited early (${signal ?? `exit code ${code}`}); see ${path.join(artifacts, 'code-server.log')}`,
        );
    },
  });
  await waitHealthy(state.server, port, 60_000).catch((error) =>
    fail(`${error.message}; see ${path.join(artifacts, 'code-server.log')}`),
  );
  say('code-server is up');
}

/**
 * The workbench reports a crashed remote extension host (killed by the OOM killer, say) to codeAutomationExit as
 * exit code 0, so the process's real end is read from code-server's own log.
 */
function watchServerLine(line) {
  const event = extensionHostEvent(line);
  if (event && 'exited' in event) state.extensionHostExit = event.exited;
  if (event && 'launched' in event) {
    const pid = event.launched;
    // A runaway host is killed with a clear message instead of taking the machine into the kernel's OOM killer.
    guardMemory(pid, maxHostRssMb, (why) => {
      state.extensionHostKilled = `${why} (limit DAX_VSCODE_MAX_RSS_MB=${maxHostRssMb})`;
      console.error(`${TAG} killing the extension host (pid ${pid}): ${state.extensionHostKilled}`);
    });
  }
}

/** Opens the workbench in headless Chromium and resolves with the code passed to window.codeAutomationExit. */
async function runInBrowser(url) {
  const browser = await launchChromium({ tmp: state.tmp });
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
    const why =
      state.extensionHostKilled ??
      (ended.signal === 'SIGKILL' ? 'killed from outside (out of memory? see dmesg)' : 'it crashed');
    console.error(
      `${TAG} the workbench reported exit code 0, but the extension host process ended with ${ended.signal ?? `exit code ${ended.code}`}: ${why}`,
    );
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
  await Promise.all(
    [state.serverLog, state.browserLog, state.workbenchLog]
      .filter(Boolean)
      .map((stream) => new Promise((resolve) => stream.end(resolve))),
  );
  if (failed && state.serverLog) console.error(`${TAG} logs: ${artifacts}`);
  if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
  process.exit(code);
}

/** Stops code-server's process group (and the extension host in it). */
async function stopServer() {
  await stopCodeServer(state.server);
}

function killServerNow() {
  killCodeServerNow(state.server);
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
