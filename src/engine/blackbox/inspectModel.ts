// What a model file says about its image input before anyone has described it: Select Model asks only for what
// the file leaves open (a dynamic height or width), instead of saving a description that cannot run.
import { DaxError } from '../core/errors';
import type { ModelInspection } from '../../shared/protocol';
import type { ModelConfig } from './modelConfig';
import { openTensorRuntime } from './runtimes/tensorRuntime';
import { imageInputAxes } from './tensorLayout';

/**
 * Opens the model a description names just long enough to read its first (or named) input; a file that is not a
 * model fails here, with the same `model` error an explanation would give. A predict module says nothing about
 * its input, so all of it is open. TF.js models need the TF.js backend started first (initBackend).
 */
export async function inspectModel(config: ModelConfig): Promise<ModelInspection> {
  const file = config.path;
  if (config.kind === 'module' || config.kind === 'kserve')
    return { kind: config.kind, inputName: undefined, shape: undefined, open: ['width', 'height'] };
  const runtime = await openTensorRuntime(config, config.input.name);
  const { name: inputName, shape } = runtime.input;
  await runtime.dispose();
  if (shape.length !== 4) {
    throw new DaxError(
      'model',
      `input "${inputName}" has shape [${shape.join(', ')}]; an image classifier needs a 4-D input (batch, channels and size).`,
      file,
    );
  }
  const axes = imageInputAxes(shape, config.input.layout);
  const open: ModelInspection['open'] = [];
  if (axes.height === undefined) open.push('height');
  if (axes.width === undefined) open.push('width');
  return {
    kind: config.kind,
    inputName,
    shape,
    layout: axes.layout,
    height: axes.height,
    width: axes.width,
    channels: axes.channels,
    open,
  };
}
