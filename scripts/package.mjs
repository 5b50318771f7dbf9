// `npm run package`: a platform-specific VSIX. The bundles in dist/ carry every pure-JS dependency; what cannot be
// bundled are the native addons (sharp with its libvips package, onnxruntime-node), so the VSIX ships those for
// one target, and onnxruntime-node's binaries for other platforms are removed (they are 90 % of its size).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { heading, installedPackages, missingFrom, noticesText, shippedPackages } from './notices.mjs';
import { NATIVE, RUNTIME_LOADED } from './shipping.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const target = process.env.DAX_VSIX_TARGET ?? `${process.platform}-${process.arch}`;
const [os, arch] = target.split('-');
const stage = path.join(root, '.vsix-stage');
const run = (command, args, cwd = root) =>
  execFileSync(command, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, npm_config_onnxruntime_node_install: 'skip' },
  });

run(process.execPath, ['scripts/build.mjs']);
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
cpSync(path.join(root, 'dist'), path.join(stage, 'dist'), {
  recursive: true,
  filter: (file) => !file.endsWith('.map'),
});
for (const file of ['CHANGELOG.md', 'LICENSE', '.vscodeignore']) cpSync(path.join(root, file), path.join(stage, file));
// Links to the repository's own files (docs/, bench/) point nowhere inside a VSIX, and vsce refuses them without a
// repository URL: in the VSIX's README they become their text and the path.
const readme = readFileSync(path.join(root, 'README.md'), 'utf8').replace(
  /\[([^\]]+)\]\((?!https?:|#|mailto:)([^)\s]+)\)/g,
  (_link, text, target) => `${text} (\`${target}\` in the repository)`,
);
writeFileSync(path.join(stage, 'README.md'), readme);
cpSync(path.join(root, 'licenses'), path.join(stage, 'licenses'), { recursive: true });
cpSync(path.join(root, 'media'), path.join(stage, 'media'), { recursive: true });

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// The native addons and the LGPL decoders ship as packages beside the bundles (scripts/shipping.mjs).
const native = [...NATIVE, ...RUNTIME_LOADED];
for (const key of ['files', 'bin', 'scripts', 'devDependencies', 'optionalDependencies', 'private'])
  delete manifest[key];
manifest.dependencies = Object.fromEntries(native.map((name) => [name, manifest.dependencies[name]]));
writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
// onnxruntime-node's postinstall would download CUDA files: not needed, and not reachable everywhere.
writeFileSync(path.join(stage, '.npmrc'), 'onnxruntime-node-install=skip\n');
run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', `--os=${os}`, `--cpu=${arch}`], stage);

const onnxBin = path.join(stage, 'node_modules/onnxruntime-node/bin');
for (const napi of existsSync(onnxBin) ? readdirSync(onnxBin) : []) {
  for (const platform of readdirSync(path.join(onnxBin, napi))) {
    if (platform !== os) rmSync(path.join(onnxBin, napi, platform), { recursive: true, force: true });
    else
      for (const cpu of readdirSync(path.join(onnxBin, napi, platform)))
        if (cpu !== arch) rmSync(path.join(onnxBin, napi, platform, cpu), { recursive: true, force: true });
  }
}
// The notices of exactly what this target's VSIX holds; every package folder in it must be listed.
const shipped = shippedPackages(stage);
const notices = noticesText(shipped, stage);
writeFileSync(path.join(stage, 'ThirdPartyNotices.txt'), notices);
const unlisted = missingFrom(notices, installedPackages(stage));
if (unlisted.length > 0) {
  console.error(
    `the VSIX would hold packages that ThirdPartyNotices.txt does not list: ${unlisted.map(heading).join(', ')}`,
  );
  process.exit(1);
}
console.log(`ThirdPartyNotices.txt: ${shipped.length} packages, every package folder of the VSIX among them`);
// What the VSIX leaves out is the repository's .vscodeignore, copied above.
const out = path.join(root, `dax-explain-${target}.vsix`);
run(
  path.join(root, 'node_modules/.bin/vsce'),
  ['package', '--target', target, '--allow-missing-repository', '--skip-license', '--out', out],
  stage,
);
console.log(`${path.relative(root, out)}: ${(statSync(out).size / 2 ** 20).toFixed(1)} MB for ${target}`);
