// Terminal progress for `dax explain`: a bar on a TTY, nothing in scripts (stderr stays clean for --json users).
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressEvent } from '../engine/core/progress';

/** Turns engine progress events into one bar per phase on stderr. */
export class ProgressBar {
  private bar: SingleBar | undefined;
  private phase = '';

  constructor(
    private readonly label: string,
    private readonly enabled: boolean,
  ) {}

  readonly onProgress = (event: ProgressEvent): void => {
    if (!this.enabled) return;
    if (event.type === 'queries') {
      this.show('querying', event.total);
      this.bar!.update(event.done, { detail: `${event.done}/${event.total} queries` });
    } else if (event.type === 'step') {
      this.show('training', event.epochs * event.stepsPerEpoch);
      this.bar!.update(event.step, {
        detail: `epoch ${event.epoch}/${event.epochs} · loss ${event.losses.total!.toFixed(4)}`,
      });
    }
  };

  private show(phase: string, total: number): void {
    if (this.phase === phase && this.bar) return;
    this.stop();
    this.phase = phase;
    this.bar = new SingleBar(
      {
        format: `${this.label} ${phase.padEnd(8)} [{bar}] {percentage}% {detail}`,
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
      },
      Presets.shades_classic,
    );
    this.bar.start(total, 0, { detail: '' });
  }

  /** Removes the bar (call before printing results). */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.phase = '';
  }
}
