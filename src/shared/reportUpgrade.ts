// Reports read back from disk (the extension's run cache, a batch's earlier results, the bench's and scripts'
// files) may be of an older format: this brings them to the one the code reads, so older results still open.
import { methodTrains } from './methods';
import {
  REPORT_SCHEMA,
  type ExplanationReport,
  type LossRow,
  type TrainingSection,
  type ValidationRow,
} from './report';

/**
 * Schema 1 (the reports of 0.1.0 before the `training` section): the training's facts at the top level,
 * zero-filled for the baselines, and its time in `timing`.
 */
interface ReportV1 extends Omit<ExplanationReport, 'schema' | 'method' | 'timing' | 'training'> {
  schema: 1;
  /** Absent in the reports written before the baselines existed: those were DAX's. */
  method?: ExplanationReport['method'];
  trainingSteps: number;
  epochs: number;
  stoppedEarly: boolean;
  timing: ExplanationReport['timing'] & { trainMs: number };
  losses: LossRow[];
  validation: ValidationRow[];
  fidelity?: TrainingSection['fidelity'];
  readout?: TrainingSection['readout'];
}

/**
 * The report `json` (as JSON.parse gave it) in the current format: a current one as it is, a schema-1 one with
 * its training's facts moved into `training` (kept only when its method trains, so a baseline's zeros go). The same
 * facts either way: nothing is recomputed. Throws for what is not a report, or is of a format newer than this code.
 */
export function upgradeReport(json: unknown): ExplanationReport {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('not a report');
  const schema = (json as { schema?: unknown }).schema;
  if (schema === REPORT_SCHEMA) return json as ExplanationReport;
  if (schema !== 1) throw new Error(`a report of an unknown format (schema ${JSON.stringify(schema)})`);
  const {
    schema: _schema,
    method = 'dax',
    trainingSteps,
    epochs,
    stoppedEarly,
    timing,
    losses,
    validation,
    fidelity,
    readout,
    ...rest
  } = json as ReportV1;
  const { trainMs, ...times } = timing ?? ({} as ReportV1['timing']);
  const training: TrainingSection = {
    steps: trainingSteps ?? 0,
    epochs: epochs ?? 0,
    stoppedEarly: stoppedEarly ?? false,
    ms: trainMs ?? 0,
    losses: losses ?? [],
    validation: validation ?? [],
    ...(fidelity ? { fidelity } : {}),
    ...(readout ? { readout } : {}),
  };
  return {
    schema: REPORT_SCHEMA,
    method,
    ...rest,
    timing: times,
    ...(methodTrains(method) ? { training } : {}),
  };
}
