// Loads TF.js model artifacts (model.json + weight shards) from local files: `file://` exists only in tfjs-node.
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { io } from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DaxError } from '../core/errors';
import { readWeightShard, tfjsWeightShards } from './tfjsShards';

/** An IOHandler that reads a TF.js `model.json` and the shards its weights manifest names, from disk. */
export function fileModelHandler(modelJson: string): io.IOHandler {
  return {
    async load(): Promise<io.ModelArtifacts> {
      let json: io.ModelJSON;
      try {
        json = JSON.parse(await readFile(modelJson, 'utf8')) as io.ModelJSON;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new DaxError(
          'model',
          code ? `cannot read the model (${code}).` : 'is not a TF.js model.json (invalid JSON).',
          modelJson,
        );
      }
      if (typeof json !== 'object' || json === null || !('modelTopology' in json)) {
        throw new DaxError('model', 'is not a TF.js model.json (no "modelTopology").', modelJson);
      }
      // Every shard is checked (inside the model's folder, a regular file, the size its weights need) before any is read.
      const shards = await tfjsWeightShards(modelJson, json.weightsManifest);
      const weightSpecs: io.WeightsManifestEntry[] = (json.weightsManifest ?? []).flatMap((group) => group.weights);
      const buffers: Uint8Array[] = [];
      for (const shard of shards) buffers.push(await readWeightShard(modelJson, shard));
      const total = buffers.reduce((sum, b) => sum + b.length, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const buffer of buffers) {
        weightData.set(buffer, offset);
        offset += buffer.length;
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        modelInitializer: json.modelInitializer,
        weightSpecs,
        weightData: weightData.buffer,
      };
    },
  };
}

/** An IOHandler that writes `model.json` and one `weights.bin` shard; tests use it to build models on disk. */
export function fileModelWriter(directory: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(directory, { recursive: true });
      const weights = artifacts.weightData
        ? new Uint8Array(
            Array.isArray(artifacts.weightData) ? concatBuffers(artifacts.weightData) : artifacts.weightData,
          )
        : new Uint8Array(0);
      await writeFile(path.join(directory, 'weights.bin'), weights);
      const modelJson: io.ModelJSON = {
        modelTopology: artifacts.modelTopology as io.ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(path.join(directory, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length },
      };
    },
  };
}

function concatBuffers(buffers: ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    out.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return out.buffer;
}

/** A TF.js `model.json` loaded from local files: a graph model or a layers model, told apart by its topology. */
export async function loadTfjsModel(file: string): Promise<{ graph?: GraphModel; layers?: LayersModel }> {
  let topology: unknown;
  let format: string | undefined;
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as { modelTopology?: unknown; format?: string };
    topology = json.modelTopology;
    format = json.format;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DaxError(
      'model',
      code ? `cannot read the model (${code}).` : 'is not a TF.js model.json (invalid JSON).',
      file,
    );
  }
  if (typeof topology !== 'object' || topology === null)
    throw new DaxError('model', 'is not a TF.js model.json (no "modelTopology").', file);
  const isGraph = format === 'graph-model' || 'node' in topology;
  let graph: GraphModel | undefined;
  let layers: LayersModel | undefined;
  try {
    if (isGraph) graph = await loadGraphModel(fileModelHandler(file));
    else layers = await loadLayersModel(fileModelHandler(file));
  } catch (error) {
    if (error instanceof DaxError) throw error;
    throw new DaxError(
      'model',
      `the TF.js ${isGraph ? 'graph' : 'layers'} model could not be loaded (${(error as Error).message.split('\n')[0]}).`,
      file,
      { cause: error },
    );
  }
  return { graph, layers };
}
