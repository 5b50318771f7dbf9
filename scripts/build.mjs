// Bundles the CLI, the extension host code, the worker and the panel with esbuild; native packages stay
// external, and the tfjs wasm binaries are copied beside the bundles.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { NATIVE, RUNTIME_LOADED } from './shipping.mjs';

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
  // The decoders that carry LGPL code (mpg123 in decode-mp3, codec-parser in the Ogg and FLAC ones) stay separate,
  // unmodified module files, imported at run time, so the bundles stay MIT. `vscode` is the extension host's.
  external: [...NATIVE, '@tensorflow/tfjs-node', 'vscode', ...RUNTIME_LOADED],
  define: { DAX_VERSION: JSON.stringify(version) },
  // jsonc-parser's main file is a UMD wrapper whose requires esbuild cannot follow (they fail at run time); its ES
  // module build bundles whole.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // tfjs-backend-cpu registers its backend as a side effect that its package.json declares absent.
  ignoreAnnotations: true,
  logLevel: 'warning',
};

const entries = { cli: 'src/cli/main.ts', extension: 'src/extension/extension.ts', worker: 'src/worker/main.ts' };
const bundled = new Map();
/** Records the npm packages whose files a build put into a bundle (ThirdPartyNotices.txt must list each). */
const record = (result) => {
  for (const input of Object.keys(result.metafile.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const rest = input.slice(at + 'node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    const { version: packageVersion } = JSON.parse(
      readFileSync(path.join(root, input.slice(0, at), 'node_modules', name, 'package.json'), 'utf8'),
    );
    bundled.set(`${name}@${packageVersion}`, { name, version: packageVersion });
  }
  return result;
};
record(
  await build({
    ...node,
    entryPoints: Object.fromEntries(
      Object.entries(entries)
        .filter(([, file]) => existsSync(path.join(root, file)))
        .map(([name, file]) => [name, path.join(root, file)]),
    ),
    outdir: dist,
    metafile: true,
  }),
);

// The panel runs in a browser: one script and one stylesheet, no Node.
if (existsSync(path.join(root, 'webview-ui/src/main.ts'))) {
  record(
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
      metafile: true,
    }),
  );
}

const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
mkdirSync(dist, { recursive: true });
for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) {
  copyFileSync(path.join(wasmDir, file), path.join(dist, file));
}
chmodSync(path.join(dist, 'cli.js'), 0o755);
writeFileSync(
  path.join(dist, 'bundled-packages.json'),
  `${JSON.stringify(
    [...bundled.values()].sort((a, b) => a.name.localeCompare(b.name)),
    null,
    2,
  )}\n`,
);
console.log(`built dist/ (dax ${version})`);
