// Where the code-server install lives, shared by the installer and the launcher so that both agree on one layout.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The code-server release the harness runs: it bundles VS Code 1.139.1 and needs Node 24. */
export const CODE_SERVER_VERSION = '4.139.1';
/** The npm package spec of the Node that code-server runs on (a Node 24 binary with its headers). */
export const NODE_SPEC = 'node@24';

/**
 * The install folder: `$DAX_VSCODE_CACHE` when set, else `${XDG_CACHE_HOME:-~/.cache}/dax-explain/code-server-<version>`.
 * It is keyed by version so that a later bump installs beside, never over, a working copy.
 */
export function installDir() {
  if (process.env.DAX_VSCODE_CACHE) return path.resolve(process.env.DAX_VSCODE_CACHE);
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'dax-explain', `code-server-${CODE_SERVER_VERSION}`);
}

/** The files of an install in `dir`; nothing here says they exist. */
export function layout(dir = installDir()) {
  const nodePrefix = path.join(dir, 'node24');
  const serverPrefix = path.join(dir, 'server');
  const codeServer = path.join(serverPrefix, 'node_modules', 'code-server');
  return {
    dir,
    nodePrefix,
    /** The Node 24 executable (a hard link made by the `node` package's preinstall). */
    node: path.join(nodePrefix, 'node_modules', 'node', 'bin', 'node'),
    serverPrefix,
    codeServer,
    /** code-server's entry point, run with the Node 24 above. */
    entry: path.join(codeServer, 'out', 'node', 'entry.js'),
    /** Written last, after every check passed: its presence is what "installed" means. */
    stamp: path.join(dir, 'install-complete.json'),
    log: path.join(dir, 'install.log'),
  };
}

/** The stamp of a finished install in `dir`, or undefined when the install is missing or unfinished. */
export function readStamp(dir = installDir()) {
  const files = layout(dir);
  if (!existsSync(files.stamp) || !existsSync(files.node) || !existsSync(files.entry)) return undefined;
  try {
    return JSON.parse(readFileSync(files.stamp, 'utf8'));
  } catch {
    return undefined;
  }
}
