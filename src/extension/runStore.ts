// Finished results in the workspace's storage, keyed by what determines them: the input's content, the model
// file's content, and the configuration. Explaining the same thing again finds the result here at once.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ExplanationReport } from '../shared/report';
import { upgradeReport } from '../shared/reportUpgrade';
import type { DisplayPixels, ExplainJob, FolderRow, FolderSummary, RunSummary, RunView } from '../shared/protocol';
import { checkExplainJob, isRunKey } from '../shared/jobCheck';
import { modelFiles, resolveModelSetting } from '../engine/blackbox/modelFiles';

/** How many results the history keeps; the oldest go first. */
export const HISTORY_LIMIT = 50;

const FOLDER_SUMMARY_FILE = 'folder-summary.json';

/** A batch that ended (finished, cancelled, or cut off by a reload): rows that never ran become cancelled. */
export function closeFolderSummary(summary: FolderSummary, state: 'done' | 'cancelled'): FolderSummary {
  const rows = summary.rows.map((row): FolderRow =>
    row.status === 'pending' || row.status === 'running' ? { file: row.file, status: 'cancelled' } : row,
  );
  return { ...summary, rows, done: rows.length, state };
}

export interface Entry {
  summary: RunSummary;
  job: ExplainJob;
  reportFile: string;
}

/**
 * A stored entry. Entries written before a job's input was called its input (sounds are inputs too) name it
 * `imageFile` and the summary's `imageName`; they are read as the new names, so older results stay in the history
 * and can be run again.
 */
export function parseEntry(text: string): Entry {
  const entry = JSON.parse(text) as Entry;
  const summary = entry.summary as RunSummary & { imageName?: string };
  const job = entry.job as ExplainJob & { imageFile?: string };
  if (summary.inputName === undefined && typeof summary.imageName === 'string') {
    const { imageName, ...rest } = summary;
    entry.summary = { ...rest, inputName: imageName };
  }
  if (job.inputFile === undefined && typeof job.imageFile === 'string') {
    const { imageFile, ...rest } = job;
    entry.job = { ...rest, inputFile: imageFile };
  }
  return entry;
}

export class RunStore {
  private readonly fileHashes = new Map<string, { mtimeMs: number; size: number; hash: Promise<string> }>();

  constructor(private readonly root: string) {}

  /** The folder a job with this key writes its files into; a key that is not one the store makes is refused. */
  folder(key: string): string {
    if (!isRunKey(key)) throw new Error(`not a result key: ${JSON.stringify(key).slice(0, 80)}`);
    return path.join(this.root, 'results', key);
  }

  /** A fresh folder for the files of one comparison (comparisons are not cached: they are for looking at). */
  comparisonFolder(): string {
    return path.join(this.root, 'comparisons', String(Date.now()));
  }

  /**
   * The cache key of a job: input content, the content of the model's files (the description file it names, the
   * model file and, for TF.js, its weight shards) and every setting.
   */
  async keyOf(job: ExplainJob): Promise<string> {
    const hash = createHash('sha256');
    hash.update(await this.fileHash(job.inputFile));
    for (const file of await jobModelFiles(job)) hash.update(await this.fileHash(file).catch(() => 'missing'));
    const { inputFile: _image, outDir: _out, ...settings } = job;
    hash.update(JSON.stringify(settings));
    return hash.digest('hex').slice(0, 32);
  }

  async get(key: string): Promise<RunView | undefined> {
    try {
      const entry = parseEntry(await readFile(path.join(this.folder(key), 'entry.json'), 'utf8'));
      // A result stored by an earlier version has an older report format; the panel reads the current one.
      const report = upgradeReport(JSON.parse(await readFile(entry.reportFile, 'utf8')));
      // As recorded: `cached` marks only a result that answered an explain request from the cache (the runner sets it).
      return {
        summary: { ...entry.summary, cached: false },
        report,
        display: await readDisplay(path.join(this.folder(key), 'display.bin')),
      };
    } catch {
      return undefined;
    }
  }

  /** Records a finished run whose files the worker wrote into `folder(key)`. */
  async put(key: string, job: ExplainJob, report: ExplanationReport, display: DisplayPixels): Promise<RunView> {
    const folder = this.folder(key);
    await mkdir(folder, { recursive: true });
    await writeDisplay(path.join(folder, 'display.bin'), display);
    const summary: RunSummary = {
      key,
      inputName: path.basename(job.inputFile),
      modelName: report.model.name,
      method: job.method,
      targetLabel: report.target.label ?? `class ${report.target.index}`,
      probability: report.target.probability,
      finishedAt: Date.now(),
      cached: false,
    };
    const entry: Entry = { summary, job, reportFile: report.outputs?.report ?? '' };
    const temporary = path.join(folder, 'entry.json.partial');
    await writeFile(temporary, JSON.stringify(entry, null, 2));
    // The entry appears last and atomically: a folder without entry.json is an unfinished run, never shown.
    await rename(temporary, path.join(folder, 'entry.json'));
    await this.evict();
    return { summary, report, display };
  }

  /**
   * Replaces a stored result's report (in its report file) and, when `displayChanged`, its display, as a ground
   * truth given later changes them (an image's pixels stay as they were: megabytes not rewritten). Each file is
   * written beside itself and renamed over it, so a failure leaves the old one whole.
   */
  async update(view: RunView, displayChanged: boolean): Promise<void> {
    const file = view.report.outputs?.report;
    if (!file) throw new Error('the result has no report file');
    await writeFile(`${file}.partial`, JSON.stringify(view.report, null, 2));
    await rename(`${file}.partial`, file);
    if (!displayChanged) return;
    const display = path.join(this.folder(view.summary.key), 'display.bin');
    await writeDisplay(`${display}.partial`, view.display);
    await rename(`${display}.partial`, display);
  }

  /** Summaries of the stored results, newest first. */
  async history(): Promise<RunSummary[]> {
    const results = path.join(this.root, 'results');
    let names: string[];
    try {
      names = await readdir(results);
    } catch {
      return [];
    }
    const summaries: RunSummary[] = [];
    for (const name of names) {
      if (!isRunKey(name)) continue;
      try {
        const entry = parseEntry(await readFile(path.join(results, name, 'entry.json'), 'utf8'));
        summaries.push({ ...entry.summary, cached: false });
      } catch {
        // An unfinished or foreign folder: not a result.
      }
    }
    return summaries.sort((a, b) => b.finishedAt - a.finishedAt);
  }

  /** The stored job of a result (to re-run it or explain another class), checked as a new one is. */
  async jobOf(key: string): Promise<ExplainJob | undefined> {
    try {
      return checkExplainJob(parseEntry(await readFile(path.join(this.folder(key), 'entry.json'), 'utf8')).job);
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps the summary of the last folder batch, so that the panel shows it again after a window reload. Written
   * atomically: a reload during the write leaves the previous summary, never half of one.
   */
  async saveFolderSummary(summary: FolderSummary): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const file = path.join(this.root, FOLDER_SUMMARY_FILE);
    await writeFile(`${file}.partial`, JSON.stringify(summary));
    await rename(`${file}.partial`, file);
  }

  /**
   * The last folder batch's summary, or undefined when there is none or it cannot be read. A batch that was still
   * running when the window closed did not finish: its waiting and running rows come back as cancelled.
   */
  async loadFolderSummary(): Promise<FolderSummary | undefined> {
    let summary: FolderSummary;
    try {
      summary = JSON.parse(await readFile(path.join(this.root, FOLDER_SUMMARY_FILE), 'utf8')) as FolderSummary;
    } catch {
      return undefined;
    }
    if (!summary || !Array.isArray(summary.rows) || typeof summary.folderPath !== 'string') return undefined;
    return summary.state === 'running' ? closeFolderSummary(summary, 'cancelled') : summary;
  }

  async remove(key: string): Promise<void> {
    await rm(this.folder(key), { recursive: true, force: true });
  }

  private async evict(): Promise<void> {
    const all = await this.history();
    for (const old of all.slice(HISTORY_LIMIT)) await this.remove(old.key);
  }

  private async fileHash(file: string): Promise<string> {
    const { mtimeMs, size } = await stat(file);
    const known = this.fileHashes.get(file);
    if (known && known.mtimeMs === mtimeMs && known.size === size) return known.hash;
    const hash = new Promise<string>((resolve, reject) => {
      const digest = createHash('sha256');
      createReadStream(file)
        .on('data', (chunk) => digest.update(chunk))
        .on('end', () => resolve(digest.digest('hex')))
        .on('error', reject);
    });
    this.fileHashes.set(file, { mtimeMs, size, hash });
    hash.catch(() => this.fileHashes.delete(file));
    return hash;
  }
}

/**
 * display.bin: width, height (u32 LE), RGB bytes, saliency bytes. A sound's result adds audio.json (its facts and
 * the lengths of its arrays) and audio.bin (the original, kept and removed samples and the time curve, float32).
 */
async function writeDisplay(file: string, display: DisplayPixels): Promise<void> {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(display.width, 0);
  header.writeUInt32LE(display.height, 4);
  await writeFile(
    file,
    Buffer.concat([
      header,
      Buffer.from(display.rgb.buffer, display.rgb.byteOffset, display.rgb.length),
      Buffer.from(display.saliency.buffer, display.saliency.byteOffset, display.saliency.length),
    ]),
  );
  if (!display.audio) return;
  const { original, kept, removed, timeSaliency, ...facts } = display.audio;
  const arrays = [original, kept, removed, timeSaliency];
  await writeFile(
    path.join(path.dirname(file), 'audio.json'),
    JSON.stringify({ ...facts, lengths: arrays.map((a) => a.length) }),
  );
  await writeFile(
    path.join(path.dirname(file), 'audio.bin'),
    Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))),
  );
}

async function readDisplay(file: string): Promise<DisplayPixels> {
  const data = await readFile(file);
  const width = data.readUInt32LE(0);
  const height = data.readUInt32LE(4);
  const pixels = width * height;
  if (data.length !== 8 + pixels * 4) throw new Error(`${file} is truncated`);
  const display: DisplayPixels = {
    width,
    height,
    rgb: new Uint8Array(data.buffer, data.byteOffset + 8, pixels * 3),
    saliency: new Uint8Array(data.buffer, data.byteOffset + 8 + pixels * 3, pixels),
  };
  let facts: Omit<NonNullable<DisplayPixels['audio']>, 'original' | 'kept' | 'removed' | 'timeSaliency'> & {
    lengths: number[];
  };
  try {
    facts = JSON.parse(await readFile(path.join(path.dirname(file), 'audio.json'), 'utf8')) as typeof facts;
  } catch {
    return display;
  }
  const samples = await readFile(path.join(path.dirname(file), 'audio.bin'));
  const { lengths, ...rest } = facts;
  if (samples.length !== 4 * lengths.reduce((a, b) => a + b, 0)) throw new Error(`${file}: audio.bin is truncated`);
  // A fresh copy: the file's buffer need not be 4-byte aligned.
  const all = new Float32Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.length));
  const parts: Float32Array[] = [];
  let offset = 0;
  for (const length of lengths) {
    parts.push(all.subarray(offset, offset + length));
    offset += length;
  }
  const [original, kept, removed, timeSaliency] = parts as [Float32Array, Float32Array, Float32Array, Float32Array];
  return { ...display, audio: { ...rest, original, kept, removed, timeSaliency } };
}

/**
 * The files a job's model is read from, found as the worker finds them, after the description file it names (if
 * any). A model that cannot be resolved keys by its named file alone; the run then fails in the worker with the reason.
 */
async function jobModelFiles(job: ExplainJob): Promise<string[]> {
  const named =
    typeof job.model === 'string'
      ? path.resolve(job.modelBaseDir, job.model)
      : typeof job.model.path === 'string'
        ? path.resolve(job.modelBaseDir, job.model.path)
        : undefined;
  try {
    const files = await modelFiles(await resolveModelSetting(job.model, job.modelBaseDir));
    return named && !files.includes(named) ? [named, ...files] : files;
  } catch {
    return named ? [named] : [];
  }
}
