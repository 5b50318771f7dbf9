// Progress events of a run: one union for every method, so front ends (CLI bar, worker, panel) handle them alike.

/** The phases of an explanation, in order. */
export type Phase = 'loading' | 'querying' | 'training' | 'measuring' | 'finishing';

/** Loss terms of one training step, by name; the chart's legend comes from these names. */
export type LossTerms = Record<string, number>;

/** What a run reports while it works. */
export type ProgressEvent =
  | { type: 'phase'; phase: Phase; message: string }
  | { type: 'queries'; done: number; total: number }
  | { type: 'step'; step: number; epoch: number; epochs: number; stepsPerEpoch: number; losses: LossTerms }
  | { type: 'epoch'; epoch: number; epochs: number; validation: number; maskChange: number };

/** Receives progress events; must be cheap, it is called from hot loops. */
export type ProgressListener = (event: ProgressEvent) => void;
