// What the live engine tells the status page. Events are plain JSON-able objects (they travel as
// SSE `data:` lines and in /state.json); times are epoch milliseconds. `metrics` events are state
// (the latest sample per host), everything else is history (kept in a bounded ring buffer so a long
// run cannot grow the live process's memory).

import { InternalError } from '../core/errors.ts';

export type ActionState = 'planned' | 'skipped' | 'running' | 'done' | 'failed' | 'rolled-back' | 'kept';

export type LiveStatusEvent =
  /** One host sample. */
  | { type: 'metrics'; time: number; host: string; values: Record<string, number | null> }
  | { type: 'slo'; time: number; count: number; mean: number; violated: boolean; thresholdMs: number }
  | { type: 'alarm'; time: number; host: string; score: number; detectedAt: number; latencyMs: number }
  | {
      type: 'localization';
      time: number;
      trigger: string;
      ranking: { host: string; metric: string | null; score: number }[];
    }
  | {
      type: 'action';
      time: number;
      action: string;
      host: string;
      state: ActionState;
      detail: string;
      durationMs?: number;
    }
  | { type: 'info'; time: number; message: string };

export type SloEvent = Extract<LiveStatusEvent, { type: 'slo' }>;

export interface LiveStatusSnapshot {
  startedAt: number;
  model: string;
  stack: string;
  act: boolean;
  /** Latest sample per host. */
  hosts: Record<string, { time: number; values: Record<string, number | null> }>;
  /** The last N non-metrics events, newest last. */
  recent: LiveStatusEvent[];
  /**
   * The latest SLO event, kept apart from `recent`: SLO samples come every window and would
   * otherwise push the last SLO state out of the ring buffer along with everything else.
   */
  slo?: SloEvent;
}

/** Fixed-capacity FIFO: pushing onto a full buffer drops the oldest item. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new InternalError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const end = (this.start + this.count) % this.capacity;
    this.items[end] = item;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}
