// `npm run test:vscode`: builds the extension, bundles the integration suite and runs it inside a real VS Code
// extension host through @vscode/test-electron's runTests(). Where VS Code cannot be downloaded, the executable is
// scripts/vscode/code, which runs the same tests in code-server (see test/integration/README.md).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { buildStep, installCodeServerStep } from '../../scripts/vscode/steps.mjs';
import { makeWorkspace, ROOT } from '../../scripts/vscode/workspace.mjs';

const SUITE_SOURCE = path.join(__dirname, 'suite');
const SUITE_OUT = path.join(ROOT, 'dist-test', 'suite');
const SHIM = path.join(ROOT, 'scripts', 'vscode', 'code');
/** A plain closing line (`N passed, N failed`) printed by suite/index.ts inside the extension host. */
const SUMMARY = /^(\d+) passed, (\d+) failed$/;

async function main(): Promise<number> {
  const started = Date.now();
  const vscodeExecutablePath = process.env.DAX_VSCODE_EXECUTABLE ?? SHIM;
  if (vscodeExecutablePath === SHIM) installCodeServerStep();
  buildStep();
  await bundleSuite();

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'dax-vscode-test-'));
  let summary: string | undefined;
  try {
    const workspace = makeWorkspace(path.join(tmp, 'workspace'));
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n')) if (SUMMARY.test(line.trim())) summary = line.trim();
        process.stdout.write(chunk, callback);
      },
    });
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(SUITE_OUT, 'index.js'),
      // A fresh profile per run, so that no state carries over from an earlier run.
      launchArgs: [
        workspace,
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
        `--extensions-dir=${path.join(tmp, 'extensions')}`,
      ],
      stdout,
    }).catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      const exitCode = (error as { code?: unknown }).code;
      return typeof exitCode === 'number' && exitCode !== 0 ? exitCode : 1;
    });
    console.log(`integration run took ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
    if (summary) console.log(`vscode: ${summary}`);
    else if (code === 0) {
      console.error('the run passed but printed no "N passed, N failed" line: did any test run?');
      return 1;
    }
    return code;
  } finally {
    if (process.env.DAX_VSCODE_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
    else console.log(`kept ${tmp}`);
  }
}

/** One bundle per suite file in dist-test/suite; `vscode` comes from the extension host, mocha from node_modules. */
async function bundleSuite(): Promise<void> {
  rmSync(path.join(ROOT, 'dist-test'), { recursive: true, force: true });
  const entryPoints = readdirSync(SUITE_SOURCE)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => path.join(SUITE_SOURCE, name));
  await build({
    entryPoints,
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    // One mocha instance for the runner and the test files: `describe`/`it` imported from 'mocha' reach the
    // runner's current suite only through the same module.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
