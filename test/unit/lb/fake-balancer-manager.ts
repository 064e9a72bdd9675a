// A small stand-in for httpd 2.4's balancer-manager, following mod_proxy_balancer.c (balancer_handler,
// balancer_display_page) and proxy_util.c (ap_proxy_parse_wstatus):
// - only GET and POST; on GET only w, b, nonce, xml are read from the query; on POST every parameter
//   comes from the urlencoded body (first 1024 bytes) and the query is ignored;
// - when there are parameters and the Referer is missing or its host is not the server name, all
//   parameters are dropped (AH10187) — so `?xml=1` then returns the HTML page;
// - changes apply only when `nonce` equals the selected balancer's nonce; otherwise the page is
//   returned with 200 all the same;
// - an unknown worker `w` is silently ignored;
// - the XML carries each balancer's nonce (`<httpd:nonce>`), as Debian's httpd 2.4.71 does (checked
//   against the real one in test/e2e/tomcat-apache.test.ts); `xmlNonce: false` is an httpd without it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A worker: its status flags (letters as in w_status_X) and busy count. */
export interface FakeWorker {
  name: string;
  route: string;
  flags: Set<string>;
  busy: number;
}

/** A balancer (name without `balancer://`). */
export interface FakeBalancer {
  name: string;
  nonce: string;
  workers: FakeWorker[];
}

/** How the fake behaves. */
export interface FakeBalancerOptions {
  balancers: FakeBalancer[];
  /** ServerName with UseCanonicalName On; null = the Host header (UseCanonicalName Off, the default). */
  serverName?: string | null;
  /** Require this `user:pass` (Basic auth), like a `<Location>` with `Require valid-user`. */
  basicAuth?: string | null;
  /** The hidden field in the style of another version: `id="nonce" … value="…"` (double quotes). */
  doubleQuotedNonce?: boolean;
  /** After serving a page (HTML or XML), change the nonces (as if the POST reached another front end). */
  rotateNonceAfterPage?: boolean;
  /**
   * Print `<httpd:nonce>` in the XML (default true, as httpd 2.4.71); false = an httpd that only shows it in the HTML.
   */
  xmlNonce?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** A request as the fake saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  referer: string | null;
  body: string;
  /** The parameters after the Referer check. */
  params: Record<string, string>;
  /** True when a change was applied. */
  applied: boolean;
}

const WSTAT: Array<[string, string]> = [
  ['I', 'Ign '],
  ['N', 'Drn '],
  ['G', 'Gen '],
  ['U', 'Shut '],
  ['D', 'Dis '],
  ['S', 'Stop '],
  ['E', 'Err '],
  ['H', 'Stby '],
  ['R', 'Spar '],
  ['F', 'Free '],
  ['C', 'HcFl '],
];

/** `ap_proxy_parse_wstatus` for an initialized worker. */
export function wstatus(w: FakeWorker): string {
  let s = 'Init ';
  for (const [flag, name] of WSTAT) if (w.flags.has(flag)) s += name;
  const usable = !['U', 'D', 'S', 'E', 'C'].some((f) => w.flags.has(f));
  return usable ? `${s}Ok ` : s;
}

function xmlPage(balancers: FakeBalancer[], xmlNonce: boolean): string {
  const workers = (b: FakeBalancer): string =>
    b.workers
      .map((w) => {
        const [scheme, rest] = w.name.split('://');
        const [host, port] = (rest ?? '').split(':');
        return (
          `        <httpd:worker>\n          <httpd:name>${w.name}` +
          `</httpd:name>\n          <httpd:scheme>${scheme}</httpd:scheme>\n          <httpd:hostname>` +
          `${host}</httpd:hostname>\n          <httpd:loadfactor>1.00</httpd:loadfactor>\n    ` +
          `      <httpd:port>${port}</httpd:port>\n          <httpd:min>0</httpd:min>\n          ` +
          `<httpd:smax>25</httpd:smax>\n          <httpd:max>25</httpd:max>\n          ` +
          `<httpd:ttl>0</httpd:ttl>\n          <httpd:status>${wstatus(w)}</httpd:status>\n          ` +
          `<httpd:retries>0</httpd:retries>\n          <httpd:lbstatus>0</httpd:lbstatus>\n          ` +
          `<httpd:loadfactor>1.00</httpd:loadfactor>\n    ` +
          `      <httpd:transferred>0</httpd:transferred>\n ` +
          `         <httpd:read>0</httpd:read>\n          <httpd:elected>12</httpd:elected>\n          ` +
          `<httpd:route>${w.route}</httpd:route>\n          ` +
          `<httpd:redirect></httpd:redirect>\n          <httpd:busy>${w.busy}</httpd:busy>\n          ` +
          `<httpd:lbset>0</httpd:lbset>\n          ` +
          `<httpd:connectiontimeout>0</httpd:connectiontimeout>\n ` +
          `         <httpd:retry>60</httpd:retry>\n` +
          `${scheme === 'ajp' ? '          <httpd:flushpackets>Off</httpd:flushpackets>\n' : ''}` +
          `        </httpd:worker>\n`
        );
      })
      .join('');
  const body = balancers
    .map(
      (b) =>
        `    <httpd:balancer>\n      <httpd:name>balancer://${b.name}</httpd:name>\n` +
        `${xmlNonce ? `      <httpd:nonce>${b.nonce}</httpd:nonce>\n` : ''}` +
        `      <httpd:stickysession>JSESSIONID|jsessionid</httpd:stickysession>\n ` +
        `     <httpd:nofailover>Off</httpd:nofailover>\n      <httpd:timeout>0</httpd:timeout>      ` +
        `<httpd:maxattempts>1</httpd:maxattempts>\n     ` +
        ` <httpd:lbmethod>byrequests</httpd:lbmethod>\n ` +
        `     <httpd:scolonpathdelim>Off</httpd:scolonpathdelim>\n      <httpd:workers>\n` +
        `${workers(b)}      </httpd:workers>\n    </httpd:balancer>\n`,
    )
    .join('');
  return (
    `<?xml version='1.0' encoding='UTF-8' ?>\n<httpd:manager xmlns:httpd='http://httpd.apache.org'>\n  ` +
    `<httpd:balancers>\n${body}  </httpd:balancers>\n</httpd:manager>`
  );
}

function htmlPage(
  o: FakeBalancerOptions,
  uri: string,
  bsel: FakeBalancer | undefined,
  wsel: FakeWorker | undefined,
): string {
  const tables = o.balancers
    .map((b) => {
      const rows = b.workers
        .map(
          (w) =>
            `<tr>\n<td><a href="${uri}?b=${b.name}&amp;w=${encodeURI(w.name)}&amp;nonce=${b.nonce}">` +
            `${w.name}</a></td><td>${w.route}</td><td></td><td>1.00</td><td>0</td><td>${wstatus(w)}` +
            `</td><td>12</td><td>${w.busy}</td><td>0</td><td>0</td><td>0</td></tr>\n`,
        )
        .join('');
      return (
        `<hr />\n<h3>LoadBalancer Status for <a href="${uri}?b=${b.name}&amp;nonce=${b.nonce}` +
        `">balancer://${b.name}</a> [p${b.name}]</h3>\n\n\n<table><tr><th>Worker ` +
        `URL</th><th>Route</th><th>RouteRedir</th><th>Factor</th><th>Set</th><th>Status</th><th>Elected</th><th>Busy</th><th>Load</th><th>To</th><th>From</th></tr>\n` +
        `${rows}</table>\n`
      );
    })
    .join('');
  const hidden = (b: FakeBalancer): string =>
    o.doubleQuotedNonce
      ? `<input type="hidden" id="nonce" name="nonce" value="${b.nonce}">\n`
      : `<input type=hidden name='nonce' id='nonce' value='${b.nonce}'>\n`;
  let form = '';
  if (bsel && wsel)
    form =
      `<h3>Edit worker settings for ${wsel.name}</h3>\n<form method='POST' ` +
      `enctype='application/x-www-form-urlencoded' action="${uri}` +
      `">\n<table><tr><td>Load factor:</td><td><input name='w_lf' id='w_lf' type=text ` +
      `value='1.00'></td></tr>\n</table>\n<input type=hidden name='w' id='w' value="${wsel.name}` +
      `">\n<input type=hidden name='b' id='b' value="${bsel.name}">\n${hidden(bsel)}</form>\n<hr />\n`;
  else if (bsel)
    form =
      `<h3>Edit balancer settings for balancer://${bsel.name}</h3>\n<form method='POST' ` +
      `enctype='application/x-www-form-urlencoded' action="${uri}` +
      `">\n<table>\n<tr><td>Timeout:</td><td><input name='b_tmo' id='b_tmo' type=text ` +
      `value='0'></td></tr>\n</table>\n<input type=hidden name='b' id='b' value="${bsel.name}">\n` +
      `${hidden(bsel)}</form>\n<hr />\n`;
  return (
    `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" ` +
    `"http://www.w3.org/TR/html4/strict.dtd">\n<html><head><title>Balancer ` +
    `Manager</title>\n</head>\n<body><h1>Load Balancer Manager for 127.0.0.1</h1>\n\n<dl><dt>Server ` +
    `Version: Apache/2.4.62 (Debian)</dt>\n</dl>\n${tables}<hr />\n${form}` +
    `<address>Apache/2.4.62 (Debian) Server at 127.0.0.1 Port 80</address>\n</body></html>\n`
  );
}

function parse(text: string, allowed: string[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) if (!allowed || allowed.includes(k)) out[k] = v;
  return out;
}

function safeReferer(req: IncomingMessage, o: FakeBalancerOptions, ref: string | undefined): boolean {
  if (!ref) return false;
  let host: string;
  try {
    host = new URL(ref).hostname;
  } catch {
    return false;
  }
  const serverName = o.serverName ?? (req.headers.host ?? '').replace(/:\d+$/, '');
  return host.toLowerCase() === serverName.toLowerCase();
}

function apply(w: FakeWorker | undefined, params: Record<string, string>): void {
  if (!w) return;
  for (const flag of ['I', 'N', 'D', 'H', 'R', 'S', 'C']) {
    const v = params[`w_status_${flag}`];
    if (v === undefined) continue;
    if (Number.parseInt(v, 10)) w.flags.add(flag);
    else w.flags.delete(flag);
  }
}

/** Starts the fake on 127.0.0.1; `url` is its balancer-manager URL. */
export async function startFakeBalancerManager(
  o: FakeBalancerOptions,
): Promise<{ url: string; seen: SeenRequest[]; server: Server; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('latin1')));
    req.on('end', () => {
      setTimeout(() => handle(o, req, res, body.slice(0, 1024), seen), o.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/balancer-manager`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url, seen, server, close };
}

function handle(
  o: FakeBalancerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  seen: SeenRequest[],
): void {
  if (o.basicAuth && req.headers.authorization !== `Basic ${Buffer.from(o.basicAuth).toString('base64')}`) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="balancer"' }).end('Unauthorized');
    return;
  }
  const [uri = '/', query = ''] = (req.url ?? '/').split('?');
  if (uri !== '/balancer-manager') {
    res.writeHead(404).end('Not Found');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { Allow: 'GET, POST' }).end();
    return;
  }
  let params = req.method === 'GET' ? parse(query, ['w', 'b', 'nonce', 'xml']) : parse(body, null);
  const referer = req.headers.referer;
  if (Object.keys(params).length > 0 && !safeReferer(req, o, referer)) params = {}; // AH10187
  const bsel = o.balancers.find((b) => b.name === params['b']);
  const wsel = bsel?.workers.find((w) => w.name === params['w']);
  const applied = !!bsel && !!bsel.nonce && params['nonce'] === bsel.nonce;
  if (applied) apply(wsel, params);
  seen.push({ method: req.method, url: req.url ?? '', referer: referer ?? null, body, params, applied });
  if (params['xml'] !== undefined)
    res.writeHead(200, { 'Content-Type': 'text/xml' }).end(xmlPage(o.balancers, o.xmlNonce !== false));
  else res.writeHead(200, { 'Content-Type': 'text/html; charset=ISO-8859-1' }).end(htmlPage(o, uri, bsel, wsel));
  if (o.rotateNonceAfterPage && req.method === 'GET')
    for (const b of o.balancers) b.nonce = `${b.nonce.slice(0, -4)}${Math.floor(1000 + Math.random() * 8999)}`;
}

/** Three Liferay workers in `balancer://liferay` plus another balancer. */
export function liferayBalancers(): FakeBalancer[] {
  const w = (n: number, busy = 0): FakeWorker => ({
    name: `http://127.0.0.1:808${n}`,
    route: `node${n}`,
    flags: new Set(),
    busy,
  });
  return [
    { name: 'liferay', nonce: '6e5f9a3c-4b1d-4f2e-9c7a-0d3b2a1e5f60', workers: [w(1, 2), w(2), w(3)] },
    {
      name: 'static',
      nonce: '11111111-2222-3333-4444-555555555555',
      workers: [{ name: 'ajp://127.0.0.1:8009', route: '', flags: new Set(), busy: 0 }],
    },
  ];
}
