// Which files DAX can read, by name. No `vscode` import, so that plain Node tests can use it.
import path from 'node:path';

/** Image extensions the engine decodes (the explorer menu's `when` clause lists the same). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif'];
/** Sound extensions the engine decodes (listed in the same `when` clause). */
export const SOUND_EXTENSIONS = ['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga', '.opus'];

/** What kind of input a file is by its name, or undefined when DAX cannot read it. */
export function inputKind(file: string): 'image' | 'audio' | undefined {
  const extension = path.extname(file).toLowerCase();
  if (IMAGE_EXTENSIONS.includes(extension)) return 'image';
  if (SOUND_EXTENSIONS.includes(extension)) return 'audio';
  return undefined;
}
