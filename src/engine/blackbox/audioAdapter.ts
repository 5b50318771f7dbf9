// A sound classifier over any tensor runtime: the input shape read against the description's `audio` object,
// clips cut into the model's windows and batched (audioWindows.ts), one row of class scores per clip.
import { DaxError } from '../core/errors';
import type { AudioClassifier, ImageBatch, OpenOptions } from './classifier';
import { audioInputLayout, checkWindowOutput, classifyWindows, requireAudio, type RunWindows } from './audioWindows';
import type { ModelConfig } from './modelConfig';
import { openTensorRuntime, type TensorRuntime } from './runtimes/tensorRuntime';
import { toProbabilities } from './tensorLayout';

const HINT = 'Check "audio" in the model configuration.';

/**
 * Opens an ONNX or TF.js sound classifier described by `config.audio` and checks its input before any query. A
 * waveform model takes [samples], [batch, samples] or [batch, 1, samples]; a spectrogram model [batch, rows,
 * frames] or [batch, 1, rows, frames]. A fixed length is the window; a free length takes `audio.window` or, without
 * one, each clip whole.
 */
export async function openTensorAudioClassifier(
  config: ModelConfig,
  options: OpenOptions = {},
): Promise<AudioClassifier> {
  const audio = requireAudio(config);
  const runtime = await openTensorRuntime(config, audio.name);
  try {
    return audioClassifier(runtime, config, options);
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}

function audioClassifier(runtime: TensorRuntime, config: ModelConfig, options: OpenOptions): AudioClassifier {
  const audio = requireAudio(config);
  const { file } = runtime;
  const { name, shape, dtype } = runtime.input;
  if (dtype === 'not a tensor')
    throw new DaxError(
      'model',
      `input "${name}" is not a tensor; an audio classifier needs a float32 tensor input.`,
      file,
    );
  if (dtype !== undefined && dtype !== 'float32') {
    throw new DaxError(
      'model',
      `input "${name}" [${shape.join(', ')}] is ${dtype}; only float32 audio inputs are supported. Export the model with a float32 input ` +
        '(a Cast inside the graph), or wrap it in a predict module.',
      file,
    );
  }
  const output = runtime.output.name;
  const what = output ? `output "${output}"` : 'its output';
  // Only fixed dims are known now; a named middle one is checked on the first answer.
  if (runtime.output.shape) checkWindowOutput(runtime.output.shape, what, file);
  const layout = audioInputLayout(shape, audio, `input "${name}"`, file, runtime.channels);
  const batchSize = layout.batched ? config.batchSize : 1;
  const description = `${runtime.label}: ${name} float32[${shape.join(',')}] ${layout.text}${output ? ` → ${output}` : ''}`;

  const run: RunWindows = async (data, count, span) => {
    const answer = await runtime.run(data, layout.dims(count, span), HINT);
    checkWindowOutput(answer.dims, what, file);
    return toProbabilities(answer.values, count, config.output, file);
  };

  return {
    config,
    modality: 'audio',
    sampleRate: audio.sampleRate,
    feature: audio.feature,
    labels: config.labels,
    description,
    classify(batch: ImageBatch, signal?: AbortSignal) {
      return classifyWindows(batch.images, layout.framing, batchSize, signal, file, run, {
        source: file,
        timeoutMs: options.callTimeoutMs,
      });
    },
    dispose: () => runtime.dispose(),
  };
}
