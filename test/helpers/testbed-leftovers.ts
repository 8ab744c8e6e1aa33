// What a local testbed (or a stack on it) may leave behind, found by name prefix: network
// namespaces, links, mounts, loop devices, cgroups, and processes still inside its cgroups or
// naming one of `dirs` on their command line. Tests assert the list is empty after teardown.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

function sh(argv: string[]): string {
  const [cmd, ...args] = argv;
  return spawnSync(cmd ?? 'true', args, { encoding: 'utf8' }).stdout ?? '';
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

export function testbedLeftovers(prefix: string, dirs: string[]): string[] {
  const out: string[] = [];
  for (const l of sh(['ip', 'netns', 'list']).split('\n')) {
    if (l.startsWith(prefix)) out.push(`netns ${l}`);
  }
  for (const l of sh(['ip', '-o', 'link', 'show']).split('\n')) {
    const name = l.split(': ')[1] ?? '';
    if (name.startsWith(prefix)) out.push(`link ${name}`);
  }
  for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = l.split(' ')[4] ?? '';
    if (mp.includes(`/${prefix}`) || dirs.some((d) => mp.startsWith(d))) out.push(`mount ${mp}`);
  }
  for (const dev of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    const bf = path.join('/sys/block', dev, 'loop', 'backing_file');
    if (existsSync(bf) && readFileSync(bf, 'utf8').includes(`/${prefix}`)) out.push(`loop ${dev}`);
  }
  for (const c of ['cpu', 'cpuacct', 'memory']) {
    for (const d of readdirSync(path.join('/sys/fs/cgroup', c))) {
      if (d.startsWith(prefix)) out.push(`cgroup ${c}/${d}`);
    }
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    const stat = readOr(`/proc/${pid}/stat`, '');
    if (/^\d+ \(.*\) Z/.test(stat)) continue; // a zombie is already dead (reaped slowly here)
    const cg = readOr(`/proc/${pid}/cgroup`, '');
    const cmd = readOr(`/proc/${pid}/cmdline`, '').replace(/\0/g, ' ');
    if (cg.includes(`/${prefix}`) || dirs.some((d) => cmd.includes(d)))
      out.push(`process ${pid} ${cmd.slice(0, 80)}`);
  }
  return out;
}
