// Agreement of a saliency map with a ground-truth mask: IoU at a threshold, best IoU, and the pointing game.

/** IoU of the pixels with saliency above `threshold` against the mask's foreground. */
export function iouAtThreshold(saliency: Float32Array, mask: Uint8Array, threshold: number): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < saliency.length; i++) {
    const predicted = saliency[i]! > threshold;
    const truth = mask[i] === 1;
    if (predicted && truth) intersection++;
    if (predicted || truth) union++;
  }
  return union === 0 ? 0 : intersection / union;
}

/** The best IoU over thresholds 0.05, 0.10, … 0.95. */
export function bestIou(saliency: Float32Array, mask: Uint8Array): { iou: number; threshold: number } {
  let best = { iou: 0, threshold: 0.05 };
  for (let k = 1; k < 20; k++) {
    const threshold = k / 20;
    const iou = iouAtThreshold(saliency, mask, threshold);
    if (iou > best.iou) best = { iou, threshold };
  }
  return best;
}

/** IoU of the `fraction` most salient pixels against the mask (threshold-free comparison across methods). */
export function iouOfTopFraction(saliency: Float32Array, mask: Uint8Array, fraction: number): number {
  const count = Math.max(1, Math.round(saliency.length * fraction));
  const order = Array.from(saliency.keys()).sort((a, b) => saliency[b]! - saliency[a]!);
  const top = new Uint8Array(saliency.length);
  for (let i = 0; i < count; i++) top[order[i]!] = 1;
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < saliency.length; i++) {
    if (top[i] && mask[i]) intersection++;
    if (top[i] || mask[i]) union++;
  }
  return union === 0 ? 0 : intersection / union;
}

/** Pointing game: is the most salient pixel inside the mask? */
export function pointingHit(saliency: Float32Array, mask: Uint8Array): boolean {
  let best = 0;
  for (let i = 1; i < saliency.length; i++) if (saliency[i]! > saliency[best]!) best = i;
  return mask[best] === 1;
}
