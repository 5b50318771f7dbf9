// Writing an explanation's files all-or-nothing: temporary names first, renamed only when every file is complete.
import sharp from 'sharp';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExplanationReport } from '../../shared/report';
import { colormapTable, type ColormapName } from './colormap';
import { decodeImage, type RgbImage } from './image';
import { DEFAULT_METHOD } from '../../shared/methods';

/** The three files of one explanation. */
export interface OutputPaths {
  saliency: string;
  overlay: string;
  report: string;
}

/**
 * `<out>/<stem>.saliency.png`, `.overlay.png`, `.dax.json` for DAX; a baseline's files carry its name
 * (`<stem>.rise.saliency.png`) so that it never overwrites DAX's result for the same input.
 */
export function outputPaths(outDir: string, inputFile: string, method: string = DEFAULT_METHOD): OutputPaths {
  const stem = path.basename(inputFile).replace(/\.[^.]+$/, '') + (method === DEFAULT_METHOD ? '' : `.${method}`);
  return {
    saliency: path.join(outDir, `${stem}.saliency.png`),
    overlay: path.join(outDir, `${stem}.overlay.png`),
    report: path.join(outDir, `${stem}.dax.json`),
  };
}

/** 8-bit grey bytes of a [0,1] map. */
export function saliencyBytes(saliency: Float32Array): Uint8Array {
  return Uint8Array.from(saliency, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** The image with the colormapped saliency blended over it. */
export function overlayBytes(
  image: RgbImage,
  saliency: Float32Array,
  colormap: ColormapName = 'turbo',
  opacity = 0.5,
): Uint8Array {
  return overlayFromGrey(image, saliencyBytes(saliency), colormap, opacity);
}

/** overlayBytes for a map already in 8-bit grey (0..255), one byte per pixel. */
function overlayFromGrey(
  image: RgbImage,
  grey: Uint8Array,
  colormap: ColormapName = 'turbo',
  opacity = 0.5,
): Uint8Array {
  const table = colormapTable(colormap);
  const out = new Uint8Array(image.data.length);
  for (let p = 0; p < grey.length; p++) {
    const entry = grey[p]! * 3;
    for (let c = 0; c < 3; c++)
      out[3 * p + c] = Math.round(image.data[3 * p + c]! * (1 - opacity) + table[entry + c]! * opacity);
  }
  return out;
}

/** Writes the saliency PNG, the overlay PNG and the JSON report; on any failure none of them is left behind. */
export async function writeExplanation(
  paths: OutputPaths,
  image: RgbImage,
  saliency: Float32Array,
  report: ExplanationReport,
): Promise<void> {
  const staged = await stageExplanation(paths, image, saliency, report);
  await staged.commit();
}

/** Files written under temporary names: `commit` renames them into place, `discard` removes them. */
export interface StagedFiles {
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** The suffix of this process's temporary files (`<name>.partial-<pid>`). */
export const PARTIAL_SUFFIX = `.partial-${process.pid}`;

/**
 * Writes the files of `paths` under temporary names (`<name>.partial-<pid>`) with `write`; on a failure the temporary
 * files are removed and nothing is left behind. Renaming them into place is the caller's `commit`, so that several
 * explanations can be made all-or-nothing together (dax compare).
 */
export async function stageFiles<T extends object>(
  paths: T,
  write: (temporary: T) => Promise<void>,
): Promise<StagedFiles> {
  const entries = Object.entries(paths) as [keyof T & string, string][];
  const temporary = Object.fromEntries(entries.map(([key, file]) => [key, file + PARTIAL_SUFFIX])) as unknown as T;
  const discard = async (): Promise<void> => {
    await Promise.all(Object.values(temporary).map((file) => rm(file as string, { force: true })));
  };
  await mkdir(path.dirname(entries[0]![1]), { recursive: true });
  try {
    await write(temporary);
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    async commit() {
      try {
        for (const [key, file] of entries) await rename(temporary[key] as string, file);
      } catch (error) {
        await discard();
        throw error;
      }
    },
    discard,
  };
}

/**
 * The explanation's three files written under temporary names, to be committed or discarded (see stageFiles). The
 * pictures are at the input's resolution (the report's `input` size): an explanation made on a reduced copy of a large
 * input (WORKING_MAX_PIXELS) has its map brought up to it by sharp and laid over the input decoded once more, so the
 * only full-resolution copies are 8-bit ones made here.
 */
export function stageExplanation(
  paths: OutputPaths,
  image: RgbImage,
  saliency: Float32Array,
  report: ExplanationReport,
): Promise<StagedFiles> {
  return stageFiles(paths, async (temporary) => {
    const { width, height } = report.input;
    const grey = saliencyBytes(saliency);
    if (width === image.width && height === image.height) {
      await sharp(grey, { raw: { width, height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(temporary.saliency);
      await sharp(overlayFromGrey(image, grey), { raw: { width, height, channels: 3 } })
        .png()
        .toFile(temporary.overlay);
    } else {
      const full = await sharp(grey, { raw: { width: image.width, height: image.height, channels: 1 } })
        .resize(width, height, { fit: 'fill', kernel: 'cubic' })
        .raw()
        .toBuffer();
      await sharp(full, { raw: { width, height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(temporary.saliency);
      const input = await decodeImage(report.input.file, { maxPixels: width * height });
      if (input.width !== width || input.height !== height)
        throw new Error(`the input now has ${input.width}x${input.height} pixels, not ${width}x${height}`);
      await sharp(overlayFromGrey(input, full), { raw: { width, height, channels: 3 } })
        .png()
        .toFile(temporary.overlay);
    }
    await writeFile(temporary.report, JSON.stringify({ ...report, outputs: paths }, null, 2) + '\n');
  });
}

/**
 * Removes the temporary files (`*.partial-<pid>`) that a process which is no longer running left in `dir` (a run
 * killed while writing); those of running processes, this one included, stay. A folder that cannot be read is left
 * alone. Returns the files removed.
 */
export async function removeStalePartials(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /\.partial-(\d+)$/.exec(name);
    if (!match || isRunning(Number(match[1]))) continue;
    const file = path.join(dir, name);
    try {
      await rm(file, { force: true });
      removed.push(file);
    } catch {
      // Not ours to remove after all (permissions): left as it is.
    }
  }
  return removed;
}

/** Whether a process with this id runs (one of another user counts). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
