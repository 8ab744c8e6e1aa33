// kafkajs errors, wrapped so the caller learns in one line what failed and whether trying again
// can help (the broker down or restarting: yes; a bad topic name or message: no).

import { ForeshockError } from '../../core/errors.ts';

interface KafkaJsLike {
  name?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
  code?: string;
}

/** kafkajs error names that mean "the broker is unreachable or busy", whatever the wrapper says. */
const TRANSIENT = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
]);

function chain(err: unknown): KafkaJsLike[] {
  const out: KafkaJsLike[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && out.length < 8) {
    const e = cur as KafkaJsLike;
    out.push(e);
    cur = e.originalError ?? e.cause;
  }
  return out;
}

/** Whether retrying later may succeed: any link of the cause chain is transient or says so. */
export function isRetriable(err: unknown): boolean {
  return chain(err).some(
    (e) =>
      TRANSIENT.has(e.name ?? '') ||
      e.retriable === true ||
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e.code ?? ''),
  );
}

/** `kafka: <what> failed (<brokers>): <innermost message>; <retry advice>`, retriable set. */
export function wrapKafkaError(err: unknown, what: string, brokers: readonly string[]): ForeshockError {
  if (err instanceof ForeshockError) return err;
  const links = chain(err);
  const inner = links[links.length - 1]?.message ?? String(err);
  const outer = links[0]?.message ?? String(err);
  const detail = outer === inner ? inner : `${outer}: ${inner}`;
  const retriable = isRetriable(err);
  const advice = retriable
    ? 'retrying may help once the broker is reachable (is it running? `foreshock kafka status`)'
    : 'retrying will not help';
  return new ForeshockError(`kafka: ${what} failed (${brokers.join(',')}): ${detail}; ${advice}`, {
    retriable,
    cause: err,
  });
}
