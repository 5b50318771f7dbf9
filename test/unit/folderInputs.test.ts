import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listFolderInputs } from '../../src/extension/folderFiles';

describe("Explain Folder's inputs", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dax-folder-'));
  for (const file of [
    'b.JPG',
    'a.wav',
    'notes.txt',
    '.hidden.png',
    'sub/c.png',
    'sub/deeper/d.flac',
    '.cache/e.png',
    'z-dir.png/f.png',
  ]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '');
  }
  symlinkSync(path.join(root, 'sub', 'c.png'), path.join(root, 'link.png'));
  symlinkSync(path.join(root, 'sub'), path.join(root, 'loop'));

  test('the top level: images and sounds by extension, sorted, dot-files and other files left out', async () => {
    const inputs = await listFolderInputs(root, { recursive: false });
    assert.deepEqual(
      inputs.map((input) => input.relative),
      ['a.wav', 'b.JPG', 'link.png'],
    );
    assert.deepEqual(
      inputs.map((input) => input.kind),
      ['audio', 'image', 'image'],
    );
    assert.equal(inputs[0]!.path, path.join(root, 'a.wav'));
  });

  test('recursive: subfolders too, never dot-folders, and a link to a folder is not followed', async () => {
    const inputs = await listFolderInputs(root, { recursive: true });
    assert.deepEqual(
      inputs.map((input) => input.relative),
      ['a.wav', 'b.JPG', 'link.png', 'sub/c.png', 'sub/deeper/d.flac', 'z-dir.png/f.png'],
    );
  });

  test('a folder that cannot be read rejects', async () => {
    await assert.rejects(listFolderInputs(path.join(root, 'missing'), { recursive: false }), { code: 'ENOENT' });
    rmSync(root, { recursive: true, force: true });
  });
});
