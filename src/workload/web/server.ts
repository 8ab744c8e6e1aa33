// The web tier's HTTP server: one route per interaction (`/` is Home, `/<Interaction>` the others),
// GET with query parameters (RUBiS's forms submit the same way), HTML out. Failures map to status
// codes the client emulator counts as errors: 400 bad parameters, 503 database unreachable, 500
// anything else; a page that found nothing is still a 200 that says "Sorry".

import http from 'node:http';
import type net from 'node:net';
import { INTERACTIONS, interactionPath, type Interaction } from '../interactions.ts';
import { DbError, type Executor } from '../db/types.ts';
import { esc, page } from './html.ts';
import { BadRequest, PAGES } from './pages.ts';

const ROUTES = new Map<string, Interaction>(INTERACTIONS.map((name) => [interactionPath(name), name]));

export interface WebServerOptions {
  host: string;
  port: number;
  db: Executor;
  /** Clock for page logic (tests may pin it). */
  now?: () => number;
  /** Called for 5xx answers (a line on stderr by default). */
  onError?: (interaction: Interaction, err: unknown) => void;
}

export interface WebServer {
  server: http.Server;
  port: number;
  /** Requests answered, by status class (for the ready/health endpoint and diagnostics). */
  counts: { ok: number; clientError: number; serverError: number };
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const now = options.now ?? Date.now;
  const counts = { ok: 0, clientError: 0, serverError: 0 };
  let lastErrorLog = 0;
  const onError =
    options.onError ??
    ((interaction: Interaction, err: unknown) => {
      // At most one line a second: a dead database must not flood the log.
      const t = Date.now();
      if (t - lastErrorLog < 1000) return;
      lastErrorLog = t;
      process.stderr.write(`web: ${interaction}: ${(err as Error)?.message ?? String(err)}\n`);
    });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://web');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    }
    const interaction = ROUTES.get(url.pathname);
    if (!interaction || (req.method !== 'GET' && req.method !== 'HEAD')) {
      counts.clientError++;
      send(res, 404, page('Not found', `<p>No page ${esc(url.pathname)}.</p>`));
      return;
    }
    PAGES[interaction]({ params: url.searchParams, db: options.db, now: now() }).then(
      (result) => {
        if (result.status < 400) counts.ok++;
        else counts.clientError++;
        send(res, result.status, result.html);
      },
      (err: unknown) => {
        if (err instanceof BadRequest) {
          counts.clientError++;
          send(res, 400, page('Bad request', `<p>${esc(err.message)}</p>`));
          return;
        }
        counts.serverError++;
        onError(interaction, err);
        const status = err instanceof DbError && err.code === 'unavailable' ? 503 : 500;
        send(
          res,
          status,
          page('Error', `<p>The server could not answer: ${esc((err as Error)?.message ?? String(err))}</p>`),
        );
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    server,
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
