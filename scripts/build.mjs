// Bundles the CLI, the extension host code, the worker and the panel with esbuild; native packages stay
// external, and the tfjs wasm binaries are copied beside the bundles.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dist = path.join(root, 'dist');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native addons and the optional tfjs-node cannot be bundled; they are resolved from node_modules at run time.
  // `vscode` is provided by the extension host.
  external: ['sharp', 'onnxruntime-node', '@tensorflow/tfjs-node', 'vscode'],
  define: { DAX_VERSION: JSON.stringify(version) },
  // tfjs-backend-cpu registers its backend as a side effect that its package.json declares absent.
  ignoreAnnotations: true,
  logLevel: 'warning',
};

const entries = { cli: 'src/cli/main.ts', extension: 'src/extension/extension.ts', worker: 'src/worker/main.ts' };
await build({
  ...node,
  entryPoints: Object.fromEntries(
    Object.entries(entries)
      .filter(([, file]) => existsSync(path.join(root, file)))
      .map(([name, file]) => [name, path.join(root, file)]),
  ),
  outdir: dist,
});

// The panel runs in a browser: one script and one stylesheet, no Node.
if (existsSync(path.join(root, 'webview-ui/src/main.ts'))) {
  await build({
    entryPoints: { webview: path.join(root, 'webview-ui/src/main.ts') },
    outdir: dist,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    // Half the size of the readable bundle; the source map keeps it debuggable.
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
}

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
mkdirSync(dist, { recursive: true });
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) {
  copyFileSync(path.join(wasmDir, file), path.join(dist, file));
}
chmodSync(path.join(dist, 'cli.js'), 0o755);
console.log(`built dist/ (dax ${version})`);
