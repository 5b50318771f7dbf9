// What can be told about a configured model before the worker loads it: a model file that is not there, or a path
// that names no kind of model, reported with the setting that names it. No `vscode` import, so Node tests run it.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** A configured model as far as the check needs it. */
export interface ModelEntry {
  description: Record<string, unknown>;
  /** The folder relative paths start from. */
  baseDir: string;
  /** The setting that holds it, e.g. `dax.models[0]`, and where ("the workspace settings"). */
  setting: string;
  where: string;
}

/** The file kinds a model path can be (as the engine infers them from the name). */
const MODEL_FILES = /\.(onnx|json|c?js|mjs)$/i;

/**
 * Why `entry` cannot run, naming its setting, or undefined when it may (a served model, or a file that is there;
 * the worker checks the rest).
 */
export function modelProblem(entry: ModelEntry): string | undefined {
  const { description } = entry;
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
