// Per-role boot scripts (EC2 user data) for the AWS testbed. One source for two consumers:
// cfn/foreshock.yaml embeds renderUserDataTemplate(role) (CloudFormation !Sub placeholders, checked
// by test/aws/template.test.ts so the two cannot drift), and replace-host launches a fresh instance
// with renderUserData(role, ...). Every interpolated value is validated and single-quoted: user
// data runs as root, so a repository URL must never become shell syntax.

import { InternalError, UserError } from '../../core/errors.ts';

export const AWS_ROLES = ['web', 'db', 'kafka', 'analysis', 'client'] as const;
export type AwsRole = (typeof AWS_ROLES)[number];

export interface UserDataOptions {
  repoUrl: string;
  repoRef: string;
  /** Private IP (or DNS name) of the kafka host; required by every role but kafka itself. */
  kafka?: string;
  /** Private IP (or DNS name) of the db host; required by the web role. */
  db?: string;
}

/** Port numbers the security groups in cfn/foreshock.yaml open; kept here so scripts agree. */
export const AWS_PORTS = { web: 8080, mariadb: 3306, kafka: 9092 } as const;

// The same character sets as the template's AllowedPattern for RepoUrl/RepoRef: no quotes, no
// whitespace, no shell metacharacters, so a value CloudFormation pastes into '...' stays one word.
// test/aws/template.test.ts checks the template uses these exact patterns.
export const REPO_URL_PATTERN = '^https://[A-Za-z0-9._~:/@%+-]+$';
export const REPO_REF_PATTERN = '^[A-Za-z0-9._/][A-Za-z0-9._/-]*$';
const REPO_URL_RE = new RegExp(REPO_URL_PATTERN);
const REPO_REF_RE = new RegExp(REPO_REF_PATTERN);
const HOST_RE = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

/** POSIX single-quoting: the result is one shell word whose value is exactly `s`. */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export function validateRepoUrl(url: string): string {
  if (!REPO_URL_RE.test(url)) {
    throw new UserError(
      `repo URL must be https://... with only letters, digits and ._~:/@%+- (got ${JSON.stringify(url)})`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`repo URL is not a URL: ${JSON.stringify(url)}`);
  }
  // Credentials in the URL would end up in the instance's user data and setup log.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UserError('repo URL must not contain credentials (user data is readable on the instance)');
  }
  return url;
}

export function validateRepoRef(ref: string): string {
  // A leading '-' would make git read the ref as an option; '..' is not a valid ref either.
  if (!REPO_REF_RE.test(ref) || ref.includes('..')) {
    throw new UserError(
      `repo ref must be letters, digits and ._/- and must not start with '-' (got ${JSON.stringify(ref)})`,
    );
  }
  return ref;
}

function validateHost(what: string, host: string | undefined, role: AwsRole): string {
  if (host === undefined || host === '')
    throw new UserError(`user data for ${role}: the ${what} host is required`);
  if (!HOST_RE.test(host))
    throw new UserError(`${what} host must be an IP address or DNS name (got ${JSON.stringify(host)})`);
  return host;
}

const needsKafka = (role: AwsRole): boolean => role !== 'kafka';
const needsDb = (role: AwsRole): boolean => role === 'web';

/** The boot script for one role, with every value validated and shell-quoted. */
export function renderUserData(role: AwsRole, o: UserDataOptions): string {
  if (!(AWS_ROLES as readonly string[]).includes(role)) {
    throw new UserError(`unknown AWS role ${JSON.stringify(role)} (one of ${AWS_ROLES.join(', ')})`);
  }
  return script(role, {
    repoUrl: shellQuote(validateRepoUrl(o.repoUrl)),
    repoRef: shellQuote(validateRepoRef(o.repoRef)),
    kafka: needsKafka(role) ? shellQuote(validateHost('kafka', o.kafka, role)) : undefined,
    db: needsDb(role) ? shellQuote(validateHost('db', o.db, role)) : undefined,
  });
}

/** CloudFormation logical ids the template's placeholders refer to. */
export const TEMPLATE_PLACEHOLDERS = {
  repoUrl: '${RepoUrl}',
  repoRef: '${RepoRef}',
  kafka: '${Kafka.PrivateIp}',
  db: '${Db.PrivateIp}',
} as const;

/**
 * The script as the body of a CloudFormation `Fn::Sub`: the same text as renderUserData, with
 * placeholders inside the single quotes. Safe because the template's AllowedPatterns keep quotes
 * out of RepoUrl/RepoRef and PrivateIp is an address. The script itself uses no `${`, so nothing
 * else is substituted (checked here).
 */
export function renderUserDataTemplate(role: AwsRole): string {
  const body = script(role, {
    repoUrl: "'@R@'",
    repoRef: "'@F@'",
    kafka: needsKafka(role) ? "'@K@'" : undefined,
    db: needsDb(role) ? "'@D@'" : undefined,
  });
  if (body.includes('${'))
    throw new InternalError('user-data script contains ${, which Fn::Sub would substitute');
  return body
    .replace('@R@', TEMPLATE_PLACEHOLDERS.repoUrl)
    .replace('@F@', TEMPLATE_PLACEHOLDERS.repoRef)
    .replace('@K@', TEMPLATE_PLACEHOLDERS.kafka)
    .replace('@D@', TEMPLATE_PLACEHOLDERS.db);
}

interface Words {
  repoUrl: string;
  repoRef: string;
  kafka: string | undefined;
  db: string | undefined;
}

// `$VAR`, never `${VAR}`, in these lines: `${` would be taken by Fn::Sub in the template.
function script(role: AwsRole, w: Words): string {
  const lines: string[] = [
    '#!/bin/bash',
    `# foreshock ${role} host: boot setup (rendered by src/testbed/aws/user-data.ts).`,
    '# -E: the ERR trap below also fires for a failure inside a function (as_app).',
    'set -Eeuo pipefail',
    'exec >>/var/log/foreshock-setup.log 2>&1',
    '# A failed step is logged as such: a health check waiting for "finished" can stop at once.',
    `trap 'echo "foreshock setup (${role}) FAILED at line $LINENO"' ERR`,
    `echo "foreshock setup (${role}) started $(date -u +%Y-%m-%dT%H:%M:%SZ)"`,
    '',
    `REPO_URL=${w.repoUrl}`,
    `REPO_REF=${w.repoRef}`,
  ];
  if (w.kafka !== undefined) lines.push(`KAFKA=${w.kafka}`);
  if (w.db !== undefined) lines.push(`DB=${w.db}`);
  lines.push(
    'APP=/opt/foreshock',
    'HOME_DIR=/var/lib/foreshock',
    'export DEBIAN_FRONTEND=noninteractive',
    '',
    '# The image is Debian 12 (apt); its nodejs is 18, so Node.js 20 comes from nodejs.org below.',
    'apt-get update',
    'apt-get install -y --no-install-recommends ca-certificates curl git xz-utils',
  );
  lines.push(...rolePackages(role));
  lines.push(
    '',
    '# Node.js 20: the official x64 tarball, checked against the release SHASUMS256.txt.',
    'NODE_DIST=https://nodejs.org/dist/latest-v20.x',
    'cd /tmp',
    'curl -fsSL -o SHASUMS256.txt "$NODE_DIST/SHASUMS256.txt"',
    "NODE_TAR=$(awk '/linux-x64[.]tar[.]xz$/ {print $2}' SHASUMS256.txt)",
    'curl -fsSLO "$NODE_DIST/$NODE_TAR"',
    'grep " $NODE_TAR\\$" SHASUMS256.txt | sha256sum -c -',
    'tar -xJf "$NODE_TAR" -C /usr/local --strip-components=1',
    'node --version',
    '',
    '# An unprivileged user runs foreshock; root is only needed for the setup above.',
    'id foreshock >/dev/null 2>&1 || useradd --system --create-home --home-dir "$HOME_DIR" --shell /usr/sbin/nologin foreshock',
    'install -d -o foreshock -g foreshock "$APP"',
    'as_app() { runuser -u foreshock -- env HOME="$HOME_DIR" "$@"; }',
    '',
    '# fetch + checkout FETCH_HEAD accepts a branch, a tag or a commit; "--" keeps the URL an operand.',
    'cd "$APP"',
    'as_app git init -q .',
    'as_app git fetch -q --depth 1 -- "$REPO_URL" "$REPO_REF"',
    'as_app git checkout -q FETCH_HEAD',
    'as_app npm ci --no-audit --no-fund',
    '',
  );
  lines.push(...roleServices(role));
  lines.push('', `echo "foreshock setup (${role}) finished $(date -u +%Y-%m-%dT%H:%M:%SZ)"`, '');
  return lines.join('\n');
}

function rolePackages(role: AwsRole): string[] {
  switch (role) {
    case 'db':
      return ['apt-get install -y --no-install-recommends mariadb-server'];
    case 'kafka':
      // `foreshock kafka setup` fetches the Kafka jars with Maven; Kafka 4 needs Java 17+.
      return ['apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven'];
    default:
      return [];
  }
}

/** The login user of the Debian AMIs (the EC2 key pair is installed for it); the harness SSHes in as it. */
export const AWS_SSH_USER = 'admin';
/** Where the user data puts things the remote stack (src/stack/remote.ts) relies on. */
export const AWS_HOST_LAYOUT = {
  repoDir: '/opt/foreshock',
  /** Scratch directory of the SSH user: fault markers and files, workload data, client statistics. */
  workDir: '/var/tmp/foreshock',
  node: '/usr/local/bin/node',
  /** MariaDB's admin client on db: root over the unix socket, through the login user's sudo. */
  dbAdmin: ['sudo', '-n', 'mariadb'],
} as const;

// What runs from boot is what the remote stack does not start itself: the Kafka broker and
// MariaDB. Per run, over SSH, the remote stack creates the database and the web tier's account
// (a fresh password, never in user data), loads the data from web, starts the web tier, a
// machine-wide agent on every host and the emulators on the clients (src/stack/remote.ts).
function roleServices(role: AwsRole): string[] {
  const common = [
    `# The harness logs in as ${AWS_SSH_USER}: its scratch directory, and where the stack's services are.`,
    `install -d -o ${AWS_SSH_USER} -g ${AWS_SSH_USER} ${AWS_HOST_LAYOUT.workDir}`,
    'install -d /etc/foreshock',
  ];
  const env: string[] = [];
  if (needsKafka(role)) env.push('echo "KAFKA=$KAFKA:' + AWS_PORTS.kafka + '" >>/etc/foreshock/stack.env');
  if (needsDb(role)) env.push('echo "DB=$DB:' + AWS_PORTS.mariadb + '" >>/etc/foreshock/stack.env');
  switch (role) {
    case 'db':
      return [
        ...common,
        ...env,
        `# MariaDB listens on every address; the db security group admits ${AWS_PORTS.mariadb} from the web group only.`,
        "printf '[mysqld]\\nbind-address = 0.0.0.0\\n' >/etc/mysql/mariadb.conf.d/60-foreshock.cnf",
        'systemctl restart mariadb',
        '# An assignment, so that set -e stops here if MariaDB is not running.',
        'DB_PID=$(pidof mariadbd)',
        'echo "mariadbd running (pid $DB_PID)"',
      ];
    case 'kafka':
      return [
        ...common,
        'KAFKA_HOME_DIR="$HOME_DIR/kafka"',
        "# The broker listens on, and advertises, this host's private address (the first one).",
        "SELF_IP=$(hostname -I | awk '{print $1}')",
        'as_app env FORESHOCK_KAFKA_HOME="$KAFKA_HOME_DIR" node bin/foreshock.js kafka setup',
        '# oneshot + RemainAfterExit: `kafka start` returns once the broker is ready and leaves it',
        '# running in the unit.',
        'systemd-run --unit=foreshock-kafka --uid=foreshock --working-directory="$APP" --setenv=HOME="$HOME_DIR" \\',
        '  --setenv=FORESHOCK_KAFKA_HOME="$KAFKA_HOME_DIR" --property=Type=oneshot --property=RemainAfterExit=yes \\',
        `  /usr/local/bin/node bin/foreshock.js kafka start --bind "$SELF_IP" --port ${AWS_PORTS.kafka}`,
      ];
    case 'web':
    case 'client':
    case 'analysis':
      return [
        ...common,
        ...env,
        '# Nothing else runs here at boot: the remote stack starts its processes per run.',
      ];
  }
}
