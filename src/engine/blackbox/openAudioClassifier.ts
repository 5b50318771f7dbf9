// One entry point from an audio model's description to a ready sound classifier, whatever its kind.
import { DaxError } from '../core/errors';
import type { AudioClassifier } from './classifier';
import { openKserveAudioClassifier, type KserveOpenOptions } from './kserve/adapters';
import type { ModelConfig } from './modelConfig';
import { openAudioModuleClassifier } from './moduleClassifier';
import { openTensorAudioClassifier } from './audioAdapter';

/**
 * Opens the sound classifier a description names (it must have an `"audio"` object); TF.js models need the
 * TF.js backend started first (initBackend). `options.callTimeoutMs` bounds each call into the model; the other options apply to served (`kserve`) models only.
 */
export function openAudioClassifier(config: ModelConfig, options: KserveOpenOptions = {}): Promise<AudioClassifier> {
  if (!config.audio) {
    return Promise.reject(
      new DaxError(
        'usage',
        'is not described as an audio model: the description needs an "audio" object (at least {"sampleRate": …}).',
        config.path,
      ),
    );
  }
  switch (config.kind) {
    case 'onnx':
    case 'tfjs':
      return openTensorAudioClassifier(config, options);
    case 'module':
      return openAudioModuleClassifier(config, options);
    case 'kserve':
      return openKserveAudioClassifier(config, options);
  }
}
