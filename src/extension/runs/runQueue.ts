// Requests run one at a time in the worker, in the order they came. The queue counts the requests that wait, so
// that the panel can say "2 queued" without every caller balancing a counter by hand.

export class RunQueue {
  private chain: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Requests given to `enqueue` that have not started yet. */
  get waiting(): number {
    return this.queued;
  }

  /** Runs `work` after every earlier request has settled (a failed one does not stop the queue). */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    this.queued++;
    const turn = this.chain.then(() => {
      this.queued--;
      return work();
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }
}
