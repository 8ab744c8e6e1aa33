// `foreshock kafka start|stop|status`: one detached local broker per state directory, found again
// through <stateDir>/broker.json (pid, ports, data directory).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors.ts';
import { killBrokerGroup, processAlive, startKafkaBroker, type KafkaBrokerInfo } from './broker.ts';
import { kafkaHome } from './install.ts';

export function defaultStateDir(): string {
  return path.join(kafkaHome(), 'state');
}

const stateFile = (stateDir: string): string => path.join(stateDir, 'broker.json');

export function readLocalBroker(stateDir: string): KafkaBrokerInfo | null {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as KafkaBrokerInfo;
}

export type LocalStatus = { running: true; info: KafkaBrokerInfo } | { running: false; stale: boolean };

export function localBrokerStatus(stateDir: string): LocalStatus {
  const info = readLocalBroker(stateDir);
  if (!info) return { running: false, stale: false };
  return processAlive(info.pid) ? { running: true, info } : { running: false, stale: true };
}

export async function startLocalBroker(
  stateDir: string,
  /** bindHost: the address it listens on and advertises (default 127.0.0.1). */
  options: { port?: number; lib?: string; bindHost?: string } = {},
): Promise<KafkaBrokerInfo> {
  const status = localBrokerStatus(stateDir);
  if (status.running) {
    throw new UserError(
      `a broker is already running on ${status.info.brokers.join(',')} (pid ${status.info.pid})`,
    );
  }
  mkdirSync(stateDir, { recursive: true });
  const broker = await startKafkaBroker({ ...options, baseDir: stateDir, detached: true });
  const { stop: _stop, ...info } = broker;
  writeFileSync(stateFile(stateDir), JSON.stringify(info, null, 2) + '\n');
  return info;
}

/** Stops the broker of this state directory; false when none was running. */
export async function stopLocalBroker(stateDir: string): Promise<boolean> {
  const info = readLocalBroker(stateDir);
  if (!info) return false;
  const wasRunning = processAlive(info.pid);
  if (wasRunning) await killBrokerGroup(info.pid);
  rmSync(info.dir, { recursive: true, force: true });
  rmSync(stateFile(stateDir), { force: true });
  return wasRunning;
}
