// The live process's status page server (node:http only, loopback only):
//   GET /            the page (src/live/status-page.ts), with a CSP that allows only inline code
//                    and same-origin connections
//   GET /events      server-sent events: `event: snapshot` first, then `event: live` per publish()
//   GET /state.json  the current snapshot
// Every request must carry the random token printed in the URL (as Jupyter does): `?token=` or the
// cookie that GET /?token= sets (so the page's own EventSource is let in). Beside the loopback bind
// and the Host check, this keeps other local users, who can reach 127.0.0.1 too, out (issue 26).
// publish() never throws and never waits: each SSE client gets the frame written into its socket
// buffer; a client that errors is dropped, and so is one whose unsent backlog passes a bound (a
// stalled browser tab must not grow the live process's memory without limit).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { UserError } from '../core/errors.ts';
import { RingBuffer, type LiveStatusEvent, type LiveStatusSnapshot, type SloEvent } from './status-events.ts';
import { statusPageHtml } from './status-page.ts';

export interface StatusServerOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** Default and only allowed: a loopback address (127.0.0.1 by default). */
  host?: string;
  title?: string;
  model: string;
  stack: string;
  act: boolean;
  startedAt: number;
  /** How many non-metrics events the snapshot keeps (default 200). */
  recentLimit?: number;
  /** Interval of the SSE keep-alive comment (default 15 s; tests shorten it). */
  pingMs?: number;
  /** Unsent bytes a client may accumulate before it is dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** A server error after listening (default: one line on stderr); it never throws into the caller. */
  onError?: (err: Error) => void;
}

export interface StatusServer {
  /** The page's address with its token: give this to the user. */
  url: string;
  /** The address without the token (for files and logs others may read). */
  origin: string;
  token: string;
  port: number;
  publish(ev: LiveStatusEvent): void;
  snapshot(): LiveStatusSnapshot;
  clients(): number;
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
/**
 * The cookie's name is the server's own: browsers share cookies across the ports of one host, so two
 * live runs on 127.0.0.1 with one fixed name would overwrite each other's token. A hash prefix of the
 * token names it without revealing it.
 */
function cookieName(token: string): string {
  return `foreshock_status_${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

/** Whether the request carries `token`, in the query or in the cookie; compared in constant time. */
function tokenAllowed(req: http.IncomingMessage, url: URL, token: string): boolean {
  const want = Buffer.from(token);
  const same = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const got = Buffer.from(given);
    return got.length === want.length && timingSafeEqual(got, want);
  };
  if (same(url.searchParams.get('token'))) return true;
  const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
  const name = cookieName(token);
  return cookies.some((c) => c.startsWith(`${name}=`) && same(c.slice(name.length + 1)));
}
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The bind address, if it is a literal loopback address; names (even "localhost") are refused. */
function loopbackHost(host: string): string {
  const family = net.isIPv4(host) ? 'ipv4' : net.isIPv6(host) ? 'ipv6' : null;
  if (family === null || !LOOPBACK.check(host, family))
    throw new UserError(
      `status page: refusing to listen on ${JSON.stringify(host)}: only a loopback address such as 127.0.0.1 is allowed`,
    );
  return host;
}

function checkOptions(o: StatusServerOptions): { host: string; port: number; recentLimit: number } {
  const host = loopbackHost(o.host ?? DEFAULT_HOST);
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`status page: port must be an integer from 0 to 65535, got ${port}`);
  const recentLimit = o.recentLimit ?? 200;
  if (!Number.isInteger(recentLimit) || recentLimit < 1)
    throw new UserError(`status page: recentLimit must be a positive integer, got ${recentLimit}`);
  return { host, port, recentLimit };
}

/**
 * DNS-rebinding guard: a hostile web page can point its own name at 127.0.0.1 and read this
 * server from the user's browser; such requests carry that name in Host, so only loopback names
 * are answered (any port, so an SSH tunnel to localhost:<other port> still works).
 */
function hostHeaderAllowed(header: string | undefined, bound: string): boolean {
  if (header === undefined) return true; // not a browser (browsers always send Host)
  const name = header.replace(/:\d+$/, '').toLowerCase();
  const boundName = net.isIPv6(bound) ? `[${bound}]` : bound;
  return name === 'localhost' || name === '127.0.0.1' || name === '[::1]' || name === boundName;
}

function sseFrame(event: string, data: unknown): string {
  // JSON.stringify escapes CR and LF inside strings, so the payload is one `data:` line.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function sendText(
  res: http.ServerResponse,
  status: number,
  body: string,
  extra: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(body);
}

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  const { host, port: wantedPort, recentLimit } = checkOptions(o);
  const maxBuffered = o.maxBufferedBytes ?? 8 * 1024 * 1024;
  const onError = o.onError ?? ((err: Error) => process.stderr.write(`status page: ${err.message}\n`));
  const page = statusPageHtml(o.title ?? `foreshock live: ${o.model} on ${o.stack}`);
  const hosts = new Map<string, { time: number; values: Record<string, number | null> }>();
  const recent = new RingBuffer<LiveStatusEvent>(recentLimit);
  let slo: SloEvent | undefined;
  const clients = new Set<http.ServerResponse>();
  let closing: Promise<void> | undefined;
  const token = randomBytes(24).toString('hex');

  function snapshot(): LiveStatusSnapshot {
    // A deep copy: callers never see later publishes and cannot change the server's state.
    // Object.fromEntries defines own properties, so a host named "__proto__" stays an ordinary key.
    const snap: LiveStatusSnapshot = {
      startedAt: o.startedAt,
      model: o.model,
      stack: o.stack,
      act: o.act,
      hosts: Object.fromEntries(hosts),
      recent: recent.toArray(),
    };
    if (slo) snap.slo = slo;
    return structuredClone(snap);
  }

  function drop(res: http.ServerResponse): void {
    clients.delete(res);
    res.destroy();
  }

  function send(res: http.ServerResponse, chunk: string): void {
    if (res.destroyed || res.writableEnded) {
      clients.delete(res);
      return;
    }
    if (res.writableLength > maxBuffered) {
      drop(res);
      return;
    }
    try {
      res.write(chunk);
    } catch {
      drop(res);
    }
  }

  function openEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    clients.add(res);
    res.on('close', () => clients.delete(res));
    res.on('error', () => drop(res));
    // retry: how soon EventSource reconnects after the live process restarts its server.
    send(res, 'retry: 2000\n\n');
    send(res, sseFrame('snapshot', snapshot()));
  }

  const server = http.createServer((req, res) => {
    if (closing) return void sendText(res, 503, 'closing\n', { Connection: 'close' });
    if (!hostHeaderAllowed(req.headers.host, host))
      return void sendText(res, 403, 'status page: unexpected Host header\n');
    const requested = new URL(req.url ?? '/', 'http://status');
    if (!tokenAllowed(req, requested, token))
      return void sendText(
        res,
        401,
        'status page: missing or wrong token (open the URL the live process printed)\n',
      );
    const path = requested.pathname;
    if (path !== '/' && path !== '/events' && path !== '/state.json')
      return void sendText(res, 404, 'not found\n');
    if (req.method !== 'GET') return void sendText(res, 405, 'method not allowed\n', { Allow: 'GET' });
    if (path === '/') {
      // The page's EventSource('/events') carries no query: the cookie lets it in.
      res.writeHead(200, {
        ...PAGE_HEADERS,
        'Set-Cookie': `${cookieName(token)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end(page);
    } else if (path === '/state.json') {
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(JSON.stringify(snapshot()));
    } else openEvents(req, res);
  });

  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new UserError(`status page: port ${wantedPort} on ${host} is already in use`, { cause: err }));
      else if (err.code === 'EACCES')
        reject(new UserError(`status page: no permission to listen on port ${wantedPort}`, { cause: err }));
      else if (err.code === 'EADDRNOTAVAIL')
        reject(new UserError(`status page: address ${host} is not available here`, { cause: err }));
      else reject(err);
    };
    server.once('error', failed);
    server.listen(wantedPort, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', onError);
  const port = (server.address() as net.AddressInfo).port;
  const origin = `http://${net.isIPv6(host) ? `[${host}]` : host}:${port}/`;
  const url = `${origin}?token=${token}`;

  // One timer for all clients; a comment line keeps proxies and idle-timeouts from closing the stream.
  const ping = setInterval(() => {
    for (const res of clients) send(res, ': ping\n\n');
  }, o.pingMs ?? 15_000);
  ping.unref();

  return {
    url,
    origin,
    token,
    port,
    publish(ev: LiveStatusEvent): void {
      if (closing) return; // the engine may still publish while shutting down
      // Kept as copies: the caller may reuse or mutate its event objects after publishing.
      if (ev.type === 'metrics') hosts.set(ev.host, { time: ev.time, values: { ...ev.values } });
      else {
        const copy = structuredClone(ev);
        // One SLO row per second would push alarms and actions out of `recent`: keep only the
        // changes of state there (the page lists only those anyway); the latest row is `slo`.
        if (copy.type !== 'slo' || slo?.violated !== copy.violated) recent.push(copy);
        if (copy.type === 'slo') slo = copy;
      }
      if (clients.size === 0) return;
      const frame = sseFrame('live', ev);
      for (const res of clients) send(res, frame);
    },
    snapshot,
    clients: () => clients.size,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(ping);
        for (const res of clients) res.end();
        clients.clear();
        server.close(() => resolve());
        // SSE responses never finish by themselves and keep-alive sockets linger: cut them all.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
