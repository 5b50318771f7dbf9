// The student of segment-space DAX, in plain TypeScript: S(z) = σ(b + v·z + w₂·relu(W₁z + b₁)) over the keep
// vector z ∈ [0,1]^K, trained with Adam on the black box's answers, and differentiable in z so that masks can be
// optimised through it. Written by hand because at this size (K ≈ 100 inputs, 32 hidden units) the per-operation
// overhead of a tensor library dominated: ~11 ms per step on the wasm backend against ~1 ms here.
import { solveLinearSystem } from '../../core/linearSystem';
import type { Rng } from '../../core/rng';

/** Adam's moment estimates for one parameter array. */
class AdamSlot {
  readonly m: Float64Array;
  readonly v: Float64Array;
  constructor(size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

function adamStep(param: Float64Array, grad: Float64Array, slot: AdamSlot, lr: number, t: number): void {
  const c1 = 1 - BETA1 ** t;
  const c2 = 1 - BETA2 ** t;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]!;
    slot.m[i] = BETA1 * slot.m[i]! + (1 - BETA1) * g;
    slot.v[i] = BETA2 * slot.v[i]! + (1 - BETA2) * g * g;
    param[i]! -= (lr * (slot.m[i]! / c1)) / (Math.sqrt(slot.v[i]! / c2) + EPSILON);
  }
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export class SegmentStudent {
  readonly linear: Float64Array;
  bias = new Float64Array(1);
  readonly w1: Float64Array;
  readonly b1: Float64Array;
  readonly w2: Float64Array;
  private readonly slots: AdamSlot[];
  private t = 0;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    rng: Rng,
    /** `identity`: S is the sum itself, no sigmoid (a linear path fitted in closed form, see fitLinear). */
    readonly link: 'sigmoid' | 'identity' = 'sigmoid',
  ) {
    this.linear = new Float64Array(inputs);
    // He initialisation of the hidden layer; the output weights start at zero, so S starts linear.
    const std = Math.sqrt(2 / inputs);
    this.w1 = Float64Array.from({ length: inputs * hidden }, () => rng.normal() * std);
    this.b1 = new Float64Array(hidden);
    this.w2 = new Float64Array(hidden);
    this.slots = [this.linear, this.bias, this.w1, this.b1, this.w2].map((p) => new AdamSlot(p.length));
  }

  /** S(z) for one keep vector; `hiddenOut` (length `hidden`) receives the pre-activations when given. */
  predict(z: ArrayLike<number>, offset = 0, hiddenOut?: Float64Array): number {
    const { inputs: K, hidden: H, w1, b1, w2, linear } = this;
    const a = hiddenOut ?? new Float64Array(H);
    a.set(b1);
    let logit = this.bias[0]!;
    for (let k = 0; k < K; k++) {
      const zk = z[offset + k]!;
      if (zk === 0) continue;
      logit += linear[k]! * zk;
      const row = k * H;
      for (let j = 0; j < H; j++) a[j]! += zk * w1[row + j]!;
    }
    for (let j = 0; j < H; j++) if (a[j]! > 0) logit += w2[j]! * a[j]!;
    return this.link === 'sigmoid' ? sigmoid(logit) : logit;
  }

  /** ∂S/∂z at z, into `out` (length K); returns S(z). */
  inputGradient(z: ArrayLike<number>, out: Float64Array): number {
    const { inputs: K, hidden: H, w1, w2, linear } = this;
    const a = new Float64Array(H);
    const p = this.predict(z, 0, a);
    const scale = this.link === 'sigmoid' ? p * (1 - p) : 1;
    const gate = new Float64Array(H);
    for (let j = 0; j < H; j++) gate[j] = a[j]! > 0 ? w2[j]! : 0;
    for (let k = 0; k < K; k++) {
      let g = linear[k]!;
      const row = k * H;
      for (let j = 0; j < H; j++) g += w1[row + j]! * gate[j]!;
      out[k] = scale * g;
    }
    return p;
  }

  /**
   * One Adam step on the mean squared error over the rows `batch` of `data` ([count, K], row-major) against `y`,
   * plus `decay`·(|W₁|² + |w₂|²). Returns the batch's mean squared error.
   */
  step(
    data: Float32Array,
    y: Float32Array,
    batch: Int32Array,
    lr: number,
    decay: number,
    frozenLinear = false,
  ): number {
    const { inputs: K, hidden: H, w1, w2 } = this;
    const gLinear = new Float64Array(K);
    const gBias = new Float64Array(1);
    const gW1 = new Float64Array(K * H);
    const gB1 = new Float64Array(H);
    const gW2 = new Float64Array(H);
    const a = new Float64Array(H);
    const da = new Float64Array(H);
    let squared = 0;
    const B = batch.length;
    for (const row of batch) {
      const offset = row * K;
      const p = this.predict(data, offset, a);
      const error = p - y[row]!;
      squared += error * error;
      const g = (2 * error * (this.link === 'sigmoid' ? p * (1 - p) : 1)) / B;
      gBias[0]! += g;
      for (let j = 0; j < H; j++) {
        if (a[j]! > 0) {
          gW2[j]! += g * a[j]!;
          da[j] = g * w2[j]!;
          gB1[j]! += da[j]!;
        } else da[j] = 0;
      }
      for (let k = 0; k < K; k++) {
        const zk = data[offset + k]!;
        if (zk === 0) continue;
        gLinear[k]! += g * zk;
        const r = k * H;
        for (let j = 0; j < H; j++) gW1[r + j]! += zk * da[j]!;
      }
    }
    for (let i = 0; i < gW1.length; i++) gW1[i]! += 2 * decay * w1[i]!;
    for (let j = 0; j < H; j++) gW2[j]! += 2 * decay * w2[j]!;
    this.t++;
    const params = [this.linear, this.bias, this.w1, this.b1, this.w2];
    const grads = [gLinear, gBias, gW1, gB1, gW2];
    for (let i = frozenLinear ? 2 : 0; i < params.length; i++)
      adamStep(params[i]!, grads[i]!, this.slots[i]!, lr, this.t);
    return squared / Math.max(1, B);
  }
}

/**
 * The linear path and the bias by ridge regression (penalty `alpha` on the weights, not the bias) on the rows
 * `rows` of `data` against `target` minus what the hidden path already predicts: LIME's estimator, exactly, so
 * that the student starts where LIME ends and the hidden path only adds what a sum of segments cannot say.
 */
export function fitLinear(
  student: SegmentStudent,
  data: Float32Array,
  target: Float32Array,
  rows: Int32Array,
  alpha: number,
): void {
  const K = student.inputs;
  const d = K + 1;
  const saved = Float64Array.from(student.linear);
  const savedBias = student.bias[0]!;
  student.linear.fill(0);
  student.bias[0] = 0;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const x = new Float64Array(d);
  for (const row of rows) {
    // Residual after the hidden path alone (linear path and bias at zero for this read).
    const residual = target[row]! - student.predict(data, row * K);
    for (let k = 0; k < K; k++) x[k] = data[row * K + k]!;
    x[K] = 1;
    for (let i = 0; i < d; i++) {
      if (x[i] === 0) continue;
      b[i]! += x[i]! * residual;
      for (let j = 0; j < d; j++) a[i * d + j]! += x[i]! * x[j]!;
    }
  }
  for (let i = 0; i < K; i++) a[i * d + i]! += alpha;
  const beta = solveLinearSystem(a, b, d);
  if (beta.some((v) => !Number.isFinite(v))) {
    student.linear.set(saved);
    student.bias[0] = savedBias;
    return;
  }
  student.linear.set(beta.subarray(0, K));
  student.bias[0] = beta[K]!;
}

/** Adam over mask logits, for the masks optimised through the student. */
export class LogitAdam {
  private readonly slot: AdamSlot;
  private t = 0;
  constructor(size: number) {
    this.slot = new AdamSlot(size);
  }
  step(param: Float64Array, grad: Float64Array, lr: number): void {
    this.t++;
    adamStep(param, grad, this.slot, lr, this.t);
  }
}
