/**
 * When the next event is due: a heap of (time, item), and with a real clock one timer armed
 * for the earliest. No timer per call; on Workers, where a timer does not outlive a request,
 * the next request's `flush()` runs what came due.
 */
import type { Clock } from './clock.ts';
import { TimeHeap } from './heap.ts';

export class Scheduler<T> {
  readonly #due = new TimeHeap<{ time: number; item: T }>();
  readonly #clock: Clock;
  readonly #run: (item: T) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `run` is handed each item once its time has come; it may `add` more. */
  constructor(clock: Clock, run: (item: T) => void) {
    this.#clock = clock;
    this.#run = run;
  }

  /** Items waiting. */
  get size(): number {
    return this.#due.size;
  }

  /** Runs `item` at `time` (epoch ms on the clock), or on the first `flush()` after it. */
  add(time: number, item: T): void {
    this.#due.push({ time, item });
    this.#arm();
  }

  /** Runs every item due by now, in time order, then arms the timer for the next. */
  flush = (): void => {
    const now = this.#clock.now();
    for (let top = this.#due.peek(); top && top.time <= now; top = this.#due.peek()) {
      this.#due.pop();
      this.#run(top.item);
    }
    this.#arm();
  };

  clear(): void {
    this.#due.clear();
    this.#arm();
  }

  #arm(): void {
    const clock = this.#clock as Clock & { speed?: number };
    if (clock.speed === undefined || typeof setTimeout !== 'function') return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#due.peek();
    if (!next) return;
    const wait = Math.max(0, (next.time - clock.now()) / clock.speed);
    this.#timer = setTimeout(this.flush, Math.min(wait, 2 ** 31 - 1));
    (this.#timer as { unref?: () => void }).unref?.();
  }
}
