// Select Model's questions, from a model file to a description that can run: what the file fixes is taken from it
// (the worker reads it), and only what it leaves open is asked. No `vscode` import: the prompts are passed in, so
// the walk-through is tested in Node with scripted answers.
import path from 'node:path';
import type { ModelInspection } from '../shared/protocol';

/** One option of a pick. */
export interface Choice<T> {
  label: string;
  description?: string;
  value: T;
}

/** How the wizard asks; undefined from either means the user gave up (Escape), and nothing is saved. */
export interface WizardPrompts {
  pick<T>(title: string, items: Choice<T>[]): Promise<T | undefined>;
  /** A size in pixels, `suggested` filled in; the answer is checked by `sizeProblem`. */
  askSize(what: 'height' | 'width', prompt: string, suggested: number): Promise<number | undefined>;
}

export const NORMALISATIONS: Choice<{ scale: number; mean: number[]; std: number[] }>[] = [
  { label: '0 … 1', description: 'pixels / 255', value: { scale: 255, mean: [0], std: [1] } },
  {
    label: 'ImageNet',
    description: "(pixels / 255 − mean) / std, torchvision's constants",
    value: { scale: 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  },
  { label: '−1 … 1', description: '(pixels / 255 − 0.5) / 0.5', value: { scale: 255, mean: [0.5], std: [0.5] } },
  { label: '0 … 255', description: 'raw pixel values', value: { scale: 1, mean: [0], std: [1] } },
];

/** Largest input side the wizard accepts: beyond it a query batch would not fit in memory. */
export const MAX_INPUT_SIDE = 4096;

/** Why a typed size is refused, or undefined when it is a whole number of pixels in 1..MAX_INPUT_SIDE. */
export function sizeProblem(text: string): string | undefined {
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(value) || value < 1)
    return 'A whole number of pixels, such as 224.';
  if (value > MAX_INPUT_SIDE) return `At most ${MAX_INPUT_SIDE} pixels.`;
  return undefined;
}

/**
 * The description of the image model in `file` (`relativePath` as the settings should hold it), asking for its
 * preprocessing and for every size `inspection` leaves open; undefined when the user gave up.
 */
export async function describeImageModel(
  file: string,
  relativePath: string,
  inspection: ModelInspection,
  prompts: WizardPrompts,
): Promise<Record<string, unknown> | undefined> {
  const name = path.basename(file).replace(/\.(onnx|json|c?js|mjs)$/i, '');
  const description: Record<string, unknown> = { name, path: relativePath };
  const input: Record<string, unknown> = {};
  const shown = inspection.shape ? ` (its input is [${inspection.shape.join(', ')}])` : '';
  // A predict module gets the pixels as they are, at the size the description gives.
  for (const what of inspection.open) {
    const other = what === 'height' ? inspection.width : inspection.height;
    const size = await prompts.askSize(
      what,
      inspection.kind === 'module'
        ? `The image ${what} in pixels the predict module gets.`
        : `${path.basename(file)} leaves its input ${what} open${shown}: the ${what} in pixels images are resized to.`,
      other ?? 224,
    );
    if (size === undefined) return undefined;
    input[what] = size;
  }
  if (inspection.kind !== 'module') {
    const resize = await prompts.pick('How does the model expect the image to fit its input?', [
      { label: 'Stretch', description: 'to the input size, ignoring the aspect ratio', value: 'stretch' },
      { label: 'Centre crop', description: 'scale to cover, cut the overflow', value: 'crop' },
      { label: 'Letterbox', description: 'scale to fit, pad the rest', value: 'letterbox' },
    ]);
    if (!resize) return undefined;
    const normalisation = await prompts.pick('Which pixel values does the model expect?', NORMALISATIONS);
    if (!normalisation) return undefined;
    // One channel is grey whatever the user would say; three may be either order.
    const channels =
      inspection.channels === 1
        ? 'grey'
        : await prompts.pick('Channel order', [
            { label: 'RGB', value: 'RGB' },
            { label: 'BGR', description: 'OpenCV / Caffe models', value: 'BGR' },
            ...(inspection.channels === undefined ? [{ label: 'Grey', value: 'grey' }] : []),
          ]);
    if (!channels) return undefined;
    const activation = await prompts.pick('What does the model output?', [
      {
        label: 'Probabilities or logits (detect)',
        description: 'softmax is applied when the rows are not probabilities',
        value: 'auto',
      },
      { label: 'Logits of exclusive classes', description: 'softmax', value: 'softmax' },
      { label: 'Independent scores', description: 'sigmoid', value: 'sigmoid' },
    ]);
    if (!activation) return undefined;
    Object.assign(input, { resize, ...normalisation, channels });
    if (inspection.layout) input.layout = inspection.layout;
    description.output = { activation };
  }
  if (Object.keys(input).length > 0) description.input = input;
  return description;
}
