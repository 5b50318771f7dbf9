// The inputs of a folder for **Explain Folder with DAX**: the images and sounds at its top level (or, recursively,
// in its subfolders), dot-files and dot-folders left out, sorted by path. No `vscode` import (tested in plain Node).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { inputKind } from './inputKinds';

/** One input of a folder. */
export interface FolderInput {
  /** Absolute path. */
  path: string;
  /** Path below the folder, with `/` between folders. */
  relative: string;
  kind: 'image' | 'audio';
}

/**
 * The folder's images and sounds, sorted by relative path (code-unit order, the same on every platform). Files are
 * known by their extension; a symbolic link counts as the file it points to, never as a folder (no cycles).
 * Unreadable subfolders are passed over; an unreadable `folder` itself rejects.
 */
export async function listFolderInputs(folder: string, options: { recursive: boolean }): Promise<FolderInput[]> {
  const found: FolderInput[] = [];
  const visit = async (dir: string, prefix: string, top: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (top) throw error;
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const file = path.join(dir, entry.name);
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (options.recursive) await visit(file, relative, false);
        continue;
      }
      const kind = inputKind(entry.name);
      if (!kind) continue;
      if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(file))))
        found.push({ path: file, relative, kind });
    }
  };
  await visit(folder, '', true);
  return found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
