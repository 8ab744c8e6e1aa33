// src/testbed/aws/user-data.ts: each role's script has that role's pieces, is valid bash, and no
// user-supplied text can become shell syntax (hostile values are refused; quoting round-trips).

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import {
  AWS_ROLES,
  renderUserData,
  renderUserDataTemplate,
  shellQuote,
  type AwsRole,
} from '../../src/testbed/aws/user-data.ts';

const OK = {
  repoUrl: 'https://github.com/foreshock/foreshock.git',
  repoRef: 'main',
  kafka: '172.25.1.20',
  db: '172.25.1.21',
};

function bashSyntax(script: string): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('renderUserData per role', () => {
  const common = [
    'set -Eeuo pipefail',
    'exec >>/var/log/foreshock-setup.log 2>&1',
    'apt-get install -y --no-install-recommends ca-certificates curl git xz-utils',
    'NODE_DIST=https://nodejs.org/dist/latest-v20.x',
    'sha256sum -c -',
    `REPO_URL='https://github.com/foreshock/foreshock.git'`,
    `REPO_REF='main'`,
    'APP=/opt/foreshock',
    'as_app git fetch -q --depth 1 -- "$REPO_URL" "$REPO_REF"',
    'as_app npm ci',
  ];
  // What the remote stack (src/stack/remote.ts) relies on: the SSH user's scratch directory on every
  // host, MariaDB listening for web on db, the broker bound to the kafka host's own address.
  const scratch = 'install -d -o admin -g admin /var/tmp/foreshock';
  const pieces: Record<AwsRole, (string | RegExp)[]> = {
    db: [
      scratch,
      'mariadb-server',
      'bind-address = 0.0.0.0',
      `KAFKA='172.25.1.20'`,
      'DB_PID=$(pidof mariadbd)',
    ],
    kafka: [
      scratch,
      'openjdk-17-jdk-headless maven',
      'node bin/foreshock.js kafka setup',
      "SELF_IP=$(hostname -I | awk '{print $1}')",
      'bin/foreshock.js kafka start --bind "$SELF_IP" --port 9092',
    ],
    web: [
      scratch,
      `DB='172.25.1.21'`,
      `KAFKA='172.25.1.20'`,
      'echo "DB=$DB:3306" >>/etc/foreshock/stack.env',
    ],
    analysis: [scratch, `KAFKA='172.25.1.20'`],
    client: [scratch, `KAFKA='172.25.1.20'`, 'echo "KAFKA=$KAFKA:9092" >>/etc/foreshock/stack.env'],
  };

  for (const role of AWS_ROLES) {
    it(`${role}: has the common steps and its own pieces, and bash -n accepts it`, () => {
      const s = renderUserData(role, OK);
      expect(s.startsWith('#!/bin/bash\n')).toBe(true);
      for (const p of common) expect(s).toContain(p);
      // A failed step says so in the log, for replace-host's health check (health.ts).
      expect(s).toContain(`trap 'echo "foreshock setup (${role}) FAILED at line $LINENO"' ERR`);
      for (const p of pieces[role]) {
        if (typeof p === 'string') expect(s).toContain(p);
        else expect(s).toMatch(p);
      }
      // Role-specific packages stay on their role.
      if (role !== 'db') expect(s).not.toContain('mariadb-server');
      if (role !== 'kafka') expect(s).not.toContain('maven');
      expect(bashSyntax(s)).toEqual({ status: 0, stderr: '' });
      // No TODO is left, and the only CLI subcommand used at boot is kafka's (the rest is per run).
      expect(s).not.toMatch(/TODO/);
      const used = [...s.matchAll(/^[^#]*bin\/foreshock\.js (\w+)/gm)].map((m) => m[1]);
      for (const c of used) expect(['kafka']).toContain(c);
    });
  }

  it('needs the kafka host for every role but kafka, and the db host for web', () => {
    const { kafka: _k, db: _d, ...repo } = OK;
    expect(() => renderUserData('kafka', repo)).not.toThrow();
    for (const role of ['db', 'web', 'analysis', 'client'] as const) {
      expect(() => renderUserData(role, repo)).toThrow(UserError);
    }
    expect(() => renderUserData('web', { ...repo, kafka: OK.kafka })).toThrow(/db host is required/);
  });

  it('matches the template rendering once the placeholders are filled in', () => {
    for (const role of AWS_ROLES) {
      const filled = renderUserDataTemplate(role)
        .replace('${RepoUrl}', OK.repoUrl)
        .replace('${RepoRef}', OK.repoRef)
        .replace('${Kafka.PrivateIp}', OK.kafka)
        .replace('${Db.PrivateIp}', OK.db);
      expect(filled).toBe(renderUserData(role, OK));
    }
  });
});

describe('hostile values', () => {
  const hostile = ["'; rm -rf / #", '$(id)', '`id`', 'a\nb', 'main; id', '--upload-pack=touch /tmp/x', 'a b'];

  it('refuses hostile repo URLs and refs with a UserError', () => {
    for (const h of hostile) {
      expect(() => renderUserData('kafka', { ...OK, repoUrl: `https://example.com/x${h}` }), h).toThrow(
        UserError,
      );
      expect(() => renderUserData('kafka', { ...OK, repoRef: h }), h).toThrow(UserError);
      expect(() => renderUserData('db', { ...OK, kafka: h }), h).toThrow(UserError);
      expect(() => renderUserData('web', { ...OK, db: h }), h).toThrow(UserError);
    }
    expect(() => renderUserData('kafka', { ...OK, repoUrl: 'http://example.com/x.git' })).toThrow(/https/);
    expect(() => renderUserData('kafka', { ...OK, repoUrl: 'git@github.com:x/y.git' })).toThrow(UserError);
    expect(() => renderUserData('kafka', { ...OK, repoUrl: 'https://user:pw@example.com/x.git' })).toThrow(
      /credentials/,
    );
    expect(() => renderUserData('kafka', { ...OK, repoRef: '-main' })).toThrow(UserError);
    expect(() => renderUserData('kafka', { ...OK, repoRef: 'a..b' })).toThrow(UserError);
    expect(() => renderUserData('nope' as AwsRole, OK)).toThrow(UserError);
  });

  it('accepts ordinary refs and URLs', () => {
    for (const repoRef of ['main', 'v1.2.3', 'feature/aws-12', '0123456789abcdef0123456789abcdef01234567']) {
      expect(renderUserData('kafka', { ...OK, repoRef })).toContain(`REPO_REF='${repoRef}'`);
    }
    expect(
      renderUserData('kafka', { ...OK, repoUrl: 'https://gitlab.example.com:8443/group/foreshock.git' }),
    ).toContain("REPO_URL='https://gitlab.example.com:8443/group/foreshock.git'");
  });

  it('shellQuote makes any text one inert word: bash -n accepts it and echo gives it back', () => {
    for (const h of [...hostile, "it's", "''", '', '\\', '!$HOME', '${x}']) {
      const script = `set -eu\nV=${shellQuote(h)}\nprintf %s "$V"\n`;
      expect(bashSyntax(script).status, h).toBe(0);
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      expect(r.status, h).toBe(0);
      expect(r.stdout, h).toBe(h);
      // Outside single quotes, only the escaped quote sequence '\'' appears.
      expect(shellQuote(h).replaceAll(`'\\''`, '')).toMatch(/^'[^']*'$/);
    }
  });
});
