// The file name Export offers for one of a result's files: the input's name, the class explained and the method,
// so that exports of several classes or methods of one input do not overwrite one another. No `vscode` import.
import path from 'node:path';
import type { ExplanationReport } from '../shared/report';

/** The files a result can have (see ExplanationReport.outputs). */
export type ExportKind = keyof NonNullable<ExplanationReport['outputs']>;

const SUFFIXES: Record<ExportKind, string> = {
  overlay: 'overlay.png',
  saliency: 'saliency.png',
  mask: 'mask.png',
  kept: 'kept.wav',
  removed: 'removed.wav',
  report: 'report.json',
};

/** The panel's own drawing of the map (Export "View PNG"), besides the files a result has. */
const VIEW_SUFFIX = 'view.png';

/** A class label as a file name part: "tabby cat" → "tabby-cat", "0" → "class-0", nothing usable → "class-<index>". */
export function classSlug(target: ExplanationReport['target']): string {
  const label = (target.label ?? '').normalize('NFKC').trim();
  const slug = label
    .replace(/[^\p{L}\p{N}_.-]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  if (!slug) return `class-${target.index}`;
  return /^\d+$/.test(slug) ? `class-${slug}` : slug;
}

/** "stationery-sign.class-0.dax.overlay.png", "open-the-door.speech.dax.kept.wav". */
export function exportFileName(
  report: Pick<ExplanationReport, 'input' | 'target' | 'method'>,
  kind: ExportKind | 'view',
): string {
  const stem = path.basename(report.input.file).replace(/\.[^.]+$/, '') || 'result';
  return `${stem}.${classSlug(report.target)}.${report.method}.${kind === 'view' ? VIEW_SUFFIX : SUFFIXES[kind]}`;
}

/** The PNG bytes of a panel drawing, or undefined when `base64` is not a PNG (the panel is not trusted blindly). */
export function viewPngBytes(base64: string): Buffer | undefined {
  const bytes = Buffer.from(base64, 'base64');
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return bytes.length > signature.length && signature.every((byte, i) => bytes[i] === byte) ? bytes : undefined;
}
