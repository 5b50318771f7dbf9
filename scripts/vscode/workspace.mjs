// The temporary workspace the VS Code tests open: the bundled example image and workspace settings naming the
// example model. Shared by test/integration/runTests.ts and test/ui; types in workspace.d.mts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The image every VS Code test explains. */
export const EXAMPLE_IMAGE = 'stationery-sign.jpg';
/** The sound the audio tests explain (speech at 0.25-1.05 s in noise), from examples/speech/. */
export const EXAMPLE_SOUND = 'open-the-door.wav';

/**
 * A workspace folder as a user would have it: examples/stationery-sign.jpg and a .vscode/settings.json naming the
 * example model (its `path` made absolute, since the description's is relative to examples/) with the fast preset,
 * plus `settings` (e.g. `{ 'dax.samples': 120 }`). Returns `folder`.
 */
export function makeWorkspace(folder, settings = {}) {
  const examples = path.join(ROOT, 'examples');
  mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  copyFileSync(path.join(examples, EXAMPLE_IMAGE), path.join(folder, EXAMPLE_IMAGE));
  copyFileSync(path.join(examples, 'speech', EXAMPLE_SOUND), path.join(folder, EXAMPLE_SOUND));
  const model = JSON.parse(readFileSync(path.join(examples, 'text-direction.model.json'), 'utf8'));
  const speech = JSON.parse(readFileSync(path.join(examples, 'speech', 'speech-activity.model.json'), 'utf8'));
  const models = [
    { ...model, path: path.resolve(examples, model.path) },
    { ...speech, path: path.resolve(examples, 'speech', speech.path) },
  ];
  const all = { 'dax.models': models, 'dax.preset': 'fast', ...settings };
  writeFileSync(path.join(folder, '.vscode', 'settings.json'), `${JSON.stringify(all, null, 2)}\n`);
  return folder;
}
