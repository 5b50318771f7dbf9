// The explanation methods as every layer names them: the engine's registry, the worker's job check, the CLI's
// help, the host's Compare Methods and the panel's labels all read this one list (DAX first: the product's method).
// The manifest's `dax.method` enum cannot import it; a unit test holds it equal to this list.

/** What the front ends need to know about a method without running it. */
export interface MethodInfo {
  id: string;
  /** As the panel, the CLI and the reports print it. */
  label: string;
  /** Where the method comes from. */
  paper: string;
  /** Whether it trains networks (and so has loss curves, training settings and a training time). */
  trains: boolean;
}

export const METHODS = [
  { id: 'dax', label: 'DAX', paper: 'Distillation Aided eXplainability (arXiv 2409.11123)', trains: true },
  { id: 'rise', label: 'RISE', paper: 'Petsiuk, Das & Saenko 2018 (arXiv 1806.07421)', trains: false },
  { id: 'lime', label: 'LIME', paper: 'Ribeiro, Singh & Guestrin 2016 (arXiv 1602.04938)', trains: false },
  { id: 'occlusion', label: 'Occlusion', paper: 'Zeiler & Fergus 2014 (arXiv 1311.2901)', trains: false },
] as const satisfies readonly MethodInfo[];

export type MethodName = (typeof METHODS)[number]['id'];

/** The method ids, DAX first. */
export const METHOD_NAMES: readonly MethodName[] = METHODS.map((method) => method.id);

/** The method a request names when it names none; its files carry no method suffix. */
export const DEFAULT_METHOD: MethodName = 'dax';

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}

/** The method's info; undefined for an id that is not a method (an old report, a typo). */
export function methodInfo(id: string): MethodInfo | undefined {
  return METHODS.find((method) => method.id === id);
}

/** The label of a method, or the id itself when it is not one of ours. */
export function methodLabel(id: string): string {
  return methodInfo(id)?.label ?? id;
}

/** Whether the method trains networks; false for an unknown id. */
export function methodTrains(id: string): boolean {
  return methodInfo(id)?.trains ?? false;
}
