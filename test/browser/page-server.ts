import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';

/** One page of a corpus: `url` is where it was saved from (null for pages without an address). */
export interface CorpusPage {
  id: string;
  file: string;
  url: string | null;
}

export interface ServedPage {
  id: string;
  /** The address to open: the page's original one (every host resolves to the local server). */
  url: string;
  /** Lets the page's own scripts run (our synthetic pages); corpus pages are served without them. */
  scripts: boolean;
  body: () => Buffer;
}

/** Where a corpus page is served: its own address, or one on a made-up host for pages without one. */
export function servedUrl(page: CorpusPage, fallbackHost: string): string {
  return page.url ?? `http://${fallbackHost}/${encodeURIComponent(page.id)}.html`;
}

/** The pages of a corpus manifest (pages.json), read lazily (some are megabytes). */
export function corpusPages(manifestPath: string, fallbackHost: string): ServedPage[] {
  const pages = JSON.parse(readFileSync(manifestPath, 'utf8')) as CorpusPage[];
  const dir = dirname(manifestPath);
  return pages.map((page) => ({
    id: page.id,
    url: servedUrl(page, fallbackHost),
    scripts: false,
    body: () => {
      const raw = readFileSync(join(dir, page.file));
      return page.file.endsWith('.gz') ? gunzipSync(raw) : raw;
    },
  }));
}

// Pages' own scripts cannot reach their servers here; blocking them keeps loads fast and repeatable.
// Content scripts are not subject to the page's CSP, so the extension still runs.
const DECLARES_CHARSET = /<meta[^>]+charset/i;
const NO_SCRIPTS_CSP = "script-src 'none'; object-src 'none'";

export interface PageServer {
  port: number;
  /** Adds pages to serve (also while running). */
  add: (pages: ServedPage[]) => void;
  /** Every request received, as `host/path` (the browser can reach nothing else: see launchChromium). */
  requests: string[];
  close: () => Promise<void>;
}

/**
 * A certificate for the TLS side, made for this run with openssl (the browser is told to ignore certificate
 * errors: it only ever talks to this server).
 */
function throwawayCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'group-buy-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch (error) {
    throw new Error(`openssl could not make a test certificate (apt-get install -y openssl): ${String(error)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A server on 127.0.0.1 that answers for any host, over http and https on one port (the first byte of a
 * connection tells a TLS handshake from plain HTTP): each page at its address (host, path and query),
 * everything else (images, scripts, styles of the pages) a quick empty 404. Pages keep their https
 * addresses, which matters: browsers upgrade some domains to https whatever the link says (HSTS preload).
 */
export async function startPageServer(initial: ServedPage[] = []): Promise<PageServer> {
  const byAddress = new Map<string, ServedPage>();
  const keyOf = (host: string, pathAndQuery: string) => `${host.toLowerCase()}${pathAndQuery}`;
  const add = (pages: ServedPage[]) => {
    for (const page of pages) {
      const url = new URL(page.url);
      byAddress.set(keyOf(url.hostname, url.pathname + url.search), page);
    }
  };
  add(initial);

  const requests: string[] = [];
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    requests.push(`${host}${request.url ?? '/'}`);
    const page = byAddress.get(keyOf(host, request.url ?? '/'));
    if (!page || request.method !== 'GET') {
      response.writeHead(404, { 'content-length': 0, 'cache-control': 'no-store' });
      response.end();
      return;
    }
    const body = page.body();
    response.writeHead(200, {
      // A page that names its encoding keeps it; the others are UTF-8 (how the corpus was saved).
      'content-type': DECLARES_CHARSET.test(body.subarray(0, 2048).toString('latin1')) ? 'text/html' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(page.scripts ? {} : { 'content-security-policy': NO_SCRIPTS_CSP }),
    });
    response.end(body);
  };
  const plain = createServer(answer);
  const tls = createTlsServer(throwawayCertificate(), answer);
  const sockets = new Set<Socket>();
  const front = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', (first) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? tls : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((done) => front.listen(0, '127.0.0.1', done));
  return {
    port: (front.address() as AddressInfo).port,
    add,
    requests,
    close: () =>
      new Promise((done) => {
        for (const socket of sockets) socket.destroy();
        front.close(() => done());
      }),
  };
}
