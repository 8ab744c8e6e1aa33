// One experiment fault on a stack session, injected and always reverted: shared by the experiment
// runner and live mode's --inject. The point is the in-flight case: a signal that arrives while the
// injector is still waiting for the host to report the fault running must wait for that report and
// then revert (the fault may already be in effect), so revert() awaits a pending injection.

import type { FaultRecord } from '../../core/dataset.ts';
import { culpritMetrics, injectFault, type ActiveFault } from '../../faults/injector.ts';
import type { StackSession } from '../../stack/session.ts';
import type { ExperimentSpec } from './spec.ts';

export class FaultSlot {
  private active: ActiveFault | null = null;
  private injecting: Promise<ActiveFault | null> | null = null;

  constructor(private readonly log: (line: string) => void) {}

  /**
   * Injects the spec's fault on its target (the spec must have one) and returns the running fault
   * and its manifest record: start = when the host reported it running, end = start + the fault phase.
   * With `beginAt` the fault is armed (its program idle until then) and the record's start is that
   * planned time until `confirm` replaces it with the time the host reports.
   */
  async inject(
    session: Pick<StackSession, 'transport' | 'faultDir' | 'attachProcess'>,
    spec: ExperimentSpec & { fault: NonNullable<ExperimentSpec['fault']> },
    id: string,
    beginAt?: number,
  ): Promise<{ active: ActiveFault; record: FaultRecord; via: string }> {
    const transport = await session.transport(spec.target);
    const started = injectFault(
      transport,
      session.faultDir(spec.target),
      id,
      spec.fault,
      beginAt === undefined ? {} : { beginAt },
    );
    this.injecting = started.then(
      (a) => a,
      () => null,
    );
    try {
      this.active = await started;
    } finally {
      this.injecting = null;
    }
    const active = this.active;
    session.attachProcess(spec.target, active.pid);
    const record: FaultRecord = {
      id,
      type: spec.fault.type,
      host: spec.target,
      start: active.startedAt,
      end: active.startedAt + spec.phases.faultS * 1000,
      metrics: culpritMetrics(spec.fault.type),
      params: { ...spec.fault },
    };
    return { active, record, via: transport.description };
  }

  /**
   * For an armed fault, once its begin time has passed: asks the host that the effect is on and
   * sets the record's start (and end) to the time the host reports.
   */
  async confirm(record: FaultRecord, faultS: number): Promise<void> {
    if (!this.active) return;
    try {
      const start = await this.active.confirm();
      record.start = start;
      record.end = start + faultS * 1000;
    } catch (err) {
      // Ended early (an OOM kill of the leak, a crash): the record keeps the planned start, and
      // the fault's log on the host says what happened.
      this.log(`warning: ${(err as Error).message}; the manifest keeps the planned start`);
    }
  }

  /** The running fault, if any. */
  get current(): ActiveFault | null {
    return this.active;
  }

  /** Reverts the fault (waiting for an injection in flight); safe to call twice. True if it reverted one. */
  async revert(): Promise<boolean> {
    const a = this.active ?? (this.injecting ? await this.injecting : null);
    this.active = null;
    if (!a) return false;
    await a.revert().catch((err: unknown) => this.log(`warning: revert ${a.id}: ${(err as Error).message}`));
    return true;
  }
}
