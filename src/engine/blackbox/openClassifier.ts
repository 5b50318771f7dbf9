// One entry point from a model description to a ready black box, whatever its kind.
import type { ImageClassifier } from './classifier';
import { openKserveClassifier, type KserveOpenOptions } from './kserveClassifier';
import type { ModelConfig } from './modelConfig';
import { openModuleClassifier } from './moduleClassifier';
import { openOnnxClassifier } from './onnxClassifier';
import { openTfjsClassifier } from './tfjsClassifier';

/**
 * Opens the black box a description names; TF.js models need the TF.js backend started first (initBackend).
 * `remote` applies to served (`kserve`) models only: where their resume journal goes, say.
 */
export function openClassifier(config: ModelConfig, remote: KserveOpenOptions = {}): Promise<ImageClassifier> {
  switch (config.kind) {
    case 'onnx':
      return openOnnxClassifier(config);
    case 'tfjs':
      return openTfjsClassifier(config);
    case 'module':
      return openModuleClassifier(config);
    case 'kserve':
      return openKserveClassifier(config, remote);
  }
}
