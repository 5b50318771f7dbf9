// How a served model's inputs become inference requests: answers already had come from the cache (this run's, or a
// resume journal's), each distinct input is sent once, and a call is cut into requests of
// min(batchSize, ceil(inputs / concurrency)) inputs, so that even one call (the engine makes one of 64 queries at a
// time) keeps `endpoint.concurrency` requests in flight, answers reassembled in order. Retries of one request are
// the client's (client.ts), within that request's deadline.
import { throwIfCancelled } from '../../core/cancellation';
import { DaxError } from '../../core/errors';
import type { AnswerCache } from '../answerCache';

/** Counts the gate hands out: at most `limit` tasks run at once, the others wait in order. */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Inputs per inference request when `count` inputs are to be sent in one call: at most `batchSize`, and few enough
 * that the call makes at least `concurrency` requests when it has that many inputs (the last may be smaller).
 */
export function requestSize(count: number, batchSize: number, concurrency: number): number {
  return Math.max(1, Math.min(batchSize, Math.ceil(count / Math.max(1, concurrency))));
}

/** One inference request for the inputs at `indices` of a call; one row per input, in that order. */
export type SendRequest = (indices: number[], signal: AbortSignal | undefined) => Promise<Float32Array[]>;

/** The requests of one served model: the cache in front of them, and the limit on those in flight. */
export class RequestScheduler {
  /** Inputs answered from the cache instead of a request. */
  cachedAnswers = 0;
  private readonly limiter: Limiter;

  constructor(
    private readonly cache: AnswerCache,
    concurrency: number,
    private readonly source: string,
  ) {
    this.limiter = new Limiter(concurrency);
  }

  /**
   * Rows for inputs by key: cached ones from the cache, the others (each distinct key once) sent through `send` in
   * requests of min(batchSize, ceil(n / concurrency)) inputs (n: the distinct uncached ones), up to `concurrency`
   * in flight, each request's answers kept as they arrive. Cutting by `batchSize` alone would send the engine's
   * calls (64 queries each, one call at a time) as one request when batchSize >= 64, and `concurrency` would never
   * apply; cut this way, every slot has a request while the call lasts. A call larger than concurrency x batchSize
   * (an audio call, cut by classifyWindows to exactly that) is still sent `batchSize` per request. Each request
   * after the first is serialised one event-loop turn later, so the requests reach the server staggered.
   * On a failure no further request starts; those in flight finish (their answers are kept) and the first error
   * is thrown.
   */
  async answer(
    keys: string[],
    batchSize: number,
    signal: AbortSignal | undefined,
    send: SendRequest,
  ): Promise<Float32Array[]> {
    const { cache, limiter, source } = this;
    const rows: Float32Array[] = new Array(keys.length);
    const pending = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const cached = cache.get(key);
      if (cached) {
        rows[i] = cached.slice();
        this.cachedAnswers++;
      } else {
        const same = pending.get(key);
        if (same) same.push(i);
        else pending.set(key, [i]);
      }
    });
    const unique = [...pending.keys()];
    let failure: { error: unknown } | undefined;
    const requests: Promise<void>[] = [];
    const size = requestSize(unique.length, batchSize, limiter.limit);
    for (let start = 0; start < unique.length; start += size) {
      const chunk = unique.slice(start, start + size);
      const first = start === 0;
      const task = limiter.run(async () => {
        // Serialising a request blocks the thread (16 images of 192x48 are ~8 MB of JSON): one turn of the event
        // loop first lets the previous request's body go out, so the server works on it while this one is written,
        // instead of receiving all the call's requests at once after every one was serialised (bench/remote.ts, 2
        // cores: the query phase at 4 in flight went from ~1.1x to ~1.3x faster than at 1).
        if (!first) await new Promise<void>((resolve) => setImmediate(resolve));
        if (failure || signal?.aborted) return;
        try {
          const answered = await send(
            chunk.map((key) => pending.get(key)![0]!),
            signal,
          );
          if (answered.length !== chunk.length)
            throw new DaxError('model', `returned ${answered.length} rows for ${chunk.length} inputs.`, source);
          await cache.put(chunk.map((key, j) => [key, answered[j]!.slice()]));
          chunk.forEach((key, j) =>
            pending.get(key)!.forEach((i, k) => (rows[i] = k === 0 ? answered[j]! : answered[j]!.slice())),
          );
        } catch (error) {
          // Set before the next request is let through.
          failure ??= { error };
        }
      });
      requests.push(task);
    }
    await Promise.all(requests);
    throwIfCancelled(signal);
    if (failure) throw failure.error;
    return rows;
  }
}
