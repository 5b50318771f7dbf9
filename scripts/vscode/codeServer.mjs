// Starting and stopping code-server for the harness: a free loopback port, private XDG folders, a lean fresh
// profile, its own process group (so that stopping it reaches the extension host too), and the workbench URL.
// Shared by launch.mjs (the integration tests) and test/ui (the UI tests); types in codeServer.d.mts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { layout, readStamp } from './paths.mjs';

/** User settings for a fresh profile that keep a test run lean: no AI features, no startup editor, no update checks. */
export const DEFAULT_USER_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
};

/** The finished code-server install (`files` from paths.mjs, `stamp` its versions), or an Error saying what to do. */
export function installedCodeServer() {
  const stamp = readStamp();
  const files = layout();
  if (!stamp)
    throw new Error(
      `code-server is not installed in ${files.dir}: run \`node scripts/vscode/installCodeServer.mjs\` first`,
    );
  return { files, stamp };
}

/** `tmp/name`, created. */
export function privateDir(tmp, name) {
  const folder = path.join(tmp, name);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/**
 * Installs the extension in `folder` (its package.json and what `main` names) into `extensionsDir` as a symbolic
 * link named as the marketplace would (`publisher.name-version`), so that code-server started with that
 * `--extensions-dir` loads it as a user's extension in a normal window. Returns the link's path; removing the
 * folder that holds it removes the link, never the clone.
 */
export function linkExtension(extensionsDir, folder) {
  const { publisher, name, version } = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
  mkdirSync(extensionsDir, { recursive: true });
  const link = path.join(extensionsDir, `${publisher}.${name}-${version}`);
  symlinkSync(path.resolve(folder), link, 'dir');
  return link;
}

/**
 * Spawns code-server on Node 24 in its own process group and returns the child at once (so that the caller can
 * stop it whatever happens next); `waitHealthy` then waits for it to answer. `onOutput` gets every chunk of its
 * stdout and stderr, `onLine` every complete line, `onExit` its end. A profile that already has settings keeps them;
 * a fresh one gets DEFAULT_USER_SETTINGS. code-server gets private XDG folders under `tmp`.
 */
export function spawnCodeServer({
  files,
  tmp,
  port,
  userDataDir,
  extensionsDir,
  extraArgs = [],
  workspaceTrust = false,
  onOutput,
  onLine,
  onExit,
}) {
  userDataDir ??= privateDir(tmp, 'user-data');
  extensionsDir ??= privateDir(tmp, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  const settings = path.join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) {
    mkdirSync(path.dirname(settings), { recursive: true });
    writeFileSync(settings, `${JSON.stringify(DEFAULT_USER_SETTINGS, null, 2)}\n`);
  }
  const config = path.join(tmp, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: privateDir(tmp, 'config'),
    XDG_DATA_HOME: privateDir(tmp, 'data'),
    XDG_CACHE_HOME: privateDir(tmp, 'cache'),
    XDG_STATE_HOME: privateDir(tmp, 'state'),
  };
  // Inside a VS Code terminal these make code-server hand its arguments to that VS Code instead of starting.
  for (const name of Object.keys(env))
    if (name.startsWith('VSCODE_') || name === 'ELECTRON_RUN_AS_NODE') delete env[name];
  const args = [
    files.entry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--config',
    config,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    // Trust is off unless a test is about it: a trust prompt would stand in front of everything else.
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--ignore-last-opened',
    ...extraArgs,
  ];
  const server = spawn(files.node, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [server.stdout, server.stderr]) {
    let pending = '';
    stream.on('data', (chunk) => {
      onOutput?.(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      if (onLine) for (const line of lines) onLine(line);
    });
  }
  if (onExit) server.on('exit', onExit);
  return server;
}

/** Resolves once code-server answers /healthz on `port`; rejects when it exits first or after `timeoutMs`. */
export async function waitHealthy(server, port, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(port))) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`code-server exited before answering (${server.signalCode ?? `exit code ${server.exitCode}`})`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** SIGTERM to code-server's process group, SIGKILL if it is still there after 5 s (and to what outlives it). */
export async function stopCodeServer(server) {
  if (!server?.pid) return;
  if (server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((resolve) => server.once('exit', resolve));
    signalGroup(server.pid, 'SIGTERM');
    if ((await withTimeout(gone, 5_000).catch(() => 'timeout')) === 'timeout') signalGroup(server.pid, 'SIGKILL');
  }
  // The extension host may outlive the server process in the same group.
  signalGroup(server.pid, 'SIGKILL');
}

/** For process 'exit' handlers, which cannot wait: SIGKILL to the whole group at once. */
export function killCodeServerNow(server) {
  if (server?.pid) signalGroup(server.pid, 'SIGKILL');
}

export function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * The workbench URL for `workspace` (a folder or a .code-workspace file; none: an empty window). With `payload`
 * (pairs such as ['extensionDevelopmentPath', folder]), local paths become vscode-remote URIs: the window loads
 * those folders as extensions under development, and runs extension tests if the payload names them (which needs
 * `--vscode-option enable-smoke-test-driver`).
 */
export function workbenchUrl(port, { workspace, payload } = {}) {
  const query = new URLSearchParams();
  if (workspace === undefined) query.set('ew', 'true');
  else if (workspace.endsWith('.code-workspace') && existsSync(workspace) && statSync(workspace).isFile())
    query.set('workspace', workspace);
  else query.set('folder', workspace);
  if (payload?.length) query.set('payload', JSON.stringify(payload.map(([name, file]) => [name, remoteUri(file)])));
  return `http://127.0.0.1:${port}/?${query}`;
}

/** A local path as the workbench's remote (code-server side) URI. */
export function remoteUri(file) {
  return `vscode-remote://remote${pathToFileURL(file).pathname}`;
}

/** What one line of code-server's output says about the extension host: its pid when launched, its end. */
export function extensionHostEvent(line) {
  const launched = /<(\d+)> Launched Extension Host Process/.exec(line);
  if (launched) return { launched: Number(launched[1]) };
  const match = /Extension Host Process exited with code: (\S+), signal: (\S+)\./.exec(line);
  if (match)
    return {
      exited: { code: match[1] === 'null' ? null : Number(match[1]), signal: match[2] === 'null' ? null : match[2] },
    };
  return undefined;
}

/**
 * Polls the resident memory (VmRSS, Linux) of process `pid` every second and SIGKILLs it past `maxMb`, calling
 * `onKill` with the reason first; stops when the process is gone.
 */
export function guardMemory(pid, maxMb, onKill) {
  const timer = setInterval(() => {
    let status;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      clearInterval(timer);
      return;
    }
    const rssMb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
    if (rssMb <= maxMb) return;
    clearInterval(timer);
    onKill(`its resident memory reached ${Math.round(rssMb)} MB`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 1_000);
  timer.unref();
  return timer;
}

export function healthy(port) {
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

export function freePort() {
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

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection after `ms` (the timer does not keep the process alive). */
export function withTimeout(promise, ms) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}
