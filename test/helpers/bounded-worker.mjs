// Worker-thread side of test/helpers/bounded.ts: loads TypeScript through tsx, then runs the named
// export of the module it was given for each message and posts the outcome back. A call that never
// returns (an endless loop) is ended from outside by terminating this worker.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.module);
parentPort.on('message', async ({ id, fn, args }) => {
  try {
    const value = await mod[fn](...args);
    parentPort.postMessage({ id, ok: true, value });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    // UserError and its subclasses mark themselves through the prototype chain's names.
    const chain = [];
    for (let p = Object.getPrototypeOf(e); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      chain.push(p.constructor.name);
    }
    parentPort.postMessage({ id, ok: false, name: e.name, chain, message: e.message, stack: e.stack });
  }
});
parentPort.postMessage({ ready: true });
