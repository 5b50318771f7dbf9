// One entry point from a model description to a ready black box, whatever its kind.
import type { ImageClassifier } from './classifier';
import type { ModelConfig } from './modelConfig';
import { openModuleClassifier } from './moduleClassifier';
import { openOnnxClassifier } from './onnxClassifier';
import { openTfjsClassifier } from './tfjsClassifier';

/** Opens the black box a description names; TF.js models need the TF.js backend started first (initBackend). */
export function openClassifier(config: ModelConfig): Promise<ImageClassifier> {
  switch (config.kind) {
    case 'onnx':
      return openOnnxClassifier(config);
    case 'tfjs':
      return openTfjsClassifier(config);
    case 'module':
      return openModuleClassifier(config);
  }
}
