// Adds the gradient kernels that TF.js's wasm backend lacks, so the DAX conv nets can train on it.
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  MaxPoolGrad,
  registerKernel,
  ResizeBilinearGrad,
  ResizeNearestNeighborGrad,
  Reverse,
  Slice,
  Transpose,
  unregisterKernel,
  UnsortedSegmentSum,
  util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
// The wasm kernels must be registered before ours can look them up and compose them.
import '@tensorflow/tfjs-backend-wasm';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const BACKEND = 'wasm';

/** Tags our kernel functions so a second call (even from a second copy of this module) can tell they are already in place. */
const OURS = Symbol.for('dax-explain.wasmTrainingKernel');

type Shape4 = [number, number, number, number];
type Padding4 = [[number, number], [number, number], [number, number], [number, number]];
type KernelArgs = Parameters<KernelFunc>[0];

/**
 * Registers, once, the training kernels the wasm backend lacks (idempotent; no-op if already registered).
 * Call it before or after the wasm backend starts; it keeps the wasm kernels' own setup so both orders work.
 * @returns the names of the kernels it registered by this call (empty on later calls).
 */
export function registerWasmTrainingKernels(): string[] {
  const registered: string[] = [];
  if (!getKernel(Conv2D, BACKEND)) {
    // Without the wasm forward kernels there is nothing to compose from; the backend package did not load.
    throw new Error(
      'registerWasmTrainingKernels: the wasm backend kernels are not registered (is @tensorflow/tfjs-backend-wasm installed?)',
    );
  }
  if (!getKernel(Conv2DBackpropFilter, BACKEND)) {
    registerKernel({ kernelName: Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: tag(conv2DBackpropFilter) });
    registered.push(Conv2DBackpropFilter);
  }
  if (!getKernel(UnsortedSegmentSum, BACKEND)) {
    registerKernel({ kernelName: UnsortedSegmentSum, backendName: BACKEND, kernelFunc: tag(unsortedSegmentSum) });
    registered.push(UnsortedSegmentSum);
  }
  const overrides: [string, (original: KernelFunc) => KernelFunc][] = [
    [Conv2DBackpropInput, makeConv2DBackpropInput],
    [MaxPoolGrad, () => maxPoolGrad],
    [ResizeBilinearGrad, (original) => unlessHalfPixelCenters(original, resizeBilinearGrad)],
    [ResizeNearestNeighborGrad, (original) => unlessHalfPixelCenters(original, resizeNearestNeighborGrad)],
  ];
  for (const [kernelName, make] of overrides) {
    const existing = getKernel(kernelName, BACKEND);
    if (existing && isOurs(existing.kernelFunc)) continue;
    if (existing) registerOverride(existing, make(existing.kernelFunc));
    else registerKernel({ kernelName, backendName: BACKEND, kernelFunc: tag(make(missing(kernelName))) });
    registered.push(kernelName);
  }
  return registered;
}

/** Stands in for an original kernel that an older or newer wasm build might not have. */
function missing(kernelName: string): KernelFunc {
  return () => {
    throw new Error(`${kernelName} is not available on the wasm backend for these attributes`);
  };
}

function tag(kernelFunc: KernelFunc): KernelFunc {
  Object.defineProperty(kernelFunc, OURS, { value: true });
  return kernelFunc;
}

function isOurs(kernelFunc: KernelFunc): boolean {
  return (kernelFunc as unknown as Record<symbol, unknown>)[OURS] === true;
}

/** Swaps the kernel function but keeps the original setup: it binds the wasm function our fallback still calls. */
function registerOverride(original: KernelConfig, kernelFunc: KernelFunc): void {
  const { kernelName, backendName, setupFunc, disposeFunc } = original;
  unregisterKernel(kernelName, backendName);
  registerKernel({ kernelName, backendName, setupFunc, disposeFunc, kernelFunc: tag(kernelFunc) });
}

/**
 * Runs kernels of the wasm backend and frees every intermediate they made, also when one of them throws,
 * because kernel outputs are raw TensorInfos that no tidy() scope tracks.
 */
class Composer {
  private readonly made: TensorInfo[] = [];
  constructor(readonly backend: BackendWasm) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, BACKEND);
    if (!kernel)
      throw new Error(`wasm training kernels: the wasm backend has no '${kernelName}' kernel to compose from`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs }) as TensorInfo;
    this.made.push(out);
    return out;
  }

  /** Hands `result` to the caller and disposes everything else this composer made. */
  finish(result: TensorInfo): TensorInfo {
    for (const info of this.made) if (info !== result) this.backend.disposeData(info.dataId);
    this.made.length = 0;
    return result;
  }

  disposeAll(): void {
    for (const info of this.made) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

function compose(backend: {}, body: (c: Composer) => TensorInfo): TensorInfo {
  const c = new Composer(backend as BackendWasm);
  try {
    return c.finish(body(c));
  } catch (error) {
    c.disposeAll();
    throw error;
  }
}

function rejectUnsupported(kernelName: string, attrs: NamedAttrMap): void {
  const { dataFormat, dilations } = attrs as { dataFormat?: string; dilations?: number | number[] };
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} on wasm supports only dataFormat 'NHWC', got '${dataFormat}'`);
  }
  const dilationList = dilations === undefined ? [] : Array.isArray(dilations) ? dilations : [dilations];
  if (dilationList.some((d) => d !== 1)) {
    throw new Error(`${kernelName} on wasm supports only dilations 1, got ${JSON.stringify(dilations)}`);
  }
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,y,x} X[b, y·s+kh−padTop, x·s+kw−padLeft, ci] · dY[b,y,x,co] is itself a forward
 * convolution once batch and channels trade places: X' = X^T[ci,H,W,B] convolved with dY' = dY^T[oh,ow,B,co]
 * as the filter, dilated by the stride. This keeps the work inside XNNPACK's conv instead of a JS loop.
 */
function conv2DBackpropFilter({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  rejectUnsupported(Conv2DBackpropFilter, attrs);
  const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | Padding4;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: Shape4;
  };
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const {
    inHeight,
    inWidth,
    inChannels,
    outChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
  } = info;
  const { top, left } = info.padInfo;
  // The conv must see at least filterHeight × filterWidth output positions; extra zero rows/columns stand in for
  // the forward pass's bottom/right padding, and any surplus output (valid padding with stride 2) is sliced off.
  const bottom = Math.max(0, filterHeight + (outHeight - 1) * strideHeight - top - inHeight);
  const right = Math.max(0, filterWidth + (outWidth - 1) * strideWidth - left - inWidth);
  const gotHeight = top + inHeight + bottom - (outHeight - 1) * strideHeight;
  const gotWidth = left + inWidth + right - (outWidth - 1) * strideWidth;
  return compose(backend, (c) => {
    const xT = c.run(Transpose, { x }, { perm: [3, 1, 2, 0] });
    const dyT = c.run(Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
    const padding: Padding4 = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    let dw = c.run(
      Conv2D,
      { x: xT, filter: dyT },
      { strides: 1, pad: padding, dataFormat: 'NHWC', dilations: [strideHeight, strideWidth] },
    );
    if (gotHeight !== filterHeight || gotWidth !== filterWidth) {
      dw = c.run(Slice, { x: dw }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] });
    }
    return c.run(Transpose, { x: dw }, { perm: [1, 2, 0, 3] });
  });
}

/*
 * Conv2DBackpropInput, stride 1: dX is the forward conv of dY with the filter flipped in space and its in/out
 * channels swapped, with the padding mirrored (kh−1−padTop before, so dX comes out at the input's size).
 * Both go through XNNPACK; the wasm kernel's own backprop is a plain C loop. Measured with a throwaway script
 * (node 20, wasm SIMD, 1 thread, 2-core VM; ms per call, median of 10; dy as produced by the forward conv):
 *   x [32,64,64,16], filter 3x3x16x16, same:  original 187.9, composed 16.6  (forward conv 21.6)
 *   x [32,64,64,16], filter 5x5x16x16, same:  original 699.3, composed 58.6
 *   x [32,64,64,3],  filter 3x3x3x16,  same:  original  37.3, composed 11.2
 *   x [32,32,32,32], filter 3x3x32x32, same:  original 256.1, composed 20.5
 *   x [8,64,64,16],  filter 3x3x16x16, valid: original  46.5, composed  4.1
 *   (Conv2DBackpropFilter composed as above: 39.6 ms for the first case.)
 * Stride 2 keeps the original kernel (84.1 ms for the first case at stride 2): the composed form would need dY
 * dilated with zeros first, i.e. a transposed conv, which these composable kernels do not offer directly.
 */
function makeConv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, backend, attrs = {} } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dimRoundingMode, inputShape, dataFormat } = attrs as unknown as {
      strides: number | [number, number];
      pad: 'same' | 'valid' | number | Padding4;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
      inputShape: Shape4;
      dataFormat?: string;
    };
    if (dataFormat !== undefined && dataFormat !== 'NHWC') return original(args);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as Shape4,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
    const { top, left } = info.padInfo;
    const before = [filterHeight - 1 - top, filterWidth - 1 - left];
    const after = [inHeight + top - outHeight, inWidth + left - outWidth];
    // Explicit padding wider than the filter would need negative padding here; rare enough to leave to the original.
    if (strideHeight !== 1 || strideWidth !== 1 || [...before, ...after].some((p) => p < 0)) return original(args);
    return compose(backend, (c) => {
      const flipped = c.run(Reverse, { x: filter }, { dims: [0, 1] });
      const swapped = c.run(Transpose, { x: flipped }, { perm: [0, 1, 3, 2] });
      const padding: Padding4 = [
        [0, 0],
        [before[0], after[0]],
        [before[1], after[1]],
        [0, 0],
      ];
      return c.run(Conv2D, { x: dy, filter: swapped }, { strides: 1, pad: padding, dataFormat: 'NHWC', dilations: 1 });
    });
  };
}

/**
 * The gradient of gather. Composing it from wasm kernels would need a [numSegments × rows] one-hot matrix, which
 * for a large gather table dwarfs the data itself, so it sums in JS: one pass over x, exact, and rarely hot.
 */
function unsortedSegmentSum({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = attrs.numSegments as number;
  const wasm = backend as BackendWasm;
  // segmentIds index the leading axes of x; every trailing slice of x is added to its segment's row.
  const leading = segmentIds.shape.length;
  const rowShape = x.shape.slice(leading);
  const rowSize = util.sizeFromShape(rowShape);
  const values = wasm.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array;
  const sums = x.dtype === 'int32' ? new Int32Array(numSegments * rowSize) : new Float32Array(numSegments * rowSize);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    // As in TensorFlow, ids outside [0, numSegments) are dropped rather than an error.
    if (id < 0 || id >= numSegments) continue;
    const from = i * rowSize;
    const to = id * rowSize;
    for (let j = 0; j < rowSize; j++) sums[to + j] += values[from + j];
  }
  return wasm.makeOutput([numSegments, ...rowShape], x.dtype, undefined, sums);
}

/**
 * Replaces the wasm MaxPoolGrad, whose C++ starts each window's running max at FLT_MIN (the smallest positive
 * float) instead of −∞: in any window whose values are all negative it routes the gradient to the wrong pixel.
 * Ties go to the first maximum in the window, as on the cpu backend and in TensorFlow. The JS loop is not the
 * slower one: 24.8 ms against the C kernel's 33.2 ms for x [32,64,64,16], 2×2 stride 2 (same setup as above).
 */
function maxPoolGrad({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | Padding4;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } = info;
  const wasm = backend as BackendWasm;
  const x = wasm.readSync(input.dataId) as Float32Array;
  const g = wasm.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(x.length);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - info.padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - info.padInfo.left;
        for (let c = 0; c < channels; c++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let fy = 0; fy < effectiveFilterHeight; fy += dilationHeight) {
            const iy = y0 + fy;
            if (iy < 0 || iy >= inHeight) continue;
            for (let fx = 0; fx < effectiveFilterWidth; fx += dilationWidth) {
              const ix = x0 + fx;
              if (ix < 0 || ix >= inWidth) continue;
              const k = batchBase + (iy * inWidth + ix) * channels + c;
              if (x[k] > best) {
                best = x[k];
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] += g[o];
        }
      }
    }
  }
  return wasm.makeOutput(input.shape, 'float32', undefined, dx);
}

interface ResizeAttrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/**
 * The wasm resize gradients ignore halfPixelCenters (their C++ takes only alignCorners), so they disagree with
 * the forward pass whenever it is set; their other cases are correct and in C, so they stay.
 */
function unlessHalfPixelCenters(original: KernelFunc, replacement: KernelFunc): KernelFunc {
  return (args: KernelArgs) =>
    (args.attrs as unknown as ResizeAttrs | undefined)?.halfPixelCenters ? replacement(args) : original(args);
}

/** Source-row (or column) scale of the forward resize kernels, mirrored exactly so the gradient is their adjoint. */
function resizeRatio(oldSize: number, newSize: number, alignCorners: boolean): number {
  return alignCorners && newSize > 1 ? (oldSize - 1) / (newSize - 1) : oldSize / newSize;
}

function resizeNearestNeighborGrad({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeAttrs;
  const [batch, oldHeight, oldWidth, channels] = images.shape as Shape4;
  const [, newHeight, newWidth] = dy.shape as Shape4;
  const source = (oldSize: number, newSize: number) => {
    const ratio = resizeRatio(oldSize, newSize, alignCorners);
    return Int32Array.from({ length: newSize }, (_, i) => {
      const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
      const nearest = Math.min(oldSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
      return halfPixelCenters ? Math.max(0, nearest) : nearest;
    });
  };
  const rows = source(oldHeight, newHeight);
  const cols = source(oldWidth, newWidth);
  const wasm = backend as BackendWasm;
  const g = wasm.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(batch * oldHeight * oldWidth * channels);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < newHeight; r++) {
      const rowBase = (b * oldHeight + rows[r]) * oldWidth;
      for (let c = 0; c < newWidth; c++) {
        const base = (rowBase + cols[c]) * channels;
        for (let d = 0; d < channels; d++) dx[base + d] += g[o++];
      }
    }
  }
  return wasm.makeOutput(images.shape, 'float32', undefined, dx);
}

function resizeBilinearGrad({ inputs, backend, attrs = {} }: KernelArgs): TensorInfo {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as ResizeAttrs;
  const [batch, oldHeight, oldWidth, channels] = images.shape as Shape4;
  const [, newHeight, newWidth] = dy.shape as Shape4;
  // Per output row/column: the two source indices and the weight of the second, as the forward kernel computes them.
  const taps = (oldSize: number, newSize: number) => {
    const ratio = resizeRatio(oldSize, newSize, alignCorners);
    const lo = new Int32Array(newSize);
    const hi = new Int32Array(newSize);
    const weight = new Float32Array(newSize);
    for (let i = 0; i < newSize; i++) {
      const frac = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
      lo[i] = Math.max(0, Math.floor(frac));
      hi[i] = Math.min(oldSize - 1, Math.ceil(frac));
      weight[i] = frac - lo[i];
    }
    return { lo, hi, weight };
  };
  const rows = taps(oldHeight, newHeight);
  const cols = taps(oldWidth, newWidth);
  const wasm = backend as BackendWasm;
  const g = wasm.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(batch * oldHeight * oldWidth * channels);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < newHeight; r++) {
      const top = (b * oldHeight + rows.lo[r]) * oldWidth;
      const bottom = (b * oldHeight + rows.hi[r]) * oldWidth;
      const wr = rows.weight[r];
      for (let c = 0; c < newWidth; c++) {
        const left = cols.lo[c];
        const right = cols.hi[c];
        const wc = cols.weight[c];
        for (let d = 0; d < channels; d++) {
          const v = g[o++];
          dx[(top + left) * channels + d] += v * (1 - wr) * (1 - wc);
          dx[(top + right) * channels + d] += v * (1 - wr) * wc;
          dx[(bottom + left) * channels + d] += v * wr * (1 - wc);
          dx[(bottom + right) * channels + d] += v * wr * wc;
        }
      }
    }
  }
  return wasm.makeOutput(images.shape, 'float32', undefined, dx);
}
