// The one line a run's progress shows in its notification and in the status bar (vscode-free, so tested alone).
import type { ActiveRun, RunProgress } from '../../shared/protocol';
import { methodLabel } from '../../shared/methods';

/**
 * The one-line text of a progress event ("querying the model 50/120"), with Compare Methods' method first
 * ("2/4 RISE · …"); undefined for events that change no text.
 */
export function progressText(
  event: RunProgress,
  backend: string | undefined,
  comparing: ActiveRun['comparing'],
): string | undefined {
  let text: string | undefined;
  if (event.type === 'phase') text = event.message;
  else if (event.type === 'queries') text = `querying the model ${event.done}/${event.total}`;
  else if (event.type === 'step')
    text = `training epoch ${event.epoch}/${event.epochs}${backend ? ` on ${backend}` : ''} · loss ${(event.losses.total ?? 0).toFixed(4)}`;
  if (text && comparing) text = `${comparing.index}/${comparing.count} ${methodLabel(comparing.method)} · ${text}`;
  return text;
}
