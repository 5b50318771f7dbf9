// The manifest as the marketplace and VS Code read it: names, icons, keybindings, the settings' order, the
// walkthrough and its media, the icon, and the packaging files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { METHOD_NAMES } from '../../src/shared/methods';
import { PRESET_NAMES } from '../../src/shared/presets';

const root = path.resolve(import.meta.dirname, '../..');
interface Command {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  icon: string;
  contributes: {
    commands: Command[];
    menus: Record<string, { command: string; group?: string }[]>;
    keybindings: { command: string; key: string; mac?: string; when?: string }[];
    configuration: { properties: Record<string, { order?: number; enum?: string[] }> };
    walkthroughs: {
      id: string;
      steps: { id: string; description: string; media: { markdown?: string; image?: string } }[];
    }[];
  };
};
const { contributes } = manifest;
const byId = new Map(contributes.commands.map((command) => [command.command, command]));
/** What the Command Palette shows. */
const paletteTitle = (command: Command) => (command.category ? `${command.category}: ${command.title}` : command.title);

describe('the manifest', () => {
  test('the method and preset settings offer exactly the methods and presets of src/shared (the manifest cannot import them)', () => {
    assert.deepEqual(contributes.configuration.properties['dax.method']?.enum, [...METHOD_NAMES]);
    assert.deepEqual(contributes.configuration.properties['dax.preset']?.enum, [...PRESET_NAMES]);
  });

  test('commands read "DAX: …" once, in the palette and in the explorer menu', () => {
    assert.equal(paletteTitle(byId.get('dax.explainFolder')!), 'DAX: Explain Folder');
    assert.equal(paletteTitle(byId.get('dax.compareMethods')!), 'DAX: Compare Methods');
    assert.equal(
      byId.get('dax.compareMethods')!.title,
      'DAX: Compare Methods',
      'the context menu shows the title alone',
    );
    const hidden = new Set(
      (contributes.menus.commandPalette ?? [])
        .filter((entry) => (entry as { when?: string }).when === 'false')
        .map((entry) => entry.command),
    );
    for (const command of contributes.commands)
      if (!hidden.has(command.command)) assert.doesNotMatch(paletteTitle(command), /DAX.*DAX/, command.command);
  });

  test('every command has a codicon, and the editor-title buttons too', () => {
    for (const command of contributes.commands) assert.match(command.icon ?? '', /^\$\([a-z-]+\)$/, command.command);
    for (const entry of contributes.menus['editor/title'] ?? [])
      assert.ok(byId.get(entry.command)?.icon, entry.command);
  });

  test('Explain Active File and Cancel have keybindings, Cancel only while a run is going', () => {
    const keys = new Map(contributes.keybindings.map((binding) => [binding.command, binding]));
    assert.ok(keys.get('dax.explainActiveFile')?.key);
    assert.equal(keys.get('dax.cancel')?.when, 'dax.running');
  });

  test('every command a menu or keybinding names is contributed', () => {
    const named = [...Object.values(contributes.menus).flat(), ...contributes.keybindings].map(
      (entry) => entry.command,
    );
    assert.deepEqual(
      named.filter((command) => !byId.has(command)),
      [],
    );
  });

  test('the settings page goes in a set order: Models, Active Model and Preset first, the lambdas late', () => {
    const properties = contributes.configuration.properties;
    const order = Object.entries(properties).map(([name, property]) => [name, property.order] as const);
    assert.ok(
      order.every(([, value]) => typeof value === 'number'),
      'every setting has an order',
    );
    assert.equal(new Set(order.map(([, value]) => value)).size, order.length, 'no two share one');
    const sorted = [...order].sort((a, b) => a[1]! - b[1]!).map(([name]) => name);
    assert.deepEqual(sorted.slice(0, 3), ['dax.models', 'dax.activeModel', 'dax.preset']);
    assert.ok(sorted.indexOf('dax.lambda1') > sorted.indexOf('dax.method'));
  });

  test('the walkthrough has its four steps, each with media that exists and command links to contributed commands', () => {
    const walkthrough = contributes.walkthroughs.find((candidate) => candidate.id === 'dax.gettingStarted');
    assert.ok(walkthrough);
    assert.deepEqual(
      walkthrough.steps.map((step) => step.id),
      ['dax.model', 'dax.explainImage', 'dax.compare', 'dax.explainSound'],
    );
    for (const step of walkthrough.steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media && existsSync(path.join(root, media)), `${step.id}: ${media}`);
      for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g))
        assert.ok(byId.has(command!), `${step.id} links ${command}`);
    }
  });

  test('the icon is a 128×128 PNG in media/', () => {
    assert.match(manifest.icon, /^media\//);
    const png = readFileSync(path.join(root, manifest.icon));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  });

  test('.vscodeignore decides what a VSIX holds (no "files" beside it), and there is a CHANGELOG', () => {
    assert.ok(existsSync(path.join(root, '.vscodeignore')));
    assert.equal((manifest as { files?: unknown }).files, undefined, 'vsce refuses "files" with a .vscodeignore');
    assert.ok(existsSync(path.join(root, 'CHANGELOG.md')));
  });

  test('a VSIX leaves out what an installed extension never loads: the CLI bundle and the threaded wasm build', () => {
    const ignored = readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    assert.ok(ignored.includes('dist/cli.js'));
    assert.ok(ignored.includes('dist/tfjs-backend-wasm-threaded-simd.wasm'));
    const staged = readFileSync(path.join(root, 'scripts', 'package.mjs'), 'utf8');
    assert.match(
      staged,
      /for \(const key of \[[^\]]*'bin'/,
      'the staged manifest drops "bin", which names dist/cli.js',
    );
  });
});
