#!/usr/bin/env node
// Installs code-server (a real VS Code server with the real Node extension host) and the Node 24 it needs into a
// per-version cache outside the clone, so that the integration tests can run where VS Code cannot be downloaded.
// Idempotent: a finished install is detected by its stamp and left alone. See ../../test/integration/README.md.
//
// Usage: node scripts/vscode/installCodeServer.mjs      (env DAX_VSCODE_CACHE overrides the install folder)
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_VERSION, NODE_SPEC, layout, installDir, readStamp } from './paths.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Entries an install folder may hold; anything else means the folder is not ours to wipe. */
const OWN_ENTRIES = new Set(['node24', 'server', 'install.log', 'install-complete.json']);
/**
 * Native addons that code-server's postinstall compiles from source with node-gyp (against Node 24's headers): each
 * must have its build/Release/*.node. kerberos is the one that needs libkrb5-dev.
 */
const MUST_BUILD = ['@vscode/spdlog', '@vscode/native-watchdog', '@vscode/sqlite3', 'kerberos'];
/**
 * Addons loaded with Node 24 after the install (the compiled ones and the prebuilt ones VS Code's server needs): a
 * wrong ABI or a missing shared library shows up here, not halfway through a test run.
 */
const MUST_LOAD = [...MUST_BUILD, 'node-pty', '@parcel/watcher'];

class InstallError extends Error {}

async function main() {
  const dir = installDir();
  const files = layout(dir);
  const done = readStamp(dir);
  if (done) {
    report(files, done, 'already installed');
    return;
  }
  if (isInside(dir, repoRoot)) {
    throw new InstallError(
      `the install folder ${dir} is inside the clone ${repoRoot}; point DAX_VSCODE_CACHE outside it`,
    );
  }
  checkPrerequisites();
  mkdirSync(path.dirname(dir), { recursive: true });
  const release = await lock(`${dir}.lock`);
  try {
    // Another process may have finished the install while this one waited for the lock.
    const finished = readStamp(dir);
    if (finished) {
      report(files, finished, 'installed by another process');
      return;
    }
    wipeUnfinished(dir);
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    console.log(`Installing code-server ${CODE_SERVER_VERSION} and ${NODE_SPEC} into ${dir}`);
    console.log(`(1.5-2.5 minutes and 800 MB on 2 cores; npm's output goes to ${files.log})`);

    const node = await installNode(files);
    const codeServer = await installCodeServer(files, node);
    const stamp = {
      codeServer: CODE_SERVER_VERSION,
      vscode: codeServer.vscodeVersion,
      node: node.version,
      nativeAddons: codeServer.addons,
      installedAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(files.stamp, `${JSON.stringify(stamp, null, 2)}\n`);
    report(files, stamp, `installed in ${stamp.seconds} s`);
  } finally {
    release();
  }
}

/** Fails before a two-minute install would, with the command that fixes it. */
function checkPrerequisites() {
  const missing = [];
  if (!['/usr/include/gssapi/gssapi.h', '/usr/include/gssapi.h'].some((file) => existsSync(file)))
    missing.push('libkrb5-dev (gssapi headers, for the kerberos addon)');
  for (const tool of ['make', 'g++', 'python3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      missing.push(`${tool} (node-gyp builds code-server's native addons)`);
  }
  if (missing.length > 0) {
    throw new InstallError(
      `missing: ${missing.join('; ')}.\nOn Debian: apt-get update && apt-get install -y --no-install-recommends libkrb5-dev make g++ python3`,
    );
  }
}

/** Installs Node 24 from the npm package `node`, whose preinstall fetches the platform binary with its headers. */
async function installNode(files) {
  writePrefixPackage(files.nodePrefix, 'dax-explain-node24', { node: true });
  console.log(`- ${NODE_SPEC} (npm package)`);
  await npm(['install', NODE_SPEC], { cwd: files.nodePrefix, env: ownNpmEnv(), log: files.log });
  if (!existsSync(files.node)) {
    throw new InstallError(
      `${files.node} is missing: the preinstall script of npm's \`node\` package did not run or failed (see ${files.log})`,
    );
  }
  const version = spawnSync(files.node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!/^v24\./.test(version)) throw new InstallError(`${files.node} reports "${version}", expected v24.x`);
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const headersRoot = [
    path.join(files.nodePrefix, 'node_modules', 'node', 'node_modules', platformPackage),
    path.join(files.nodePrefix, 'node_modules', platformPackage),
  ].find((candidate) => existsSync(path.join(candidate, 'include', 'node', 'node_version.h')));
  if (!headersRoot)
    throw new InstallError(
      `no Node 24 headers (include/node/node_version.h) in ${platformPackage} under ${files.nodePrefix}`,
    );
  console.log(`  Node ${version}, headers in ${headersRoot}`);
  return { bin: files.node, version, headersRoot };
}

/** Installs code-server with Node 24 first on PATH and node-gyp pointed at Node 24's headers, then checks it. */
async function installCodeServer(files, node) {
  writePrefixPackage(files.serverPrefix, 'dax-explain-code-server', { 'code-server': true, argon2: true });
  console.log(
    `- code-server@${CODE_SERVER_VERSION} (npm package; its postinstall installs VS Code's modules and builds native addons)`,
  );
  const env = {
    ...ownNpmEnv(),
    PATH: `${path.dirname(node.bin)}${path.delimiter}${process.env.PATH ?? ''}`,
    // The machine's npm config points node-gyp at the system Node's headers; code-server's addons run on Node 24.
    npm_config_nodedir: node.headersRoot,
    npm_config_update_notifier: 'false',
  };
  await npm(['install', `code-server@${CODE_SERVER_VERSION}`, '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd: files.serverPrefix,
    env,
    log: files.log,
  });
  return verifyCodeServer(files, node);
}

/**
 * Proves that code-server's postinstall really ran: npm 11 only warns about install scripts that allowScripts does
 * not cover, and a later npm skips them, which would leave a package that looks installed but cannot start.
 */
function verifyCodeServer(files, node) {
  const problems = [];
  const vscodeDir = path.join(files.codeServer, 'lib', 'vscode');
  const vscodeModules = path.join(vscodeDir, 'node_modules');
  if (!existsSync(files.entry)) problems.push(`${files.entry} is missing`);
  const moduleCount = existsSync(vscodeModules) ? readdirSync(vscodeModules).length : 0;
  if (moduleCount < 20)
    problems.push(
      `${vscodeModules} holds ${moduleCount} entries: the postinstall did not install VS Code's dependencies`,
    );
  // The postinstall links the remote CLI only after VS Code's dependencies installed, then installs the extensions'.
  if (!existsSync(path.join(vscodeDir, 'bin', 'remote-cli', 'code-server')))
    problems.push(`${vscodeDir}/bin/remote-cli/code-server is missing: the postinstall stopped early`);
  if (!existsSync(path.join(vscodeDir, 'extensions', 'node_modules')))
    problems.push(
      `${vscodeDir}/extensions/node_modules is missing: the built-in extensions' dependencies were not installed`,
    );

  const addons = MUST_BUILD.filter(
    (name) => findFiles(path.join(vscodeModules, name, 'build', 'Release'), '.node').length > 0,
  );
  for (const name of MUST_BUILD.filter((name) => !addons.includes(name)))
    problems.push(`native addon ${name} was not built (no build/Release/*.node)`);

  if (problems.length === 0) {
    const script = `const r = require('node:module').createRequire(${JSON.stringify(path.join(vscodeModules, 'x.js'))});
      for (const name of ${JSON.stringify(MUST_LOAD)}) { try { r(name); } catch (e) { console.error(name + ': ' + e.message); process.exitCode = 1; } }`;
    const load = spawnSync(node.bin, ['-e', script], { encoding: 'utf8' });
    if (load.status !== 0) problems.push(`native addons do not load in Node ${node.version}:\n${load.stderr.trim()}`);
  }

  // code-server writes a config file and logs under XDG_CONFIG_HOME/XDG_DATA_HOME even for --version.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'dax-code-server-check-'));
  const versionRun = spawnSync(node.bin, [files.entry, '--version'], {
    encoding: 'utf8',
    env: { ...process.env, VSCODE_IPC_HOOK_CLI: '', XDG_CONFIG_HOME: scratch, XDG_DATA_HOME: scratch },
  });
  rmSync(scratch, { recursive: true, force: true });
  const versionOutput = versionRun.stdout?.trim() ?? '';
  if (
    versionRun.status !== 0 ||
    !versionOutput.split('\n').some((line) => line.startsWith(`${CODE_SERVER_VERSION} `))
  ) {
    problems.push(
      `\`code-server --version\` printed "${versionOutput}" (status ${versionRun.status}): ${versionRun.stderr?.trim()}`,
    );
  }

  if (problems.length > 0) {
    throw new InstallError(
      `code-server's install is incomplete:\n- ${problems.join('\n- ')}\n${tail(files.log, 60)}\nThe folder is left as it is for inspection; the next run wipes and retries it.`,
    );
  }
  const vscodeVersion = JSON.parse(readFileSync(path.join(vscodeDir, 'package.json'), 'utf8')).version;
  console.log(
    `  code-server ${CODE_SERVER_VERSION} (VS Code ${vscodeVersion}); built and loaded with Node ${node.version}: ${MUST_LOAD.join(', ')}`,
  );
  return { vscodeVersion, addons };
}

function findFiles(folder, suffix) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith(suffix));
}

/**
 * A package.json for an npm prefix, so npm installs there and not into a parent project, with `allowScripts` naming
 * the packages whose install scripts this install depends on (advisory in npm 11, required once npm enforces it).
 */
function writePrefixPackage(prefix, name, allowScripts) {
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    path.join(prefix, 'package.json'),
    `${JSON.stringify({ name, private: true, allowScripts }, null, 2)}\n`,
  );
}

/**
 * The environment without the npm_* variables of an enclosing `npm test`: npm reads npm_config_* as configuration,
 * so the outer npm's user agent ("node/v20…") would reach code-server's postinstall, which takes the Node version
 * from it and refuses to install; its local prefix would point at the clone.
 */
function ownNpmEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Runs npm in `cwd`, its output appended to `log`; rejects with the log's tail on failure. */
function npm(args, { cwd, env, log }) {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    writeFileSync(fd, `\n$ (cd ${cwd} && npm ${args.join(' ')})\n`);
    const child = spawn('npm', args, { cwd, env, stdio: ['ignore', fd, fd] });
    let ticks = 0;
    const ticker = setInterval(() => process.stdout.write(ticks++ === 0 ? '  .' : '.'), 15_000);
    const finish = (error) => {
      clearInterval(ticker);
      if (ticks > 0) process.stdout.write('\n');
      closeSync(fd);
      if (error) reject(error);
      else resolve();
    };
    child.on('error', (error) => finish(new InstallError(`cannot run npm: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) finish();
      else
        finish(
          new InstallError(
            `npm ${args.join(' ')} failed (${signal ?? `exit code ${code}`}) in ${cwd}\n${tail(log, 60)}`,
          ),
        );
    });
  });
}

function tail(file, lines) {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  return `--- last ${lines} lines of ${file} ---\n${text}\n---`;
}

/** Removes an unfinished install, but only a folder that holds nothing but what this script writes. */
function wipeUnfinished(dir) {
  if (!existsSync(dir)) return;
  const foreign = readdirSync(dir).filter((name) => !OWN_ENTRIES.has(name));
  if (foreign.length > 0) {
    throw new InstallError(
      `${dir} holds files this installer did not write (${foreign.slice(0, 5).join(', ')}); point DAX_VSCODE_CACHE at an empty or new folder`,
    );
  }
  console.log(`Removing the unfinished install in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
}

/** A lock folder holding the owner's pid; a lock whose owner is gone is taken over. */
async function lock(lockDir) {
  let waiting = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      const release = () => rmSync(lockDir, { recursive: true, force: true });
      process.once('exit', release);
      return release;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSafe(path.join(lockDir, 'pid')));
    const age = Date.now() - statSync(lockDir).mtimeMs;
    if (!isAlive(owner) && age > 5_000) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!waiting) console.log(`Waiting for another install (pid ${owner || '?'}) holding ${lockDir}`);
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
}

function readFileSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function isInside(child, parent) {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function report(files, stamp, how) {
  console.log(`code-server ${stamp.codeServer} (VS Code ${stamp.vscode}, Node ${stamp.node}) ${how}`);
  console.log(`code-server: ${files.dir}`);
}

main().catch((error) => {
  console.error(`\ninstallCodeServer: ${error instanceof InstallError ? error.message : error.stack}`);
  process.exit(1);
});
