// Versions of everything that can change a result, for the report.
import { createRequire } from 'node:module';
import { tf } from './tf/runtime';

declare const DAX_VERSION: string | undefined;

const requireHere = createRequire(__filename);

/** This project's version: compiled into the bundle, read from package.json when run from source. */
export function daxVersion(): string {
  if (typeof DAX_VERSION === 'string') return DAX_VERSION;
  return (requireHere('../../package.json') as { version: string }).version;
}

/** Package versions that shape a run's numbers, plus the backend that ran. */
export function versions(backend: string): Record<string, string> {
  const of = (name: string): string => {
    try {
      return (requireHere(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    dax: daxVersion(),
    tfjs: tf.version_core,
    backend,
    onnxruntime: of('onnxruntime-node'),
    sharp: of('sharp'),
    node: process.versions.node,
  };
}
