// The steps every VS Code test run starts with, run as child Node scripts from the repository root: install
// code-server (once; a no-op afterwards) and build the extension. Shared by test/integration and test/ui; types in
// steps.d.mts.
import { spawnSync } from 'node:child_process';
import { ROOT } from './workspace.mjs';

/** Runs `node ...args` in the repository root with inherited output, prints `name: N s`; throws when it fails. */
export function nodeStep(name, args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} failed (${result.signal ?? `exit code ${result.status}`})`);
  console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** `node scripts/vscode/installCodeServer.mjs`: installs code-server 4.139.1 unless already there. */
export function installCodeServerStep() {
  nodeStep('code-server install', ['scripts/vscode/installCodeServer.mjs']);
}

/** `node scripts/build.mjs`: dist/ (the extension, the worker, the panel). */
export function buildStep() {
  nodeStep('extension build', ['scripts/build.mjs']);
}
