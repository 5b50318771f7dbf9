// The files whose bytes decide what a model answers. The extension's result cache and the CLI's up-to-date check
// both key a run by them, so a retrained TF.js model (same model.json, new weight shards) is never served stale.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModelConfig, parseModelConfig, type ModelConfig } from './modelConfig';
import { tfjsWeightShards } from './tfjsShards';

/**
 * The model a job or a setting names: a description object (relative paths against `baseDir`, as `dax.models`
 * holds it), or the path of a description JSON or of a model file.
 */
export function resolveModelSetting(model: Record<string, unknown> | string, baseDir: string): Promise<ModelConfig> {
  if (typeof model === 'string') return loadModelConfig(path.resolve(baseDir, model));
  return parseModelConfig(model, baseDir, `model "${String(model.name ?? model.path)}" in the dax.models setting`);
}

/**
 * The model file and, for TF.js, every weight shard its manifest lists (found the way loading finds them: inside
 * the model's folder, regular files only). None for a served model. Throws when the files cannot be read.
 */
export async function modelFiles(config: ModelConfig): Promise<string[]> {
  if (config.kind === 'kserve') return [];
  const files = [config.path];
  if (config.kind === 'tfjs') {
    const json = JSON.parse(await readFile(config.path, 'utf8')) as { weightsManifest?: unknown };
    for (const shard of await tfjsWeightShards(config.path, json.weightsManifest)) files.push(shard.file);
  }
  return files;
}
