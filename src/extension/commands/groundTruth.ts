// "DAX: Score Against Ground Truth…": where the evidence truly is, given after the explanation, and how well the
// map agrees with it. An image takes a mask image (white = evidence): IoU at 0.2, the best IoU and the pointing
// game, scored by the worker on the saved map. A sound takes an interval in seconds: the time IoU of the map's top
// interval. The scores go into the result's report, so they stay with it.
import path from 'node:path';
import * as vscode from 'vscode';
import { parseTimeInterval, timeIou } from '../../engine/audio/timeSaliency';
import type { RunView } from '../../shared/protocol';
import type { GroundTruthScores } from '../../shared/report';

/** Asks for the ground truth of `view` (unless `given`: a mask file or an interval) and returns the scored view. */
export async function scoreGroundTruth(
  view: RunView | undefined,
  scoreMask: (saliencyFile: string, maskFile: string) => Promise<GroundTruthScores>,
  given?: string,
): Promise<RunView | undefined> {
  if (!view) {
    void vscode.window.showInformationMessage(
      'DAX: there is no result to score yet. Explain an image or a sound first.',
    );
    return undefined;
  }
  const name = view.summary.inputName;
  const audio = view.report.audio;
  if (audio) {
    const text =
      given ??
      (await vscode.window.showInputBox({
        title: `Ground truth for ${name}`,
        prompt: `Where the evidence is, in seconds: START-END within 0-${audio.durationSeconds.toFixed(2)} (the time IoU of the map's top interval is measured)`,
        placeHolder: '0.30-0.60',
        value: audio.groundTruth ? `${audio.groundTruth.start}-${audio.groundTruth.end}` : undefined,
        validateInput: (value) => intervalProblem(value, audio.durationSeconds),
      }));
    if (text === undefined) return undefined;
    const problem = intervalProblem(text, audio.durationSeconds);
    if (problem) {
      void vscode.window.showErrorMessage(`DAX: ${problem}`);
      return undefined;
    }
    const truth = parseTimeInterval(text);
    const top = audio.intervals[0];
    return {
      ...view,
      report: {
        ...view.report,
        audio: { ...audio, groundTruth: { ...truth, timeIou: top ? timeIou(top, truth) : 0 } },
      },
      display: view.display.audio ? { ...view.display, audio: { ...view.display.audio, truth } } : view.display,
    };
  }
  const saliency = view.report.outputs?.saliency;
  if (!saliency) {
    void vscode.window.showInformationMessage(
      `DAX: the result for ${name} has no saved map to score; explain it again.`,
    );
    return undefined;
  }
  const maskFile = given ?? (await pickMaskFile(name, view.report.input.file));
  if (!maskFile) return undefined;
  const groundTruth = await scoreMask(saliency, maskFile);
  return { ...view, report: { ...view.report, groundTruth } };
}

/** Asks for a ground-truth mask image of `what` (the dialog opens in the folder of `inputFile`). */
export async function pickMaskFile(what: string, inputFile: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: `Ground-truth mask for ${what} (white where the evidence is)`,
    defaultUri: vscode.Uri.file(path.dirname(inputFile)),
    filters: { Images: ['png', 'jpg', 'jpeg', 'bmp', 'gif', 'webp', 'tif', 'tiff'] },
    canSelectMany: false,
    openLabel: 'Score',
  });
  return picked?.[0]?.fsPath;
}

/** Why `text` is not an interval within the sound, or undefined when it is one. */
export function intervalProblem(text: string, durationSeconds: number): string | undefined {
  try {
    const { start, end } = parseTimeInterval(text);
    if (start >= durationSeconds)
      return `the interval starts at ${start} s, after the sound ends (${durationSeconds.toFixed(2)} s)`;
    return end > durationSeconds + 1e-6
      ? `the interval ends at ${end} s, after the sound ends (${durationSeconds.toFixed(2)} s)`
      : undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
