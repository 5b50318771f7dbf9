// Re-run takes a job back from a stored result. In an untrusted workspace the worker must not load a model that
// only the workspace's settings name, so a stored job is run again only with a model the user's own settings still
// configure as it was. No vscode import: the decision is tested on its own.
import type { ExplainJob } from '../shared/protocol';

/** A model the settings VS Code lets this workspace use configure, as a job would carry it. */
export interface AllowedModel {
  baseDir: string;
  description: unknown;
}

/** Why a stored job may not run again here, or undefined when it may. */
export function rerunTrustProblem(
  job: Pick<ExplainJob, 'model' | 'modelBaseDir'>,
  workspaceTrusted: boolean,
  allowed: readonly AllowedModel[],
): string | undefined {
  if (workspaceTrusted) return undefined;
  const configured = allowed.some(
    (model) => model.baseDir === job.modelBaseDir && JSON.stringify(model.description) === JSON.stringify(job.model),
  );
  return configured
    ? undefined
    : 'this result was made with a model from the workspace settings, which an untrusted workspace does not load; trust the workspace (Manage Workspace Trust) to run it again.';
}
