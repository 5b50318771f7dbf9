// The explanation methods behind one contract (contract.ts), so the CLI, the comparison, the bench and the
// extension treat them alike. Adding a method: its file implementing ExplanationMethod, its line in
// src/shared/methods.ts (id, label, paper, whether it trains) and its line here.
import type { BlackBox } from '../blackbox/classifier';
import type { ProgressListener } from '../core/progress';
import type { Rng } from '../core/rng';
import type { PerturbationSpace } from '../perturbation/scene';
import type { MethodName } from '../../shared/methods';
import type { ExplanationMethod, MethodRun } from './contract';
import { daxMethod } from './dax/daxMethod';
import { PRESETS, type DaxSettings } from './dax/presets';
import { limeMethod } from './lime';
import { occlusionMethod } from './occlusion';
import { riseMethod } from './rise';

export { METHOD_NAMES, type MethodName } from '../../shared/methods';
export type { MethodRun } from './contract';

/** Every method by its id (the type makes a method listed in src/shared without an implementation an error). */
export const REGISTRY = {
  dax: daxMethod,
  rise: riseMethod,
  lime: limeMethod,
  occlusion: occlusionMethod,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method has its own settings type
} satisfies { [M in MethodName]: ExplanationMethod<any> };

type SettingsOf<M extends MethodName> = (typeof REGISTRY)[M] extends ExplanationMethod<infer S> ? S : never;

/** A method with its settings; every method perturbs through a scene built with its settings' `perturbation`. */
export type MethodSpec = { [M in MethodName]: { method: M; settings: SettingsOf<M> } }[MethodName];

/**
 * Settings of each method for a query budget (the input itself included), so that a comparison spends the same
 * number of black-box calls on every method. The baselines keep their authors' defaults otherwise.
 */
export function methodForBudget(
  method: MethodName,
  budget: number,
  preset: DaxSettings = PRESETS.balanced,
): MethodSpec {
  return { method, settings: REGISTRY[method].forBudget(budget, preset) } as MethodSpec;
}

/** Runs one method on the scene; `chooseTarget` sees the black box's answer on the input and picks the class. */
export function runMethod(
  spec: MethodSpec,
  scene: PerturbationSpace,
  classifier: BlackBox,
  rng: Rng,
  chooseTarget: (probabilities: Float32Array) => number,
  hooks: { signal?: AbortSignal; onProgress?: ProgressListener } = {},
): Promise<MethodRun> {
  const method = REGISTRY[spec.method] as ExplanationMethod<typeof spec.settings>;
  return method.run(scene, classifier, spec.settings, {
    rng,
    chooseTarget,
    signal: hooks.signal,
    onProgress: hooks.onProgress,
  });
}
