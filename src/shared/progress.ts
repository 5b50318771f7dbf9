// Progress events of a run: one union for every method and every front end (CLI bar, worker, host, panel), so that
// each handles them alike. The engine emits them; the worker adds `started` (which backend trains, the budget).

/** The phases of an explanation, in order. */
export type Phase = 'loading' | 'querying' | 'training' | 'measuring' | 'finishing';

/** Loss terms of one training step, by name; the chart's legend comes from these names. */
export type LossTerms = Record<string, number>;

/** What a run reports while it works. */
export type ProgressEvent =
  /** The model is open: the TF.js backend that trains (and runs TF.js models), and the queries the run may make. */
  | { type: 'started'; backend: string; budget: number }
  | { type: 'phase'; phase: Phase; message: string }
  /** One series of queries (a method may ask in several rounds): `done` of its `total`. */
  | { type: 'queries'; done: number; total: number }
  | { type: 'step'; step: number; epoch: number; epochs: number; stepsPerEpoch: number; losses: LossTerms }
  | { type: 'epoch'; epoch: number; epochs: number; validation: number; maskChange: number }
  /**
   * The map as it stands after an epoch, so that a user sees it form: `width × height` values 0..255, row-major,
   * the input's orientation (a spectrogram's row 0 its lowest frequency). The engine's is at its working
   * resolution; the worker shrinks it for the panel and turns a spectrogram's high frequencies to the top.
   */
  | { type: 'map'; epoch: number; epochs: number; width: number; height: number; values: Uint8Array };
