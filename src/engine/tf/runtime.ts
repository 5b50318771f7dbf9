// Chooses and starts the TF.js backend that trains the DAX networks and runs TF.js black boxes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's node entry registers no gradients; training needs them whether or not tfjs-layers was loaded.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DaxError } from '../core/errors';
import { registerWasmTrainingKernels } from './wasmTrainingKernels';

export { tf };

/** Which backend to use: `auto` tries tfjs-node ("tensorflow"), then wasm, then cpu. */
export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The backend that ran, and why it was chosen over the ones before it. */
export interface BackendInfo {
  name: 'tensorflow' | 'wasm' | 'cpu';
  notes: string[];
}

let current: Promise<BackendInfo> | undefined;
let currentPreference: BackendPreference | undefined;

/** Starts the preferred backend once per process; later calls with the same preference reuse it. */
export function initBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (current && currentPreference === preference) return current;
  currentPreference = preference;
  current = start(preference);
  return current;
}

async function start(preference: BackendPreference): Promise<BackendInfo> {
  const notes: string[] = [];
  if (preference === 'auto' || preference === 'tensorflow') {
    const loaded = tryLoadTfjsNode();
    if (loaded === true && (await tf.setBackend('tensorflow'))) return { name: 'tensorflow', notes };
    notes.push(`tfjs-node not used: ${loaded === true ? 'its backend did not start' : loaded}`);
    if (preference === 'tensorflow')
      throw new DaxError(
        'usage',
        `The "tensorflow" backend is not available (${notes[0]}). Install @tensorflow/tfjs-node or choose "wasm".`,
      );
  }
  if (preference === 'auto' || preference === 'wasm') {
    try {
      setWasmPaths(wasmDirectory());
      registerWasmTrainingKernels();
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { name: 'wasm', notes };
      }
      notes.push('wasm backend did not start');
    } catch (error) {
      notes.push(`wasm backend failed: ${(error as Error).message}`);
    }
    if (preference === 'wasm') throw new DaxError('usage', `The wasm backend is not available (${notes.join('; ')}).`);
  }
  await tf.setBackend('cpu');
  await tf.ready();
  notes.push('using the pure-JavaScript cpu backend (20-50x slower than wasm)');
  return { name: 'cpu', notes };
}

/** Where the wasm binaries are: next to the bundle when bundled, else in the installed package. */
export function wasmDirectory(): string {
  if (existsSync(path.join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname + path.sep;
  // The package's main file (dist/tf-backend-wasm.node.js) sits beside its .wasm files.
  return path.dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

function tryLoadTfjsNode(): true | string {
  try {
    // Optional dependency: its install downloads libtensorflow, which many machines cannot reach.
    const requireHere = createRequire(__filename);
    const name = '@tensorflow/tfjs-node';
    requireHere(name);
    return tf.findBackend('tensorflow') ? true : 'it loaded but registered no backend';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'MODULE_NOT_FOUND'
      ? 'not installed'
      : `failed to load (${(error as Error).message.split('\n')[0]})`;
  }
}
