// What can be told about a configured model before the worker loads it: a model file that is not there, or a path
// that names no kind of model, reported with the setting that names it. No `vscode` import, so Node tests run it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A configured model as far as the check needs it. */
export interface ModelEntry {
  description: Record<string, unknown>;
  /** The folder relative paths start from. */
  baseDir: string;
  /** The setting that holds it, e.g. `dax.models[0]`, and where ("the workspace settings"). */
  setting: string;
  where: string;
  /** Why the entry could not even be read (a description JSON that does not parse), from `entryFromPath`. */
  problem?: string;
}

/** The file kinds a model path can be (as the engine infers them from the name). */
const MODEL_FILES = /\.(onnx|json|c?js|mjs)$/i;

/**
 * Why `entry` cannot run, naming its setting, or undefined when it may (a served model, or a file that is there;
 * the worker checks the rest).
 */
export function modelProblem(entry: ModelEntry): string | undefined {
  const { description } = entry;
  if (entry.problem) return `${entry.setting} (in ${entry.where}) names a model that cannot be used: ${entry.problem}`;
  if (description.endpoint !== undefined || description.kind === 'kserve') return undefined;
  const where = `${entry.setting} (in ${entry.where})`;
  if (typeof description.path !== 'string' || description.path === '')
    return `${where} has no "path": give the model file (.onnx, a TF.js model.json or a .js/.mjs predict module), or an "endpoint".`;
  const file = path.resolve(entry.baseDir, description.path);
  if (!existsSync(file))
    return `the model file ${file} named by ${where} does not exist. Correct its "path" (relative paths start at ${entry.baseDir}).`;
  if (statSync(file).isDirectory())
    return `${where} names the folder ${file}; its "path" must be the model file itself (.onnx, model.json or .js).`;
  if (description.kind === undefined && !MODEL_FILES.test(file)) {
    return `${where} names ${path.basename(file)}, which is not a model file DAX knows by its name (.onnx, a TF.js model.json, a .js/.mjs predict module); correct its "path", or say what it is with "kind".`;
  }
  return undefined;
}

/**
 * A `dax.models` entry written as a string, as `--model` takes it on the command line: the path of a model
 * description JSON (its relative paths then start at its own folder) or of a model file with default preprocessing.
 * A description that cannot be read becomes a `problem` naming the file, rather than an entry dropped in silence;
 * `describes` tells a description from a model file.
 */
export function entryFromPath(
  value: string,
  baseDir: string,
): { description: Record<string, unknown>; baseDir: string; describes: boolean } | { problem: string } {
  const file = path.resolve(baseDir, value);
  if (!/\.json$/i.test(file) || !existsSync(file) || statSync(file).isDirectory())
    return { description: { path: value, name: path.basename(file) }, baseDir, describes: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { problem: `the model description ${file} is not valid JSON (${(error as Error).message}).` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { problem: `the model description ${file} must be a JSON object with "path" (or "endpoint").` };
  // A TF.js model.json is itself the model, used with default preprocessing.
  if ('modelTopology' in parsed)
    return { description: { path: value, name: path.basename(file) }, baseDir, describes: false };
  const description = parsed as Record<string, unknown>;
  return {
    description: { name: path.basename(file, path.extname(file)), ...description },
    baseDir: path.dirname(file),
    describes: true,
  };
}
