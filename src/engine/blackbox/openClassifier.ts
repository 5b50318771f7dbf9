// One entry point from a model description to a ready black box, whatever its kind.
import type { ImageClassifier } from './classifier';
import { openKserveClassifier, type KserveOpenOptions } from './kserve/adapters';
import type { ModelConfig } from './modelConfig';
import { openModuleClassifier } from './moduleClassifier';
import { openTensorImageClassifier } from './imageAdapter';

/**
 * Opens the black box a description names; TF.js models need the TF.js backend started first (initBackend).
 * `options.callTimeoutMs` bounds each call into the model; the other options apply to served (`kserve`) models only:
 * where their resume journal goes, say.
 */
export function openClassifier(config: ModelConfig, options: KserveOpenOptions = {}): Promise<ImageClassifier> {
  switch (config.kind) {
    case 'onnx':
    case 'tfjs':
      return openTensorImageClassifier(config, options);
    case 'module':
      return openModuleClassifier(config, options);
    case 'kserve':
      return openKserveClassifier(config, options);
  }
}
