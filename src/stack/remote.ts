// The remote stack (session.ts) on machines reached over SSH: the AWS testbed (`--stack aws`,
// spec from the CloudFormation outputs) or any hosts prepared the same way (`--stack remote`).
// Nothing is shared with this machine but SSH: every connection is key-only with pinned host
// keys, optionally through a bastion; files travel over SSH; Kafka is reached through SSH tunnels.
//
//   booted with the host (user data)  kafka: the broker (`foreshock kafka start --bind <ip>`)
//                                     db: MariaDB, listening on the host's address
//   started by this session           db: a fresh `rubis` database and a web-tier account with a
//                                         new random password (SQL on the admin client's stdin)
//                                     web: the loader (load-main.ts), then the web tier
//                                     every host: `foreshock agent --machine` -> Kafka
//                                     client hosts: the emulator, users split between them
//   in this process                   the aggregator and the recorder, on Kafka via the tunnel
//
// The recorder runs here rather than on the analysis host: the dataset must end up here anyway,
// and a recorder here needs no copy step that could lose its tail. Faults run the fault program
// bundle, copied to each host, over the same SSH transports.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { ForeshockError, UserError } from '../core/errors.ts';
import { stdinWatchdogArgv } from '../core/stdin-watchdog.ts';
import { ensureFaultBundle } from '../faults/bundle.ts';
import { FAULT_BUNDLE, REPO_ROOT } from '../faults/program.ts';
import {
  connectSsh,
  type HostTransport,
  type RemoteProcess,
  type SshHostTransport,
} from '../faults/transport.ts';
import { Aggregator } from '../telemetry/aggregator.ts';
import { createKafkaBus, type KafkaBus } from '../telemetry/kafka/bus.ts';
import { tunnelSocketFactory } from '../telemetry/kafka/tunnel-socket.ts';
import {
  assertFreshRecordingDir,
  Recorder,
  RECORDING_DIR,
  type RecordingSummary,
} from '../telemetry/recorder.ts';
import { dataFile, MIXES, readCategories, readRegions } from '../workload/data-files.ts';
import { rubisSizes } from '../workload/db/datagen.ts';
import type { MariaDbTarget } from '../workload/db/mariadb.ts';
import type { EmulatorStats } from '../workload/emulator/emulator.ts';
import type { ClientTierConfig } from '../workload/tiers/client-main.ts';
import type { LoadConfig, LoadResult } from '../workload/tiers/load-main.ts';
import { readyLine, registerShutdownHook } from '../workload/tiers/children.ts';
import type { WebTierConfig, WebTierInfo } from '../workload/tiers/web-main.ts';
import {
  clientHosts,
  REMOTE_DEFAULT_PORTS,
  remoteHost,
  type RemoteHostSpec,
  type RemoteStackSpec,
} from './remote-spec.ts';
import { aggregateFanout, type SessionOptions, type StackSession } from './session.ts';

/** The database and account this stack creates on the db host for the web tier. */
const DATABASE = 'rubis';
const DB_USER = 'foreshock';
/** How long every host's agent has to deliver its first sample. */
const FIRST_STATS_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 15_000;
const CONNECT_BATCH = 4;
/** Largest clock difference between this machine and a host the aggregation tolerates, ms. */
const MAX_CLOCK_SKEW_MS = 1000;
const LOAD_TIMEOUT_MS = 30 * 60_000;
const READY_TIMEOUT_MS = 120_000;

/** The last `n` lines of a stream, kept for error messages (the stream is read to its end). */
function tail(stream: Readable, n = 5): () => string {
  const lines: string[] = [];
  createInterface({ input: stream }).on('line', (l) => {
    lines.push(l);
    if (lines.length > n) lines.shift();
  });
  return () => lines.join(' | ');
}

/** The tier protocol's READY line (children.ts readyLine) of a process on a host. */
function waitReady<I>(
  p: RemoteProcess,
  what: string,
  stderrTail: () => string,
  timeoutMs: number,
): Promise<I> {
  const how = p.exited.then(({ code, signal }) => {
    const why = stderrTail();
    const ended =
      code === null && signal === null ? 'lost its SSH connection' : `exited with ${code ?? signal}`;
    return `${ended} during start-up${why ? `: ${why}` : ''}`;
  });
  return readyLine<I>(p.stdout, how, timeoutMs).catch((reason: string) => {
    throw new UserError(`${what}: ${reason}`);
  });
}

/** Writes `content` to `file` on the host (parents created), over the transport's stdin. */
async function putFile(t: HostTransport, file: string, content: string): Promise<void> {
  // Into a temporary file, then renamed: a fault's watchdog may run the old bundle at any moment.
  const script = 'mkdir -p "$(dirname "$1")" && cat > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"';
  const r = await t.run(['sh', '-c', script, 'foreshock-put', file], {
    input: content,
    timeoutMs: 120_000,
  });
  if (r.code !== 0)
    throw new UserError(
      `${t.host}: cannot write ${file}: ${r.stderr.trim().split('\n').pop() || String(r.code)}`,
    );
}

/**
 * The host's transport with the fault program mapped to its copy on the host: the injector builds
 * argv for this machine's node and bundle path (faults/program.ts); the host has its own.
 */
function withHostFaultProgram(t: SshHostTransport, node: string, bundle: string): HostTransport {
  const map = (argv: readonly string[]): readonly string[] => {
    if (argv[0] === process.execPath && argv[1] === FAULT_BUNDLE) return [node, bundle, ...argv.slice(2)];
    // Any other argv naming this machine's node (e.g. the unbundled fault program) would point the
    // host at paths it does not have.
    if (argv[0] === process.execPath)
      throw new UserError(`${t.host}: only the fault program bundle can run there (${FAULT_BUNDLE})`);
    return argv;
  };
  return {
    host: t.host,
    description: t.description,
    run: (argv, opts) => t.run(map(argv), opts),
    // The session owns the connection and closes it in stop().
    close: async () => undefined,
  };
}

function addStats(a: EmulatorStats, b: EmulatorStats): EmulatorStats {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    sessions: a.sessions + b.sessions,
    emptyBacks: a.emptyBacks + b.emptyBacks,
    unbuildableBacks: a.unbuildableBacks + b.unbuildableBacks,
  };
}

/** This checkout's commit, or null (not a git checkout, no git). */
function gitHead(dir: string): string | null {
  const r = spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** `users` split over `n` clients as evenly as possible, the first ones taking the remainder. */
export function splitUsers(users: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(users / n) + (i < users % n ? 1 : 0));
}

export async function startRemoteSession(o: SessionOptions): Promise<StackSession> {
  const spec: RemoteStackSpec | undefined = o.remote;
  if (!spec) throw new UserError(`${o.stack} stack: no remote stack spec given`);
  const log = o.log ?? (() => undefined);
  const ports = { ...REMOTE_DEFAULT_PORTS, ...spec.ports };
  const addr = (name: string): string => remoteHost(spec, name).address;
  const kafkaAddr = `${addr('kafka')}:${ports.kafka}`;
  const repo = (...p: string[]): string => path.posix.join(spec.repoDir, ...p);
  const runTs = repo('bin', 'run-ts.js');
  const clients = clientHosts(spec);
  // The load generators and Kafka are the harness's, not the system under test.
  const harnessHosts = [...clients.map((c) => c.name), 'kafka', 'analysis'];
  const out = path.resolve(o.out);
  assertFreshRecordingDir(out);
  for (const f of [spec.ssh.privateKeyFile, spec.ssh.knownHostsFile])
    if (!existsSync(f)) throw new UserError(`${o.stack} stack: ${f} does not exist`);
  const table = dataFile(o.dataDir, MIXES[o.mix]);
  const categories = readCategories(o.dataDir);
  const regions = readRegions(o.dataDir);

  const stoppers: (() => Promise<void>)[] = [];
  /** Every process started on a host, for SIGINT/SIGTERM (below). */
  const remoteProcs = new Set<RemoteProcess>();
  const started = (p: RemoteProcess): RemoteProcess => {
    remoteProcs.add(p);
    return p;
  };
  // On SIGINT/SIGTERM (children.ts runs the hooks together, then exits): stop what runs on the
  // hosts, but leave the SSH connections open, since the experiment runner's hook reverts the
  // fault over them at the same time. The process exit closes them.
  const unhook = registerShutdownHook(async () => {
    await Promise.all([...remoteProcs].map((p) => p.stop()));
  });
  let stopped = false;
  let finished: Promise<RecordingSummary> | null = null;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // A finish() in flight completes first (it stops the agents, flushes, finalises).
    await finished?.catch(() => undefined);
    await Promise.all([...remoteProcs].map((p) => p.stop()));
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    unhook();
  };
  try {
    const via = spec.ssh.jump ? ` via ${spec.ssh.jump.address}` : '';
    const localHead = gitHead(REPO_ROOT);
    log(`connecting to ${spec.hosts.length} hosts over SSH${via} ...`);
    const transports = new Map<string, SshHostTransport>();
    stoppers.push(async () => {
      for (const t of transports.values()) await t.close().catch(() => undefined);
    });
    const connect = (h: RemoteHostSpec): Promise<SshHostTransport> =>
      connectSsh({
        host: h.name,
        address: h.address,
        ...(spec.ssh.port !== undefined ? { port: spec.ssh.port } : {}),
        username: spec.ssh.username,
        privateKeyFile: spec.ssh.privateKeyFile,
        knownHostsFile: spec.ssh.knownHostsFile,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        ...(spec.ssh.jump
          ? {
              jump: {
                address: spec.ssh.jump.address,
                ...(spec.ssh.jump.port !== undefined ? { port: spec.ssh.jump.port } : {}),
                username: spec.ssh.jump.username ?? spec.ssh.username,
                privateKeyFile: spec.ssh.privateKeyFile,
                knownHostsFile: spec.ssh.knownHostsFile,
                connectTimeoutMs: CONNECT_TIMEOUT_MS,
              },
            }
          : {}),
      });
    // A few at a time: sshd (the bastion's too) drops unauthenticated connections beyond
    // MaxStartups (10 by default). Every attempt settles before the first failure is thrown, so
    // no connection that completes later is left open.
    let firstError: unknown = null;
    for (let i = 0; i < spec.hosts.length; i += CONNECT_BATCH) {
      const batch = spec.hosts.slice(i, i + CONNECT_BATCH);
      const results = await Promise.allSettled(batch.map(connect));
      results.forEach((r, j) => {
        if (r.status === 'fulfilled') transports.set(batch[j]!.name, r.value);
        else firstError ??= r.reason;
      });
      if (firstError !== null) throw firstError;
    }
    const t = (name: string): SshHostTransport => transports.get(name)!;

    // Every host needs node and the repository: say which one lacks what, before anything starts.
    await Promise.all(
      spec.hosts.map(async (h) => {
        const r = await t(h.name).run([spec.node, '-e', 'process.exit(0)'], { timeoutMs: 60_000 });
        if (r.code !== 0) throw new UserError(`${h.name}: cannot run node (${spec.node}) there`);
        const c = await t(h.name).run(['test', '-f', runTs], { timeoutMs: 60_000 });
        if (c.code !== 0) throw new UserError(`${h.name}: no foreshock repository at ${spec.repoDir}`);
        // Samples carry the hosts' clocks; the aggregator closes seconds by this machine's.
        const before = Date.now();
        const d = await t(h.name).run([spec.node, '-e', 'process.stdout.write(String(Date.now()))'], {
          timeoutMs: 60_000,
        });
        const after = Date.now();
        const skew = Number(d.stdout) - (before + after) / 2;
        if (Number.isFinite(skew) && Math.abs(skew) > MAX_CLOCK_SKEW_MS + (after - before) / 2)
          throw new UserError(
            `${h.name}: its clock is ${Math.round(skew)} ms off this machine's (more than ${MAX_CLOCK_SKEW_MS} ms): sync both with NTP`,
          );
        const v = await t(h.name).run(['git', '-C', spec.repoDir, 'rev-parse', 'HEAD'], {
          timeoutMs: 60_000,
        });
        const remoteHead = v.code === 0 ? v.stdout.trim() : null;
        if (remoteHead && localHead && remoteHead !== localHead)
          log(
            `warning: ${h.name} runs commit ${remoteHead.slice(0, 12)}, this checkout is ${localHead.slice(0, 12)}: configs may not match`,
          );
      }),
    );

    log(`connecting to Kafka at ${kafkaAddr} through SSH ...`);
    // Every broker connection (this session's and live mode's) is a channel to the kafka host.
    const kafkaSockets = tunnelSocketFactory((host, port) => t('kafka').tunnel(host, port));
    const bus: KafkaBus = await createKafkaBus({
      brokers: [kafkaAddr],
      clientId: 'foreshock-remote',
      connectionTimeoutMs: 10_000,
      socketFactory: kafkaSockets,
    }).catch((e: unknown) => {
      // Say where, keep whether a retry helps (kafka/errors.ts decides that).
      throw new ForeshockError(
        `kafka at ${kafkaAddr} through SSH to the kafka host (is the broker running there?): ${(e as Error).message}`,
        { retriable: e instanceof ForeshockError ? e.retriable : true, cause: e },
      );
    });
    stoppers.push(() => bus.close());
    const seen = new Set<string>();
    const unseen = bus.subscribe('stats', (m) => seen.add(m.host));
    await bus.ready();

    log('copying the fault program and the workload data to the hosts ...');
    const bundle = readFileSync(ensureFaultBundle(), 'utf8');
    const hostBundle = path.posix.join(spec.workDir, 'fault-main.mjs');
    const hostTable = path.posix.join(spec.workDir, 'data', path.basename(table));
    await Promise.all([
      ...spec.hosts.map((h) => putFile(t(h.name), hostBundle, bundle)),
      ...clients.map((c) => putFile(t(c.name), hostTable, readFileSync(table, 'utf8'))),
    ]);

    log(`starting the metric agents on ${spec.hosts.length} hosts ...`);
    const agentErr = new Map<string, () => string>();
    const agents: RemoteProcess[] = [];
    for (const h of spec.hosts) {
      // The agent never reads stdin, so it would outlive a harness killed with SIGKILL (its SSH
      // channel closing ends only stdin): the stdin watchdog kills it then.
      const p = await t(h.name).spawn(
        stdinWatchdogArgv([
          spec.node,
          repo('bin', 'foreshock.js'),
          'agent',
          '--machine',
          '--host',
          h.name,
          '--bus',
          'kafka',
          '--brokers',
          kafkaAddr,
        ]),
      );
      started(p);
      p.stdout.resume();
      agentErr.set(h.name, tail(p.stderr));
      agents.push(p);
    }
    const agentsUntil = Date.now() + FIRST_STATS_TIMEOUT_MS;
    while (spec.hosts.some((h) => !seen.has(h.name)) && Date.now() < agentsUntil) await sleep(250);
    unseen();
    const silent = spec.hosts.filter((h) => !seen.has(h.name));
    if (silent.length > 0)
      throw new UserError(
        `no metrics from ${silent.map((h) => h.name).join(', ')} within ${FIRST_STATS_TIMEOUT_MS / 1000} s` +
          silent
            .map((h) => (agentErr.get(h.name)?.() ? ` (${h.name}: ${agentErr.get(h.name)!()})` : ''))
            .join(''),
      );

    log(`creating the RUBiS database on db (${addr('db')}:${ports.mariadb}) ...`);
    // Hex only: safe inside the SQL string literal, never in argv or logs.
    const password = randomBytes(18).toString('hex');
    const webAddr = addr('web');
    const sql =
      `DROP DATABASE IF EXISTS \`${DATABASE}\`;\nCREATE DATABASE \`${DATABASE}\`;\n` +
      `CREATE USER IF NOT EXISTS '${DB_USER}'@'${webAddr}' IDENTIFIED BY '${password}';\n` +
      `ALTER USER '${DB_USER}'@'${webAddr}' IDENTIFIED BY '${password}';\n` +
      `GRANT ALL PRIVILEGES ON \`${DATABASE}\`.* TO '${DB_USER}'@'${webAddr}';\n`;
    const admin = await t('db').run(spec.dbAdmin, { input: sql, timeoutMs: 120_000 });
    if (admin.code !== 0)
      throw new UserError(
        `db: the MariaDB admin client (${spec.dbAdmin[0]}) failed: ${admin.stderr.trim().split('\n').pop() || String(admin.code)}`,
      );
    const target: MariaDbTarget = {
      host: addr('db'),
      port: ports.mariadb,
      user: DB_USER,
      password,
      database: DATABASE,
    };
    const sizes = rubisSizes({ scale: o.scale, categories, regions });
    log(`loading it from web (scale ${o.scale}: ${sizes.users} users) ...`);
    const loadConfig: LoadConfig = {
      target,
      scale: o.scale,
      seed: o.seed,
      now: Date.now(),
      categories,
      regions,
    };
    const load = await t('web').run([spec.node, runTs, repo('src', 'workload', 'tiers', 'load-main.ts')], {
      input: JSON.stringify(loadConfig),
      timeoutMs: LOAD_TIMEOUT_MS,
    });
    const loaded = /^LOADED (.*)$/m.exec(load.stdout)?.[1];
    if (load.code !== 0 || !loaded) {
      const why = /^FAILED (.*)$/m.exec(load.stdout)?.[1] ?? load.stderr.trim().split('\n').pop() ?? '';
      throw new UserError(`web: loading the database failed${why ? `: ${why}` : ''}`);
    }
    const loadResult = JSON.parse(loaded) as LoadResult;
    log(`database loaded in ${loadResult.ms} ms; starting the web tier on web:${ports.web} ...`);
    const web = started(
      await t('web').spawn([spec.node, runTs, repo('src', 'workload', 'tiers', 'web-main.ts'), '-']),
    );
    const webErr = tail(web.stderr);
    const webConfig: WebTierConfig = {
      host: webAddr,
      port: ports.web,
      db: { kind: 'mariadb', ...target, connections: 10 },
    };
    web.write(`${JSON.stringify(webConfig)}\n`);
    const webInfo = await waitReady<WebTierInfo>(web, 'web tier on web', webErr, READY_TIMEOUT_MS);
    web.stdout.resume();
    const webUrl = `http://${webAddr}:${webInfo.port}`;

    // The recording starts once the stack serves: the database load is not part of it.
    const recorder = new Recorder(bus, {
      out,
      sloThresholdMs: o.sloMs,
      sourceDetail: `${o.stack} stack, bus kafka through SSH`,
      dependencies: [...clients.map((c): [string, string] => [c.name, 'web']), ['web', 'db']],
      harnessHosts,
    });
    recorder.start();
    const aggregator = new Aggregator(bus, {
      now: Date.now,
      sloThresholdMs: o.sloMs,
      lateDelayMs: o.lateDelayMs ?? 2000,
    });
    aggregator.start();
    // The recorder's and aggregator's subscriptions join their groups before the clients start.
    await bus.ready();
    aggregator.startTimer();
    stoppers.push(async () => aggregator.stop());

    // What would make the recording incomplete without anyone noticing: an agent that ends, the
    // SSH connection Kafka's tunnels ride on, the web tier. finish() refuses to seal it then.
    const lost: string[] = [];
    let ending = false;
    agents.forEach(
      (a, i) =>
        void a.exited.then(({ code, signal }) => {
          if (!ending)
            lost.push(`the agent on ${spec.hosts[i]!.name} ended (${code ?? signal ?? 'connection lost'})`);
        }),
    );
    void web.exited.then(({ code, signal }) => {
      if (!ending) lost.push(`the web tier ended (${code ?? signal ?? 'connection lost'})`);
    });
    t('kafka').onClose(() => {
      if (!ending) lost.push("the SSH connection to the kafka host (Kafka's tunnels) closed");
    });

    const lists = { categories: categories.length, regions, users: sizes.users };
    return {
      stack: o.stack,
      hosts: spec.hosts.map((h) => ({
        host: h.name,
        where: h.address,
        harness: harnessHosts.includes(h.name),
      })),
      webUrl,
      pids: {},
      transport: async (host) => {
        remoteHost(spec, host);
        return withHostFaultProgram(t(host), spec.node, hostBundle);
      },
      faultDir: () => path.posix.join(spec.workDir, 'faults'),
      attachProcess: () => undefined,
      raiseLimit: () =>
        Promise.reject(
          new UserError(
            `${o.stack} stack: its hosts are whole machines with no cgroup limit to raise (use --fix restart, or replace-host on AWS)`,
          ),
        ),
      restoreLimit: async () => undefined,
      // Whole machines: live mode's `restart` needs a process list this session does not keep.
      hostProcesses: () => [],
      telemetry: {
        kind: 'kafka',
        brokers: [kafkaAddr],
        socketFactory: kafkaSockets,
      },
      onAggregate: aggregateFanout(bus),
      runClients: async (phases): Promise<EmulatorStats> => {
        const shares = splitUsers(o.users, clients.length);
        const runs = clients.map(async (c, i): Promise<EmulatorStats | null> => {
          if (shares[i] === 0) return null;
          const statsFile = path.posix.join(spec.workDir, `client-stats-${c.name}-${Date.now()}.json`);
          const config: ClientTierConfig = {
            baseUrl: webUrl,
            transitionsFile: hostTable,
            users: shares[i]!,
            lists,
            seed: o.seed + i,
            clientId: c.name,
            phases,
            brokers: [kafkaAddr],
            statsFile,
          };
          const p = started(
            await t(c.name).spawn([
              spec.node,
              runTs,
              repo('src', 'workload', 'tiers', 'client-main.ts'),
              JSON.stringify(config),
            ]),
          );
          const errTail = tail(p.stderr);
          await waitReady(p, `client emulator on ${c.name}`, errTail, READY_TIMEOUT_MS);
          p.stdout.resume();
          const { code, signal } = await p.exited;
          if (code !== 0)
            throw new UserError(`client emulator on ${c.name} exited with ${code ?? signal}: ${errTail()}`);
          const r = await t(c.name).run(['cat', statsFile], { timeoutMs: 60_000 });
          if (r.code !== 0) throw new UserError(`${c.name}: the emulator wrote no statistics (${statsFile})`);
          await t(c.name)
            .run(['rm', '-f', statsFile], { timeoutMs: 60_000 })
            .catch(() => undefined);
          return JSON.parse(r.stdout) as EmulatorStats;
        });
        const all = await Promise.all(runs);
        return all
          .filter((s): s is EmulatorStats => s !== null)
          .reduce(addStats, { requests: 0, errors: 0, sessions: 0, emptyBacks: 0, unbuildableBacks: 0 });
      },
      finish: () => {
        if (stopped && !finished)
          return Promise.reject(new UserError(`${o.stack} stack: finish() after stop()`));
        finished ??= (async () => {
          ending = true;
          if (lost.length > 0)
            throw new UserError(
              `${o.stack} stack: the recording is incomplete (${lost.join('; ')}); what was recorded is in ${path.join(out, RECORDING_DIR)} (\`foreshock record --recover --out ${out}\`)`,
            );
          await Promise.all(agents.map((a) => a.stop()));
          // Let the last second's stats arrive, then let that second end before flushing.
          await sleep(1500);
          await sleep(1000 - (Date.now() % 1000) + 20);
          aggregator.flush();
          aggregator.stop();
          // The aggregate just published goes out to Kafka and back to the recorder.
          await sleep(1500);
          return recorder.stop();
        })();
        return finished;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
