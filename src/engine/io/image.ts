// Decoding image files into 8-bit RGB with sharp: orientation, alpha, grey and CMYK handled; huge inputs refused.
import sharp, { type Metadata } from 'sharp';
import { open, stat } from 'node:fs/promises';
import { DaxError } from '../core/errors';

/** 8-bit RGB, interleaved, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
  /** When the pixels are a reduced copy (decodeImage's `fitPixels`): the upright size of the file's image. */
  source?: { width: number; height: number };
}

/**
 * Largest image an explanation works on (2048 x 2048): a larger input is decoded straight to this size (sharp's
 * shrink-on-load) and only its output files are brought back to the input's resolution. The maps come from segments of
 * a copy at most 256 pixels wide and a model input of a few hundred, so nothing is lost; what is saved is every
 * full-resolution float copy (a 40-megapixel photo took gigabytes and a minute before).
 */
export const WORKING_MAX_PIXELS = 2048 * 2048;

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
  /**
   * Decode a larger image straight to at most this many pixels (aspect kept, sharp's shrink-on-load); the result's
   * `source` then gives the file's size. The pixel limit still applies to the file's size.
   */
  fitPixels?: number;
}

/**
 * Reads an image file as upright sRGB: EXIF orientation applied, alpha flattened, grey and CMYK converted,
 * only the first frame of an animation. Throws a DaxError of kind `input` naming the file on any problem.
 */
export async function decodeImage(file: string, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let size: number;
  try {
    const info = await stat(file);
    // A FIFO or a device would hang the read or never end.
    if (!info.isFile()) throw new DaxError('input', 'is not a regular file.', file);
    size = info.size;
  } catch (error) {
    if (error instanceof DaxError) throw error;
    throw new DaxError(
      'input',
      `cannot read the image: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      file,
    );
  }
  if (size === 0) throw new DaxError('input', 'the image file is empty (0 bytes).', file);

  // Only raster formats, told by the bytes and not the name: libvips would also render an SVG (or a PDF), which can
  // pull files from its folder into the picture (XInclude, <image>) and take minutes to draw a large filter. The
  // signature is checked before libvips sees the file, and the format it decodes is checked again.
  const signature = await readSignature(file);
  if (!rasterSignature(signature)) throw new DaxError('input', `${notRaster(signature)} ${RASTER_ONLY}`, file);
  let metadata: Metadata;
  try {
    metadata = await sharp(file, { limitInputPixels: false }).metadata();
  } catch {
    throw new DaxError('input', `is not an image that can be read ${RASTER_ONLY_SHORT}.`, file);
  }
  if (!RASTER_FORMATS.has(metadata.format))
    throw new DaxError(
      'input',
      `is a ${String(metadata.format).toUpperCase()} file, not a raster image. ${RASTER_ONLY}`,
      file,
    );
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new DaxError('input', 'the image has no pixels.', file);
  if (width * height > maxPixels) {
    throw new DaxError(
      'input',
      `the image is ${width}x${height} (${((width * height) / 1e6).toFixed(1)} megapixels), above the limit of ` +
        `${(maxPixels / 1e6).toFixed(1)} megapixels. Downscale it first or raise the pixel limit.`,
      file,
    );
  }
  // The upright size (EXIF orientations 5-8 turn the picture a quarter).
  const turned = (metadata.orientation ?? 1) >= 5;
  const source = { width: turned ? height : width, height: turned ? width : height };
  const fit =
    options.fitPixels !== undefined && width * height > options.fitPixels
      ? Math.sqrt(options.fitPixels / (width * height))
      : undefined;
  try {
    let pipeline = sharp(file, { limitInputPixels: maxPixels, failOn: 'error', animated: false }).rotate();
    if (fit !== undefined) {
      pipeline = pipeline.resize(
        Math.max(1, Math.floor(source.width * fit)),
        Math.max(1, Math.floor(source.height * fit)),
        { fit: 'fill', kernel: 'lanczos3' },
      );
    }
    const { data, info } = await pipeline
      .flatten({ background: options.background ?? { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels instead of 3`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      ...(fit !== undefined ? { source } : {}),
    };
  } catch (error) {
    throw new DaxError('input', `the image is corrupt or truncated (${(error as Error).message}).`, file, {
      cause: error,
    });
  }
}

/** The formats sharp reports that are decoded: libvips calls AVIF `heif`. */
const RASTER_FORMATS = new Set<string>(['png', 'jpeg', 'webp', 'gif', 'tiff', 'heif']);
const RASTER_ONLY_SHORT = '(expected PNG, JPEG, WebP, GIF, TIFF or AVIF)';
const RASTER_ONLY = `Only raster images are read ${RASTER_ONLY_SHORT}, whatever the file is called; convert it to PNG first.`;

async function readSignature(file: string): Promise<Buffer> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new DaxError('input', `cannot read the image: ${error.code ?? String(error)}.`, file);
  });
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Whether the first bytes are those of a PNG, JPEG, GIF, WebP, TIFF or an ISO-BMFF (AVIF) file. */
function rasterSignature(head: Buffer): boolean {
  const ascii = (start: number, end: number): string => head.subarray(start, end).toString('latin1');
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return true;
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return true;
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return true;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return true;
  // TIFF and BigTIFF, both byte orders.
  if (['II*\0', 'MM\0*', 'II+\0', 'MM\0+'].includes(ascii(0, 4))) return true;
  // AVIF is an ISO-BMFF file ("ftyp" box first); which codec it holds is left to the decoded format's check.
  return ascii(4, 8) === 'ftyp';
}

/** What a file that is not a raster image looks like, for the message. */
function notRaster(head: Buffer): string {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/<svg[\s>]/.test(text) || (text.startsWith('<?xml') && text.includes('<svg')) || text.startsWith('<!doctype svg'))
    return 'is an SVG (vector) image, not a raster image.';
  if (text.startsWith('%pdf')) return 'is a PDF document, not a raster image.';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)
    return 'is gzip-compressed (an SVGZ?), not a raster image.';
  return 'is not an image that can be read.';
}

/** Reads a ground-truth mask: any pixel brighter than mid-grey (or opaque, for images with alpha) is foreground. */
export async function decodeMask(file: string, width: number, height: number): Promise<Uint8Array> {
  const image = await decodeImage(file, { background: { r: 0, g: 0, b: 0 } });
  const resized =
    image.width === width && image.height === height ? image : await resizeRgb(image, width, height, 'nearest');
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
  const resized =
    image.width === width && image.height === height ? image : await resizeRgb(image, width, height, 'cubic');
  return greyLevels(resized);
}

/** Each pixel's mean over the channels, in [0, 1]: a grey map written as an image, read back. */
export function greyLevels(image: RgbImage): Float32Array {
  const map = new Float32Array(image.width * image.height);
  for (let i = 0; i < map.length; i++)
    map[i] = (image.data[3 * i]! + image.data[3 * i + 1]! + image.data[3 * i + 2]!) / (3 * 255);
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
