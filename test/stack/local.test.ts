// The namespaced stack end to end (issue 7's integration test): a testbed with its own prefix and
// subnet, real Kafka on the kafka host, real MariaDB on db, the web tier on web, the emulator on
// client, the recorder on analysis, cgroup agents; 60 s of workload; then the dataset is checked
// and teardown must leave nothing (namespaces, links, mounts, loop devices, cgroups, processes).
// Needs root, the kernel pieces of the testbed, mariadbd and the Kafka jars (.ci/run installs all).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordStackRun } from '../../src/stack/index.ts';
import { kafkaLibDir } from '../../src/telemetry/kafka/install.ts';
import { down, findTool, missingPiece, up } from '../../src/testbed/local/index.ts';
import { findMariadbd } from '../../src/workload/db/mariadb-server.ts';
import { defaultDataDir } from '../../src/workload/data-files.ts';
import { testbedLeftovers } from '../helpers/testbed-leftovers.ts';
import { checkRecording } from './check-recording.ts';

const PREFIX = 'fsk-';
const SUBNET = '10.79.0';
const missing =
  missingPiece() ??
  (findMariadbd() ? undefined : 'mariadbd (mariadb-server)') ??
  (existsSync(kafkaLibDir()) ? undefined : `the Kafka jars in ${kafkaLibDir()} (scripts/kafka/setup.sh)`) ??
  (findTool('sshd') ? undefined : 'sshd (openssh-server)');
if (missing) console.warn(`stack/local.test.ts skipped: needs ${missing}`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'foreshock-local-stack-'));
const stateDir = path.join(dir, 'testbed');
afterAll(async () => {
  if (!missing) await down(stateDir, PREFIX).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== undefined)('local namespaced stack with Kafka and MariaDB', () => {
  it('records 60 s of workload: every host every second, SLO series = the requests; teardown leaves nothing', async () => {
    await up(stateDir, { prefix: PREFIX, subnet: SUBNET, ssh: true });
    const lines: string[] = [];
    const report = await recordStackRun(
      {
        stack: 'local',
        stateDir,
        out: path.join(dir, 'run'),
        users: 50,
        mix: 'bidding',
        scale: 0.05,
        seed: 2,
        sloMs: 100,
        dataDir: defaultDataDir(),
        log: (l) => lines.push(l),
      },
      60,
    );
    const hosts = ['web', 'db', 'client', 'kafka', 'analysis'];
    expect(report.webUrl).toMatch(/^http:\/\/10\.79\.0\.10:\d+$/);
    checkRecording(report, hosts);
    expect(report.recording.seconds).toBeGreaterThanOrEqual(60);
    // Each service runs inside its host: the recorded CPU of db and kafka is theirs, under the cap.
    await down(stateDir, PREFIX);
    expect(testbedLeftovers(PREFIX, [stateDir, dir])).toEqual([]);
  }, 300_000);
});
