// The perturbation space of one input: its segments, the fill they take when switched off, and fast composition
// of perturbed copies at the model's input size (for queries) and at any working size (for the DAX networks).
import type { ImageClassifier } from '../blackbox/classifier';
import { canvasToSource, placeImage, renderPlaced, type Placement } from '../io/geometry';
import { blurRgb, resizeRgb, type RgbImage } from '../io/image';
import { gridSegmentation, slic, type Segmentation } from './slic';

/** How perturbed copies are made. */
export interface PerturbationOptions {
  /** `slic` superpixels follow edges; `grid` cells are regular. */
  segmentation: 'slic' | 'grid';
  /** Approximate number of segments (a grid uses the nearest rows x cols with square-ish cells). */
  segments: number;
  /** What a switched-off segment shows: the image's mean colour, a blurred copy, or black. */
  fill: 'mean' | 'blur' | 'zero';
}

/** A pixel grid with the original and the fill values (float RGB 0..255) and each pixel's segment. */
export interface SegmentView {
  width: number;
  height: number;
  original: Float32Array;
  fill: Float32Array;
  /** Segment index per pixel; -1 for padding that no segment owns. */
  segmentOf: Int32Array;
  /** Index of the analysis-image pixel each pixel shows; -1 for padding. */
  sourceOf: Int32Array;
  padding?: Uint8Array;
}

/**
 * What the explanation methods need of an input's perturbation space, whatever the input is: an image (Scene)
 * or a sound over its spectrogram (audio/audioScene.ts). Maps are made at `image`'s size; the segmentation and
 * the baselines' soft masks live on `analysis`; `compose` and `blend` write model inputs.
 */
export interface PerturbationSpace {
  image: { width: number; height: number };
  analysis: { width: number; height: number };
  segmentation: Segmentation;
  /** The unperturbed model input, flat, and which of its pixels are padding (images only). */
  model: { original: Float32Array; padding?: Uint8Array };
  compose(keep: Uint8Array, out?: Float32Array): Float32Array;
  blend(mask: Float32Array, out: Float32Array): Float32Array;
  view(width: number, height: number): Promise<SegmentView>;
  /**
   * The size DAX's networks should work at for mask cells of `cell` pixels, when the space has a natural one
   * (a sound's grid: one mask cell per grid cell); absent, the size follows the preset's working area.
   */
  workingSize?(cell: number): { width: number; height: number };
  /** How occlusion covers the space: square patches (images, the default) or full-height time segments (sounds). */
  occlusion?: 'patches' | 'time-segments';
}

/** Everything needed to perturb one image for one classifier. */
export interface Scene extends PerturbationSpace {
  image: RgbImage;
  /** The image downscaled for segmentation; `segmentation` is at this size. */
  analysis: RgbImage;
  segmentation: Segmentation;
  placement: Placement;
  /** The view at the classifier's input size. */
  model: SegmentView;
  options: PerturbationOptions;
  /** Writes the copy of the image with the segments where `keep[s] === 0` filled, at the model's input size. */
  compose(keep: Uint8Array, out?: Float32Array): Float32Array;
  /**
   * Writes original · m + fill · (1 − m) at the model's input size, for a soft mask `m` given per pixel of the
   * analysis image (RISE's masks); padding stays as it is.
   */
  blend(mask: Float32Array, out: Float32Array): Float32Array;
  /** The same perturbation space at another size (stretched), for networks that see the image smaller. */
  view(width: number, height: number): Promise<SegmentView>;
}

/** Segmentation runs on a copy at most this many pixels on its longer side: SLIC's cost grows with pixels. */
const ANALYSIS_MAX_SIDE = 256;

/** Builds the scene: downscaled analysis copy, segments, fill, and the views at the classifier's size. */
export async function buildScene(
  image: RgbImage,
  classifier: Pick<ImageClassifier, 'width' | 'height' | 'config'>,
  options: PerturbationOptions,
): Promise<Scene> {
  const ratio = Math.min(1, ANALYSIS_MAX_SIDE / Math.max(image.width, image.height));
  const analysis = await resizeRgb(
    image,
    Math.max(1, Math.round(image.width * ratio)),
    Math.max(1, Math.round(image.height * ratio)),
    'lanczos3',
  );
  const segmentation =
    options.segmentation === 'grid'
      ? gridFor(analysis.width, analysis.height, options.segments)
      : slic(analysis, { segments: options.segments });
  const input = classifier.config.input;
  const placement = placeImage(
    image.width,
    image.height,
    classifier.width,
    classifier.height,
    input.resize,
    input.align,
  );
  const blurred = options.fill === 'blur' ? await blurRgb(image, Math.max(image.width, image.height) / 50) : undefined;
  const meanColour = channelMeans(image);

  const makeView = async (placed: Placement): Promise<SegmentView> => {
    const { data: original, padding } = await renderPlaced(image, placed);
    const fill = blurred
      ? (await renderPlaced(blurred, placed)).data
      : constantFill(placed.width * placed.height, options.fill === 'zero' ? [0, 0, 0] : meanColour);
    const toSource = canvasToSource(placed, segmentation.width, segmentation.height);
    const segmentOf = new Int32Array(toSource.length);
    for (let p = 0; p < toSource.length; p++) segmentOf[p] = toSource[p]! < 0 ? -1 : segmentation.labels[toSource[p]!]!;
    return { width: placed.width, height: placed.height, original, fill, segmentOf, sourceOf: toSource, padding };
  };
  const model = await makeView(placement);

  return {
    image,
    analysis,
    segmentation,
    placement,
    model,
    options,
    compose(keep, out = new Float32Array(model.original.length)) {
      const { original, fill, segmentOf } = model;
      for (let p = 0, i = 0; p < segmentOf.length; p++, i += 3) {
        const s = segmentOf[p]!;
        const source = s < 0 || keep[s] === 1 ? original : fill;
        out[i] = source[i]!;
        out[i + 1] = source[i + 1]!;
        out[i + 2] = source[i + 2]!;
      }
      return out;
    },
    blend(mask, out) {
      const { original, fill, sourceOf } = model;
      for (let p = 0, i = 0; p < sourceOf.length; p++, i += 3) {
        const m = sourceOf[p]! < 0 ? 1 : mask[sourceOf[p]!]!;
        out[i] = original[i]! * m + fill[i]! * (1 - m);
        out[i + 1] = original[i + 1]! * m + fill[i + 1]! * (1 - m);
        out[i + 2] = original[i + 2]! * m + fill[i + 2]! * (1 - m);
      }
      return out;
    },
    view(width, height) {
      return makeView({ width, height, scaledWidth: width, scaledHeight: height, offsetX: 0, offsetY: 0 });
    },
  };
}

function gridFor(width: number, height: number, segments: number): Segmentation {
  // Square-ish cells: rows/cols in proportion to the sides, their product close to the requested count.
  const cell = Math.sqrt((width * height) / segments);
  return gridSegmentation(width, height, Math.max(1, Math.round(height / cell)), Math.max(1, Math.round(width / cell)));
}

function channelMeans(image: RgbImage): [number, number, number] {
  const sums = [0, 0, 0];
  for (let i = 0; i < image.data.length; i += 3) {
    sums[0]! += image.data[i]!;
    sums[1]! += image.data[i + 1]!;
    sums[2]! += image.data[i + 2]!;
  }
  const n = image.data.length / 3;
  return [sums[0]! / n, sums[1]! / n, sums[2]! / n];
}

function constantFill(pixels: number, colour: readonly number[]): Float32Array {
  const out = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = colour[0]!;
    out[3 * p + 1] = colour[1]!;
    out[3 * p + 2] = colour[2]!;
  }
  return out;
}
