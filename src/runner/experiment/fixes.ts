// Fixes performed during a recorded run (`--fix`), so their real latencies calibrate the replay fix
// model (src/sim/fix-model.ts reads manifest.actions). The runner watches the live aggregate rows;
// once the SLO has been violated for `afterViolationS` seconds in a row during the fault, it
// performs the spec's action and records when it was requested and when it completed.
//
//   restart: the faulty process is ended (for an injected fault: the fault process, which is what
//            "restart the leaking process" means when the leak is the injector) - measured from the
//            request to the process being gone and its resources released.
//   raise-limit: the target host's memory limit (memleak) or CPU quota (cpuhog) is doubled (local
//            stack; restored when the session stops) - measured from the request to the write done.

import type { ActionRecord } from '../../core/dataset.ts';
import type { ActiveFault } from '../../faults/injector.ts';
import type { StackSession } from '../../stack/session.ts';
import type { ExperimentSpec } from './spec.ts';

/** Resolves with the actions performed (none if the SLO never broke long enough before the fault ended). */
export function performFix(
  session: StackSession,
  spec: ExperimentSpec,
  fault: ActiveFault,
  log: (line: string) => void,
): Promise<ActionRecord[]> {
  const fix = spec.fix;
  if (!fix) return Promise.resolve([]);
  return new Promise((resolve) => {
    let streak = 0;
    let done = false;
    const finish = (actions: ActionRecord[]): void => {
      if (done) return;
      done = true;
      unsubscribe();
      clearTimeout(timer);
      resolve(actions);
    };
    // Give up when the fault phase is over (its revert is not a fix).
    const timer = setTimeout(() => finish([]), Math.max(0, fault.expiresAt - Date.now()));
    const unsubscribe = session.onAggregate((row) => {
      if (done) return;
      streak = row.count > 0 && row.mean >= spec.slo.latencyMs ? streak + 1 : 0;
      if (streak < fix.afterViolationS) return;
      done = true;
      unsubscribe();
      clearTimeout(timer);
      const requested = Date.now();
      log(`fix: SLO violated for ${streak} s: ${fix.action} on ${spec.target}`);
      const act =
        fix.action === 'restart'
          ? fault.revert()
          : session.raiseLimit(spec.target, spec.fault?.type === 'cpuhog' ? 'cpu' : 'memory');
      void act.then(
        () => {
          const completed = Date.now();
          log(`fix: ${fix.action} took ${completed - requested} ms`);
          resolve([{ type: fix.action, host: spec.target, requested, completed }]);
        },
        (err: unknown) => {
          log(`fix: ${fix.action} failed: ${(err as Error).message}`);
          resolve([]);
        },
      );
    });
  });
}
