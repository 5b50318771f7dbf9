// Progress events of a run (the union lives in src/shared, so that the panel reads it without the engine).
import type { ProgressEvent } from '../../shared/progress';

export type { LossTerms, Phase, ProgressEvent } from '../../shared/progress';

/** Receives progress events; must be cheap, it is called from hot loops. */
export type ProgressListener = (event: ProgressEvent) => void;
