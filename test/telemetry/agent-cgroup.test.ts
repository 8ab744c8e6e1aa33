// The cgroup source against a fixture tree built in a temp dir (cgroup v1 files, cgroup v2 PSI
// files, a fake /proc for `tasks`, a block stat and a net dev file).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupSource, cfsCores, deriveMetrics, INITIAL_LOAD } from '../../src/telemetry/agent/index.ts';

let root: string;
const write = (rel: string, text: string) => {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
};

const procStat = (tid: number, state: string) =>
  `${tid} (mysqld) ${state} 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0\n`;

function fixture(state: {
  usageNs: number;
  pgpgin: number;
  pgpgout: number;
  majf: number;
  sectorsR: number;
  rx: number;
}) {
  write('cpuacct/web/cpuacct.usage', `${state.usageNs}\n`);
  write('cpuacct/web/cpu.cfs_quota_us', '50000\n');
  write('cpuacct/web/cpu.cfs_period_us', '100000\n');
  write('cpuacct/web/tasks', '101\n102\n103\n');
  write('memory/web/memory.limit_in_bytes', `${512 * 2 ** 20}\n`);
  write('memory/web/memory.usage_in_bytes', `${128 * 2 ** 20}\n`);
  write(
    'memory/web/memory.stat',
    `cache 0\nrss 100\npgpgin ${state.pgpgin}\npgpgout ${state.pgpgout}\npgmajfault ${state.majf}\n`,
  );
  write(
    'unified/web/cpu.pressure',
    'some avg10=12.50 avg60=3.00 avg300=1.00 total=5\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
  );
  write('unified/web/memory.pressure', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
  // io.pressure absent: io_pressure must be null.
  write('proc/101/stat', procStat(101, 'R'));
  write('proc/102/stat', procStat(102, 'S'));
  write('proc/103/stat', procStat(103, 'D'));
  write('block/loop3/stat', `5 0 ${state.sectorsR} 1 9 0 64 2 0 0 0\n`);
  write('net/dev', `Inter-|\n face |\n  veth-web: ${state.rx} 1 0 0 0 0 0 0 300 2 0 0 0 0 0 0\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'foreshock-cgroup-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('CgroupSource on a fixture tree', () => {
  it('reads cgroup v1 counters, PSI, R+D tasks, loop disk and netdev; derives the metrics', () => {
    const src = new CgroupSource({
      cpuacctDir: join(root, 'cpuacct/web'),
      memoryDir: join(root, 'memory/web'),
      unifiedDir: join(root, 'unified/web'),
      procRoot: join(root, 'proc'),
      diskDir: root,
      blockStatFile: join(root, 'block/loop3/stat'),
      netDevFile: join(root, 'net/dev'),
      netIface: 'veth-web',
    });
    fixture({ usageNs: 1e9, pgpgin: 100, pgpgout: 50, majf: 2, sectorsR: 0, rx: 1000 });
    const a = src.sample(0);
    expect(a.cpuCores).toBe(0.5);
    expect(a.runnableTasks).toBe(2);
    expect(a.cpuPressure).toBe(12.5);
    expect(a.memPressure).toBe(0);
    expect(a.ioPressure).toBeNull();
    // 0.2 cpu-s over 1 s = 0.2 core of the 0.5-core quota -> 60 % left.
    fixture({ usageNs: 1.2e9, pgpgin: 400, pgpgout: 60, majf: 5, sectorsR: 4, rx: 3048 });
    const b = src.sample(1000);
    const m = deriveMetrics(a, b, INITIAL_LOAD).metrics;
    expect(m.availcpu).toBeCloseTo(60, 9);
    expect(m.freemem).toBe(384);
    expect(m.pagein).toBe(300);
    expect(m.pageout).toBe(10);
    expect(m.majfault).toBe(3);
    expect(m.diskread).toBe(2); // 4 sectors = 2048 B = 2 KiB in 1 s
    expect(m.diskwrite).toBe(0);
    expect(m.netin).toBe(2);
    expect(m.netout).toBe(0);
    expect(m.freedisk).toBeGreaterThan(0);
    expect(m.load1).toBe(2);
  });

  it('missing files give null; "no limit" falls back to the configured totals', () => {
    write('cpuacct/h/cpu.cfs_quota_us', '-1\n');
    write('cpuacct/h/cpu.cfs_period_us', '100000\n');
    write('memory/h/memory.limit_in_bytes', '9223372036854771712\n');
    write('memory/h/memory.usage_in_bytes', `${2 ** 20}\n`);
    const src = new CgroupSource({
      cpuacctDir: join(root, 'cpuacct/h'),
      memoryDir: join(root, 'memory/h'),
      unlimitedCores: 3,
      unlimitedMemBytes: 5 * 2 ** 20,
    });
    const s = src.sample(0);
    expect(s.cpuCores).toBe(3);
    expect(s.cpuSeconds).toBeNull();
    expect(s.memLimitBytes).toBe(5 * 2 ** 20);
    expect(s.runnableTasks).toBeNull();
    expect(s.pageinCount).toBeNull();
    expect(s.cpuPressure).toBeNull();
    expect(s.freeDiskBytes).toBeNull();
    expect(deriveMetrics(undefined, s, INITIAL_LOAD).metrics.freemem).toBe(4);
  });

  it('cfsCores', () => {
    expect(cfsCores(150000, 100000, 8)).toBe(1.5);
    expect(cfsCores(-1, 100000, 8)).toBe(8);
    expect(cfsCores(null, 100000, 8)).toBeNull();
    expect(cfsCores(5000, 0, 8)).toBeNull();
  });
});
