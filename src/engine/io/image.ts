// Decoding image files into 8-bit RGB with sharp: orientation, alpha, grey and CMYK handled; huge inputs refused.
import sharp, { type Metadata } from 'sharp';
import { stat } from 'node:fs/promises';
import { DaxError } from '../core/errors';

/** 8-bit RGB, interleaved, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Default bound on decoded pixels: 40 megapixels is a large photo yet decodes in well under a gigabyte. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** The file extensions the image reader accepts, lower case without the dot. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'] as const;

/** Options for {@link decodeImage}. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (after decoding the header, before decoding the pixels). */
  maxPixels?: number;
  /** Colour that transparent pixels are flattened onto. */
  background?: { r: number; g: number; b: number };
}

/**
 * Reads an image file as upright sRGB: EXIF orientation applied, alpha flattened, grey and CMYK converted,
 * only the first frame of an animation. Throws a DaxError of kind `input` naming the file on any problem.
 */
export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new DaxError('input', `cannot read the image: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, file);
  }
  if (size === 0) throw new DaxError('input', 'the image file is empty (0 bytes).', file);

  let metadata: Metadata;
  try {
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    throw new DaxError('input', 'is not an image that can be read (expected PNG, JPEG, WebP, GIF, TIFF or AVIF).', file);
  }
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new DaxError('input', 'the image has no pixels.', file);
  if (width * height > maxPixels) {
    throw new DaxError(
      'input',
      `the image is ${width}x${height} (${(width * height / 1e6).toFixed(1)} megapixels), above the limit of ` +
        `${(maxPixels / 1e6).toFixed(1)} megapixels. Downscale it first or raise the pixel limit.`,
      file,
    );
  }
  try {
    const { data, info } = await sharp(file, { limitInputPixels: maxPixels, failOn: 'error', animated: false })
      .rotate()
      .flatten({ background: options.background ?? { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels instead of 3`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (error) {
    throw new DaxError('input', `the image is corrupt or truncated (${(error as Error).message}).`, file, { cause: error });
  }
}

/** Reads a ground-truth mask: any pixel brighter than mid-grey (or opaque, for images with alpha) is foreground. */
export async function decodeMask(file: string, width: number, height: number): Promise<Uint8Array> {
  const image = await decodeImage(file, { background: { r: 0, g: 0, b: 0 } });
  const resized = image.width === width && image.height === height ? image : await resizeRgb(image, width, height, 'nearest');
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    const grey = (resized.data[3 * i]! + resized.data[3 * i + 1]! + resized.data[3 * i + 2]!) / 3;
    mask[i] = grey > 127 ? 1 : 0;
  }
  return mask;
}

/**
 * Reads a saliency map written as a grey image (ours or another tool's): the mean of the channels in [0, 1],
 * resampled bilinearly-ish (sharp's cubic) to the given size when it differs.
 */
export async function decodeSaliency(file: string, width: number, height: number): Promise<Float32Array> {
  const image = await decodeImage(file, { background: { r: 0, g: 0, b: 0 } });
  const resized = image.width === width && image.height === height ? image : await resizeRgb(image, width, height, 'cubic');
  const map = new Float32Array(width * height);
  for (let i = 0; i < map.length; i++) map[i] = (resized.data[3 * i]! + resized.data[3 * i + 1]! + resized.data[3 * i + 2]!) / (3 * 255);
  return map;
}

/** Resizes an RGB image with sharp (`fill`: exact size, aspect not kept). */
export async function resizeRgb(
  image: RgbImage,
  width: number,
  height: number,
  kernel: 'nearest' | 'lanczos3' | 'cubic' = 'lanczos3',
): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Gaussian blur with sharp; the blurred copy is a perturbation substrate. */
export async function blurRgb(image: RgbImage, sigma: number): Promise<RgbImage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .blur(Math.max(0.3, sigma))
    .raw()
    .toBuffer();
  return { width: image.width, height: image.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
