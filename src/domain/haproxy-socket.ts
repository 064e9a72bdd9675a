import { shq } from '../shell/quote.js';

// The HAProxy runtime API's address as the playbook writes it, and the socat command of the `via`
// form built from it: the plan carries that command, the run only fills in the request.

/** Where the HAProxy runtime API listens: a unix socket or a TCP address. */
export type HaproxySocket =
  { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number; family: 4 | 6 | null };

/** Parses the `socket` setting of the playbook. */
export function parseHaproxySocket(spec: string): HaproxySocket {
  const s = spec.trim();
  if (s.startsWith('unix@')) return { kind: 'unix', path: s.slice(5) };
  const prefixed = /^(ipv4|ipv6|tcp|tcp4|tcp6)@(.+)$/.exec(s);
  const rest = prefixed ? (prefixed[2] as string) : s;
  const colon = rest.lastIndexOf(':');
  const hostText = rest.slice(0, Math.max(colon, 0));
  const portText = rest.slice(colon + 1);
  const tcpLike =
    colon > 0 &&
    /^\d{1,5}$/.test(portText) &&
    !hostText.includes('/') &&
    (!hostText.includes(':') || /^\[.+\]$/.test(hostText) || prefixed !== null);
  if (!tcpLike) {
    if (prefixed) throw new Error(`HAProxy socket \`${spec}\`: expected ${prefixed[1]}@host:port`);
    return { kind: 'unix', path: s };
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new Error(`HAProxy socket \`${spec}\`: port ${port} is out of range`);
  const host = hostText.replace(/^\[(.*)\]$/, '$1');
  const kind = prefixed?.[1] ?? '';
  const family = kind.endsWith('4') ? 4 : kind.endsWith('6') ? 6 : null;
  return { kind: 'tcp', host, port, family };
}

/** The socket as text for messages. */
export function describeHaproxySocket(socket: HaproxySocket): string {
  return socket.kind === 'unix'
    ? socket.path
    : `${socket.host.includes(':') ? `[${socket.host}]` : socket.host}:${socket.port}`;
}

/** The socat address of the socket (`UNIX-CONNECT:path` or `TCP:host:port`). */
export function socatAddress(socket: HaproxySocket): string {
  if (socket.kind === 'unix') {
    if (/[,:!\\'"\s]/.test(socket.path) || socket.path === '')
      throw new Error(
        `HAProxy socket path \`${socket.path}\` contains a character socat cannot take in ` +
          `an address (, : ! \\ quotes or spaces)`,
      );
    return `UNIX-CONNECT:${socket.path}`;
  }
  const v6 = socket.family === 6 || socket.host.includes(':');
  return (
    `${v6 ? 'TCP6' : socket.family === 4 ? 'TCP4' : 'TCP'}:${v6 ? `[${socket.host}]` : socket.host}:` + `${socket.port}`
  );
}

/** The named placeholder of the `via` wrapper that the run fills with one runtime API command, shell-quoted. */
const REQUEST_PLACEHOLDER = '{request}';

/**
 * The shell command that sends one runtime API command to the socket with socat, as the plan's `via`
 * form runs it on the load balancer's host; the command itself is the `{request}` placeholder.
 * socat waits `idleSec` for HAProxy's answer after sending it.
 */
export function socatWrapper(socket: HaproxySocket, idleSec: number): string {
  return `printf '%s\\n' ${REQUEST_PLACEHOLDER} | socat -t ${idleSec} stdio ${shq(socatAddress(socket))}`;
}
