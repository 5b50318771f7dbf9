// Whether an input's results are already there and up to date: the report on disk was made from the same input
// content, the same model (description and file contents), the same method, settings, preset, seed and backend.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { ModelConfig } from '../engine/blackbox/modelConfig';
import { modelFiles } from '../engine/blackbox/modelFiles';
import type { ExplanationReport } from '../shared/report';
import { upgradeReport } from '../shared/reportUpgrade';

/** SHA-256 of a file's bytes, hex. */
export function fileSha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * SHA-256 over the model's files: the `.onnx` or module file, or a TF.js `model.json` and its weight shards.
 * Undefined for a served model (its description, URL and version included, is compared instead) or when the files
 * cannot be read (opening the model would have failed first).
 */
export async function modelSha256(config: ModelConfig): Promise<string | undefined> {
  if (config.kind === 'kserve') return undefined;
  try {
    // The same shards, checked the same way, as loading reads: a path out of the model's folder, a device or a FIFO is
    // never opened here either (the model then fails to open with the reason).
    const files = await modelFiles(config);
    const hash = createHash('sha256');
    for (const file of files) hash.update(await fileSha256(file));
    return hash.digest('hex');
  } catch {
    return undefined;
  }
}

/** What a result must have been made with to count as up to date. */
export interface RunIdentity {
  method: string;
  preset: string;
  seed: number;
  /** The method's settings after the preset and the overrides, as the report's `config` holds them. */
  settings: object;
  model: ModelConfig;
  modelSha256: string | undefined;
  /** The backend that trains (the same seed repeats a run bit for bit on the same backend only). */
  backend: string;
  /** Deletion/insertion, when asked for: the report must hold it, measured the same way. */
  faithfulness?: { substrate?: string; steps: number };
}

/** The key under which the CLI records the model files' hash in a report's `config`. */
export const MODEL_SHA256_KEY = 'modelSha256';

/**
 * The report at `reportFile` when it was made from this input (by content) with this identity and every file it
 * lists under `outputs` (at the paths given now) exists; undefined otherwise (missing, unreadable, stale).
 * `inputSha256` is asked for only when such a report is there and matches the identity: hashing reads the whole
 * input, which for a file that is then refused from its header (a sparse 1 GB WAV) would be seconds for nothing.
 */
export async function upToDateReport(
  reportFile: string,
  outputs: Record<string, string>,
  inputSha256: () => Promise<string | undefined>,
  identity: RunIdentity,
): Promise<ExplanationReport | undefined> {
  let report: ExplanationReport;
  try {
    // A schema-1 report (before the `training` section) still counts as up to date once upgraded: schema 2 only
    // moved the training's facts, so the explanation (map, classes, measurements) is the one a run would make now,
    // and a batch need not redo it. Its file stays as it was (a skipped input writes nothing); the summary and
    // --json show it upgraded. A format newer than this code is not read (upgradeReport throws): explained again.
    report = upgradeReport(JSON.parse(await readFile(reportFile, 'utf8')));
  } catch {
    return undefined;
  }
  if (!isCurrent(report, identity)) return undefined;
  const sha256 = typeof report.input?.sha256 === 'string' ? await inputSha256() : undefined;
  if (sha256 === undefined || report.input.sha256 !== sha256) return undefined;
  try {
    await Promise.all(Object.values(outputs).map((file) => access(file)));
  } catch {
    return undefined;
  }
  return { ...report, outputs: outputs as unknown as ExplanationReport['outputs'] };
}

function isCurrent(report: ExplanationReport, identity: RunIdentity): boolean {
  if (report.method !== identity.method || report.preset !== identity.preset || report.seed !== identity.seed)
    return false;
  if (report.backend?.name !== identity.backend) return false;
  const config = report.config ?? {};
  if (!sameJson(config.model, identity.model) || config[MODEL_SHA256_KEY] !== identity.modelSha256) return false;
  for (const [key, value] of Object.entries(identity.settings))
    if (!(key in config) || !sameJson(config[key], value)) return false;
  const faithfulness = identity.faithfulness;
  if (
    faithfulness &&
    (report.faithfulness?.steps !== faithfulness.steps ||
      (faithfulness.substrate !== undefined && report.faithfulness.substrate !== faithfulness.substrate))
  )
    return false;
  return true;
}

/** Equal once written as JSON (which is how the report holds it), whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(JSON.parse(JSON.stringify(a ?? null))) === canonical(JSON.parse(JSON.stringify(b ?? null)));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
