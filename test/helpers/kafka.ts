// The Kafka tests' common setup: the broker's jars (or a one-line skip warning), a real broker
// started once per describe block and always stopped, and loggers that keep kafkajs off the output.
import { afterAll, beforeAll } from 'vitest';
import { startKafkaBroker, type KafkaBroker } from '../../src/telemetry/kafka/broker.ts';
import { ensureKafkaInstalled, kafkaInstalled } from '../../src/telemetry/kafka/install.ts';

/**
 * The broker's lib directory, installing the jars if needed; null, after a one-line warning that
 * `what` is skipped, when they are not installed and cannot be fetched (no Maven, Java or network).
 */
export function kafkaLibOrSkip(what: string): string | null {
  try {
    return ensureKafkaInstalled();
  } catch (err) {
    console.warn(`${what} skipped: broker jars not installed and not fetchable (${(err as Error).message})`);
    return null;
  }
}

/** Whether the broker's jars are installed (never fetches them); warns (one line) that `what` is skipped if not. */
export function kafkaInstalledOrSkip(what: string): boolean {
  const installed = kafkaInstalled();
  if (!installed) console.warn(`${what} skipped: broker jars not installed`);
  return installed;
}

/**
 * Starts a broker from `lib` before the enclosing describe block's tests and stops it after them.
 * Call it inside a `describe.skipIf(lib === null)` block; the returned function gives the broker.
 */
export function useKafkaBroker(lib: string | null): () => KafkaBroker {
  let broker: KafkaBroker | undefined;
  beforeAll(async () => {
    broker = await startKafkaBroker({ lib: lib! });
  }, 90_000);
  afterAll(async () => {
    await broker?.stop();
  }, 30_000);
  return () => broker!;
}

/** A logger that drops everything. */
export const quietLogger = { warn: (): void => undefined, error: (): void => undefined };

/** A logger that keeps every line, for tests that count or inspect them. */
export function collectingLogger(): { lines: string[]; warn(m: string): void; error(m: string): void } {
  const lines: string[] = [];
  return { lines, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}
