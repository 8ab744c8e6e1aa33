// Where the Kafka broker's jars live and how to fetch them. The jars come from Maven Central via
// scripts/kafka/setup.sh (a small pom + `mvn dependency:copy-dependencies`) into a cache outside
// the repository: ${FORESHOCK_KAFKA_HOME:-$HOME/.cache/foreshock}/kafka-<version>/lib.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors.ts';

/** The broker version setup.sh fetches by default (keep in step with scripts/kafka/pom.xml). */
export const KAFKA_VERSION = '4.4.0';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'kafka', 'setup.sh');

/** The cache root: FORESHOCK_KAFKA_HOME, else ~/.cache/foreshock. */
export function kafkaHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FORESHOCK_KAFKA_HOME) return path.resolve(env.FORESHOCK_KAFKA_HOME);
  const home = env.HOME;
  if (!home) throw new UserError('kafka: neither FORESHOCK_KAFKA_HOME nor HOME is set');
  return path.join(home, '.cache', 'foreshock');
}

export function kafkaLibDir(version = KAFKA_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(kafkaHome(env), `kafka-${version}`, 'lib');
}

/** True when setup finished for this version (its marker is there and the broker jar is present). */
export function kafkaInstalled(version = KAFKA_VERSION, env: NodeJS.ProcessEnv = process.env): boolean {
  const lib = kafkaLibDir(version, env);
  if (!existsSync(path.join(path.dirname(lib), '.complete')) || !existsSync(lib)) return false;
  return readdirSync(lib).some((f) => f.startsWith('kafka_2.13-') && f.endsWith('.jar'));
}

/**
 * Runs scripts/kafka/setup.sh (a no-op when the jars are already there) and returns the lib
 * directory. Throws a UserError saying why when Maven, Java or the network is missing.
 */
export function ensureKafkaInstalled(version = KAFKA_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  if (kafkaInstalled(version, env)) return kafkaLibDir(version, env);
  const r = spawnSync('bash', [SETUP_SCRIPT], {
    encoding: 'utf8',
    env: { ...env, KAFKA_VERSION: version },
    timeout: 600_000,
  });
  if (r.status !== 0) {
    const why = (r.stderr || String(r.error ?? '')).trim().split('\n').slice(-3).join(' | ');
    throw new UserError(`kafka setup failed (${SETUP_SCRIPT}): ${why || `exit ${r.status}`}`);
  }
  return kafkaLibDir(version, env);
}
