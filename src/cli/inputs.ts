// What `dax explain`'s positionals name: files, folders (top level, or every level with --recursive) and globs
// (`*`, `?`, `**`), expanded to the supported files, and where each one's results go under the output folder.
import { existsSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** One file to explain. */
export interface InputFile {
  /** The path as the user reads it: the positional itself, or the folder or glob base joined with the rest. */
  file: string;
  /** Absolute path (the identity used to deduplicate). */
  absolute: string;
  /** The folder, or the glob's fixed leading folders, the file was found under (absolute); absent when named. */
  root?: string;
}

export interface ExpandedInputs {
  files: InputFile[];
  /** Whether a positional was a folder or a glob: the run is a batch (skipping, summary, mirrored layout). */
  batch: boolean;
  /** Folders and globs that gave no supported file. */
  empty: string[];
}

export interface ExpandOptions {
  /** Supported extensions, lower case, without the dot. */
  extensions: readonly string[];
  recursive: boolean;
  /** The output folder: never searched (its PNGs are results, not inputs). */
  outDir: string;
}

/** A positional with a wildcard that is not itself an existing file's name. */
export function isGlob(text: string): boolean {
  return /[*?]/.test(text) && !existsSync(text);
}

/**
 * Expands the positionals. A named file is kept as it is, whatever its extension (an unsupported one fails
 * when read, as before); a folder or a glob gives its supported files only, without dot-files, dot-folders and
 * the output folder. In a batch the list is sorted and deduplicated; otherwise it is the positionals unchanged.
 */
export async function expandInputs(positionals: string[], options: ExpandOptions): Promise<ExpandedInputs> {
  const outDir = path.resolve(options.outDir);
  const supported = (name: string): boolean => options.extensions.includes(path.extname(name).slice(1).toLowerCase());
  const named: InputFile[] = [];
  const found: InputFile[] = [];
  const empty: string[] = [];
  let batch = false;
  for (const positional of positionals) {
    if (isDirectory(positional)) {
      batch = true;
      const root = path.resolve(positional);
      const files = await walk(positional, root, options.recursive, outDir, supported);
      if (files.length === 0) empty.push(positional);
      found.push(...files.map((file) => ({ file, absolute: path.resolve(file), root })));
    } else if (isGlob(positional)) {
      batch = true;
      const { base, segments } = splitGlob(positional);
      const root = path.resolve(base);
      const files = (await globFiles(base, segments, outDir)).filter((file) => supported(file));
      if (files.length === 0) empty.push(positional);
      found.push(...files.map((file) => ({ file, absolute: path.resolve(file), root })));
    } else {
      named.push({ file: positional, absolute: path.resolve(positional) });
    }
  }
  if (!batch) return { files: named, batch, empty };
  const unique = new Map<string, InputFile>();
  for (const input of [...named, ...found]) if (!unique.has(input.absolute)) unique.set(input.absolute, input);
  const files = [...unique.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, batch, empty };
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The supported files of a folder (display paths), descending into non-dot subfolders when `recursive`. */
async function walk(
  dir: string,
  absolute: string,
  recursive: boolean,
  outDir: string,
  supported: (name: string) => boolean,
): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await listEntries(dir)) {
    if (entry.name.startsWith('.')) continue;
    const file = path.join(dir, entry.name);
    const kind = await entryKind(entry, file);
    if (kind === 'file' && supported(entry.name) && !isResult(file, outDir)) out.push(file);
    else if (kind === 'dir' && recursive && path.join(absolute, entry.name) !== outDir)
      out.push(...(await walk(file, path.join(absolute, entry.name), recursive, outDir, supported)));
  }
  return out;
}

interface Entry {
  name: string;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

async function listEntries(dir: string): Promise<Entry[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // An unreadable subfolder is skipped, like one that holds no supported file.
    return [];
  }
}

/** Files and folders; a symbolic link counts as the file it points to, never as a folder (no cycles). */
async function entryKind(entry: Entry, file: string): Promise<'file' | 'dir' | 'other'> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'dir';
  if (entry.isSymbolicLink()) {
    try {
      return (await stat(file)).isFile() ? 'file' : 'other';
    } catch {
      return 'other';
    }
  }
  return 'other';
}

/** A file inside the output folder that is one of dax's own results (so `--out` may be the input folder). */
function isResult(file: string, outDir: string): boolean {
  if (!isInside(outDir, path.resolve(file))) return false;
  return /\.(saliency|overlay|mask)\.png$|\.(kept|removed)\.wav$/i.test(file);
}

/** The glob's fixed leading folders (`.` when none) and its remaining segments. */
export function splitGlob(pattern: string): { base: string; segments: string[] } {
  const parts = pattern.split(/[\\/]+/);
  const absolute = pattern.startsWith('/');
  const first = parts.findIndex((part) => /[*?]/.test(part));
  const fixed = parts.slice(0, first).filter((part, i) => part !== '' || i > 0);
  const base = absolute ? '/' + fixed.filter(Boolean).join('/') : fixed.join('/') || '.';
  const segments = parts.slice(first).filter(Boolean);
  // A trailing `**` means every file below.
  if (segments[segments.length - 1] === '**') segments.push('*');
  return { base, segments };
}

/** `*` any run of characters, `?` one character, neither a `/` nor a leading dot; the rest literal. */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (const char of segment)
    source += char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}

/** Files under `base` whose path below it matches the segments (`**` = any number of non-dot folders). */
async function globFiles(base: string, segments: string[], outDir: string): Promise<string[]> {
  const out = new Set<string>();
  const visit = async (dir: string, index: number): Promise<void> => {
    const segment = segments[index]!;
    if (segment === '**') {
      await visit(dir, index + 1);
      for (const entry of await listEntries(dir)) {
        const sub = path.join(dir, entry.name);
        if (!entry.name.startsWith('.') && path.resolve(sub) !== outDir && (await entryKind(entry, sub)) === 'dir')
          await visit(sub, index);
      }
      return;
    }
    const pattern = segmentRegExp(segment);
    const last = index === segments.length - 1;
    for (const entry of await listEntries(dir)) {
      if (!pattern.test(entry.name)) continue;
      const file = path.join(dir, entry.name);
      const kind = await entryKind(entry, file);
      if (last && kind === 'file' && !isResult(file, outDir)) out.add(file);
      else if (!last && kind === 'dir' && path.resolve(file) !== outDir) await visit(file, index + 1);
    }
  };
  await visit(base, 0);
  return [...out];
}

/** Where one input's results go: a folder, and the stem its files are named after. */
export interface OutputLocation {
  dir: string;
  stem: string;
}

/**
 * Outside a batch, `<out>/<stem>` as always. In a batch, a file found under a folder or a glob goes to
 * `<out>/<its folder relative to that root>/<stem>`, a named file to `<out>/<stem>`. Inputs that would still
 * share a name (`a.jpg` and `a.png`, two named files `a/x.png b/x.png`, or two roots with the same layout) keep
 * their extension in the stem and, if that is not enough, take their folder relative to the common ancestor of all
 * the inputs, so that no input's results overwrite another's.
 */
export function outputLocations(files: InputFile[], outDir: string, batch: boolean): OutputLocation[] {
  const stemOf = (file: string): string => path.basename(file).replace(/\.[^.]+$/, '');
  const first = files.map((input) => ({
    dir: batch && input.root ? path.join(outDir, path.dirname(path.relative(input.root, input.absolute))) : outDir,
    stem: stemOf(input.file),
  }));
  const withExtension = first.map((location, i) =>
    clashing(first)[i] ? { ...location, stem: path.basename(files[i]!.file) } : location,
  );
  const still = clashing(withExtension);
  if (!still.some(Boolean)) return withExtension;
  const ancestor = commonAncestor(files.map((input) => path.dirname(input.absolute)));
  return withExtension.map((location, i) =>
    still[i]
      ? {
          dir: path.join(outDir, path.relative(ancestor, path.dirname(files[i]!.absolute))),
          stem: path.basename(files[i]!.file),
        }
      : location,
  );
}

/** For each location, whether another one has the same folder and stem (ignoring case, for case-blind disks). */
function clashing(locations: OutputLocation[]): boolean[] {
  const key = (location: OutputLocation): string => path.join(location.dir, location.stem).toLowerCase();
  const counts = new Map<string, number>();
  for (const location of locations) counts.set(key(location), (counts.get(key(location)) ?? 0) + 1);
  return locations.map((location) => counts.get(key(location))! > 1);
}

function commonAncestor(dirs: string[]): string {
  let ancestor = dirs[0] ?? path.sep;
  for (const dir of dirs) {
    while (!isInside(ancestor, dir) && path.dirname(ancestor) !== ancestor) ancestor = path.dirname(ancestor);
  }
  return ancestor;
}

/** Whether `file` is `dir` or lies below it (both absolute). */
function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '..' && !relative.startsWith('..' + path.sep) && !path.isAbsolute(relative);
}
