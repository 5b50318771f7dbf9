// The extension as VS Code sees it: installed, activated, and every command its manifest promises registered.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';

const EXTENSION_ID = 'dax-explain.dax-explain';

/** The contributed command ids, read from the package.json that VS Code loaded (so the list is never hard-coded). */
function contributedCommands(extension: vscode.Extension<unknown>): string[] {
  const manifest = extension.packageJSON as { contributes?: { commands?: Array<{ command: string }> } };
  return (manifest.contributes?.commands ?? []).map((entry) => entry.command);
}

function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in the extension host`);
  return extension;
}

describe('DAX Explain extension', () => {
  it('is present and activates', async () => {
    const extension = getExtension();
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers every command in contributes.commands', async () => {
    const extension = getExtension();
    await extension.activate();
    const expected = contributedCommands(extension);
    assert.ok(expected.length > 0, 'package.json contributes no command');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      expected.filter((command) => !registered.has(command)),
      [],
      'contributed but not registered',
    );
  });
});
