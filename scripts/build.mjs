// Bundles the CLI with esbuild; native packages stay external, and the tfjs wasm binaries are copied beside it.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

await build({
  entryPoints: { cli: path.join(root, 'src/cli/main.ts') },
  outdir: path.join(root, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // Native addons and the optional tfjs-node cannot be bundled; they are resolved from node_modules at run time.
  external: ['sharp', 'onnxruntime-node', '@tensorflow/tfjs-node'],
  define: { DAX_VERSION: JSON.stringify(version) },
  // tfjs-backend-cpu registers its backend as a side effect that its package.json declares absent.
  ignoreAnnotations: true,
  logLevel: 'warning',
});

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
mkdirSync(path.join(root, 'dist'), { recursive: true });
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) {
  copyFileSync(path.join(wasmDir, file), path.join(root, 'dist', file));
}
chmodSync(path.join(root, 'dist', 'cli.js'), 0o755);
console.log(`built dist/cli.js (dax ${version})`);
