// Progress at most every `intervalMs` per kind: training steps arrive every ~40 ms and queries faster, and each
// message crosses two process boundaries before it reaches the chart. Phase and epoch events always pass.
import type { ProgressEvent, ProgressListener } from '../engine/core/progress';

export function throttleProgress(
  send: ProgressListener,
  intervalMs = 100,
  now: () => number = () => performance.now(),
): ProgressListener {
  const last = new Map<string, number>();
  return (event: ProgressEvent) => {
    if (event.type === 'step' || event.type === 'queries') {
      const final = event.type === 'queries' ? event.done >= event.total : event.step % event.stepsPerEpoch === 0;
      const time = now();
      if (!final && time - (last.get(event.type) ?? -Infinity) < intervalMs) return;
      last.set(event.type, time);
    }
    send(event);
  };
}
