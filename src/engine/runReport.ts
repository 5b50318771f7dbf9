// The part of a report every explanation shares, whatever its input: the model, the classes, the queries, the
// training and the timing of a method's run.
import type { ClassScore, ExplanationReport, TrainingSection } from '../shared/report';
import type { BlackBox } from './blackbox/classifier';
import type { TrainingResult } from './methods/dax/trainDax';
import type { MethodRun } from './methods/registry';
import type { BackendInfo } from './tf/runtime';
import { versions } from './versions';

/** What the run itself says; the caller adds the input, the configuration and what it measured. */
export type RunFacts = Pick<
  ExplanationReport,
  'model' | 'target' | 'top' | 'queries' | 'timing' | 'backend' | 'workingSize' | 'maskGrid' | 'training' | 'versions'
>;

/** The facts of `run`, with the wall times measured around it (ms since `started`, loading, finishing). */
export function runFacts(
  run: MethodRun,
  classifier: BlackBox,
  backend: BackendInfo,
  times: { started: number; loadMs: number; finishMs: number },
): RunFacts {
  const probabilities = run.inputProbabilities;
  const score = (index: number): ClassScore => ({
    index,
    label: classifier.labels?.[index],
    probability: probabilities[index]!,
  });
  const { training } = run;
  return {
    model: {
      name: classifier.config.name,
      kind: classifier.config.kind,
      path: classifier.config.path,
      description: classifier.description,
    },
    target: score(run.target),
    top: Array.from(probabilities.keys())
      .sort((a, b) => probabilities[b]! - probabilities[a]!)
      .slice(0, 5)
      .map(score),
    queries: run.query.queries,
    timing: {
      totalMs: performance.now() - times.started,
      loadMs: times.loadMs,
      queryMs: run.query.totalMs,
      modelMs: run.query.modelMs,
      finishMs: times.finishMs,
    },
    backend: { name: backend.name, notes: backend.notes },
    workingSize: run.working,
    maskGrid: training ? { width: training.gridWidth, height: training.gridHeight } : run.working,
    // Only a method that trains has a training (the method contract test holds this to the registry's `trains`).
    ...(training ? { training: trainingSection(training) } : {}),
    versions: versions(backend.name),
  };
}

/** The report's training section of a run that trained. */
function trainingSection(training: TrainingResult): TrainingSection {
  return {
    steps: training.steps,
    epochs: training.epochs,
    stoppedEarly: training.stoppedEarly,
    ms: training.trainMs,
    losses: training.history,
    validation: training.validation,
    ...(training.fidelity ? { fidelity: training.fidelity } : {}),
    ...(training.readout ? { readout: training.readout } : {}),
  };
}

/** The training's own settings as they came out (λ1 scaled by the answers, what 'auto' chose), for the config. */
export function trainingFacts(run: MethodRun): Record<string, number | string> {
  const { training } = run;
  return training
    ? {
        lambda1Effective: training.lambda1Effective,
        targetScaleUsed: training.targetScaleUsed,
        maskReadoutUsed: training.maskReadoutUsed,
        ...(training.readout ? { mapReadout: training.readout.chosen } : {}),
      }
    : {};
}
