// `npm run notices`: writes ThirdPartyNotices.txt, the licence of every npm package a VSIX carries: those whose
// code esbuild put into the bundles (dist/bundled-packages.json, written by the build) and those shipped beside
// them in node_modules (the native addons and the LGPL decoders, with their production dependencies as installed
// here). `node scripts/notices.mjs --check` fails, naming them, when the file misses a package or a version.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EMBEDDED_LGPL, NATIVE, RUNTIME_LOADED } from './shipping.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const NOTICES = path.join(root, 'ThirdPartyNotices.txt');

function packageJson(name, from = root) {
  const file = path.join(from, 'node_modules', name, 'package.json');
  return existsSync(file) ? { dir: path.dirname(file), json: JSON.parse(readFileSync(file, 'utf8')) } : undefined;
}

/**
 * The packages beside the bundles: `names` and, transitively, their dependencies and the optional ones installed
 * here (sharp's libvips for this platform, say), as `npm install --omit=dev` puts them into the VSIX.
 */
function besideBundles(names, from) {
  const found = new Map();
  const visit = (name) => {
    if (found.has(name)) return;
    const entry = packageJson(name, from);
    if (!entry) return;
    found.set(name, { name, version: entry.json.version });
    for (const dependency of Object.keys({ ...entry.json.dependencies, ...entry.json.optionalDependencies }))
      visit(dependency);
  };
  names.forEach(visit);
  return [...found.values()];
}

/**
 * Every package a VSIX carries, with how: `bundled` into dist/ or `beside` it, as installed in `from`'s
 * node_modules (the repository's, or a VSIX's staging folder for its target).
 */
export function shippedPackages(from = root) {
  const listFile = path.join(root, 'dist', 'bundled-packages.json');
  if (!existsSync(listFile))
    throw new Error('dist/bundled-packages.json is missing: run `node scripts/build.mjs` first');
  const bundled = JSON.parse(readFileSync(listFile, 'utf8')).map((p) => ({ ...p, how: 'bundled' }));
  const beside = besideBundles([...NATIVE, ...RUNTIME_LOADED], from).map((p) => ({ ...p, how: 'beside' }));
  const all = new Map();
  for (const p of [...bundled, ...beside]) all.set(`${p.name}@${p.version}`, p);
  return [...all.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** The heading of a package in the notices; the check looks for exactly this line. */
export function heading(p) {
  return `${p.name} ${p.version}`;
}

function licenceTexts(dir) {
  return readdirSync(dir)
    .filter((file) => /^(licen[cs]e|copying|notice)/i.test(file))
    .sort()
    .map((file) => readFileSync(path.join(dir, file), 'utf8').trim());
}

/** Every package folder in `from`'s node_modules, nested ones included: what a VSIX staged there holds. */
export function installedPackages(from) {
  const found = [];
  const walk = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@') ? readdirSync(path.join(modules, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of dirs) {
        const file = path.join(modules, name, 'package.json');
        if (!existsSync(file)) continue;
        found.push({ name, version: JSON.parse(readFileSync(file, 'utf8')).version });
        walk(path.join(modules, name, 'node_modules'));
      }
    }
  };
  walk(path.join(from, 'node_modules'));
  return found;
}

export function noticesText(packages, from = root) {
  const parts = [
    'DAX Explain ships the following third-party packages, bundled into dist/ by esbuild or beside it in',
    'node_modules. Each is under its own licence, reproduced below. Written by `npm run notices`.',
    'The LGPL decoders are separate module files loaded at run time; see the README, "Licences", to replace them.',
    '',
  ];
  for (const p of packages) {
    const entry = packageJson(p.name, from) ?? packageJson(p.name);
    const licence = entry?.json.license ?? 'see below';
    parts.push(
      '='.repeat(100),
      heading(p),
      `${licence}; ${p.how === 'bundled' ? 'bundled into dist/' : 'shipped in node_modules'}`,
    );
    const embedded = EMBEDDED_LGPL[p.name];
    if (embedded)
      parts.push(
        `It contains ${embedded.what}, under ${embedded.license}: licenses/${embedded.files.join(' and licenses/')}.`,
      );
    parts.push('');
    const texts = entry ? licenceTexts(entry.dir) : [];
    parts.push(
      ...(texts.length > 0 ? texts : [`(the package has no licence file; its package.json says ${licence})`]),
      '',
    );
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

/** The packages `text` does not name with their version. */
export function missingFrom(text, packages) {
  const lines = new Set(text.split('\n'));
  return packages.filter((p) => !lines.has(heading(p)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const packages = shippedPackages();
  if (process.argv.includes('--check')) {
    const missing = missingFrom(existsSync(NOTICES) ? readFileSync(NOTICES, 'utf8') : '', packages);
    if (missing.length > 0) {
      console.error(
        `ThirdPartyNotices.txt misses ${missing.map(heading).join(', ')}: run \`npm run notices\` and commit it.`,
      );
      process.exit(1);
    }
    console.log(`ThirdPartyNotices.txt lists all ${packages.length} shipped packages`);
  } else {
    writeFileSync(NOTICES, noticesText(packages));
    console.log(`wrote ThirdPartyNotices.txt: ${packages.length} packages`);
  }
}
