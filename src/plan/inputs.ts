/**
 * What a rendered value may be, checked where the plan uses it: paths on a node, load-balancer
 * member names, URLs and regular expressions. Each checker returns the value to use (a path
 * normalised) or a problem in words; nothing here throws, so bad input always ends as a located
 * diagnostic instead of an exception deeper in the plan.
 */

/** How a path field is used: absolute on the node, or relative to a folder the field names. */
export type PathKind = 'absolute' | 'relative-ok';

/** Characters that make a path a pattern rather than a literal path. */
const GLOB = /[*?[\]]/;

/** The result of checking one value. */
type Checked = { ok: true; value: string } | { ok: false; problem: string; hint: string };

/**
 * A literal path: no NUL or line break, no glob characters, no `..` component; `.` components,
 * repeated and trailing slashes are dropped. `absolute` paths must start with `/` and not be `/`.
 */
export function checkPath(path: string, kind: PathKind): Checked {
  if (path.trim() === '') return bad('is empty', 'write the path');
  if (/[\0\r\n]/.test(path)) return bad('contains a NUL character or a line break', 'a path is one line of text');
  if (GLOB.test(path)) return bad('contains `*`, `?`, `[` or `]`', 'this field takes one literal path, not a pattern');
  if (kind === 'absolute' && !path.startsWith('/'))
    return bad(
      'is not an absolute path',
      'start it with `/`: commands on a node run from whatever folder the login gives',
    );
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..'))
    return bad(
      'has a `..` component',
      'write the path without `..` (a symbolic link would make it mean something else)',
    );
  const value = (path.startsWith('/') ? '/' : '') + parts.join('/');
  if (value === '/' || value === '')
    return bad(`is \`${path}\`, which names no file or folder of its own`, 'write the full path, e.g. `/opt/liferay`');
  return { ok: true, value };
}

/** HAProxy takes letters, digits, `-`, `_`, `.` and `:` in backend and server names. */
const HAPROXY_NAME = /^[A-Za-z0-9_.:][A-Za-z0-9_.:-]*$/;
/**
 * Apache and mod_jk names (balancers, workers, worker URLs): URL characters without spaces, quotes, `&`, `?` or `#`.
 */
const WORKER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:/@%+~=-]*$/;

/** A load-balancer name (backend, balancer, member) as the LB's runtime API can carry it. */
export function checkLbName(name: string, lbType: string): Checked {
  const haproxy = lbType === 'haproxy';
  if (haproxy ? HAPROXY_NAME.test(name) : WORKER_NAME.test(name)) return { ok: true, value: name };
  return bad(
    `\`${printable(name)}\` is not a name the ${haproxy ? 'HAProxy runtime API' : 'load balancer'} can take`,
    haproxy
      ? 'use letters, digits, `-`, `_`, `.` and `:` (as in the HAProxy configuration)'
      : 'use the name exactly as in the load balancer configuration: letters, digits and `_.:/@%+~=-`, no spaces',
  );
}

/** An http(s) URL with a host; `${NAME}` secret references are allowed anywhere but the host. */
export function checkUrl(url: string): Checked {
  if (/[\s\0]/.test(url))
    return bad('contains a space, a line break or a NUL character', 'percent-encode spaces (`%20`)');
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g, 'secret'));
  } catch {
    return bad(`\`${printable(url)}\` is not a URL`, 'write a full URL such as `http://10.0.0.5:8080/c/portal/layout`');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return bad(`\`${printable(url)}\` is not an http or https URL`, 'only `http://` and `https://` URLs are supported');
  if (parsed.hostname === '')
    return bad(`\`${printable(url)}\` has no host`, 'write a full URL such as `http://10.0.0.5:8080/`');
  return { ok: true, value: url };
}

/** True when the URL carries a password written in the playbook itself (not a `${NAME}` reference). */
export function hasInlinePassword(url: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/@?#]*)@/i.exec(url);
  const password = m?.[1]?.split(':').slice(1).join(':') ?? '';
  return password !== '' && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(password);
}

/** A regular expression JavaScript can compile (as the executor will). */
export function checkRegex(source: string): Checked {
  try {
    new RegExp(source);
    return { ok: true, value: source };
  } catch (err) {
    return bad(
      `is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`,
      'check the brackets and escapes (JavaScript syntax)',
    );
  }
}

/** Text safe to show in one line of a message: control characters escaped, at most 80 characters. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

function bad(problem: string, hint: string): Checked {
  return { ok: false, problem, hint };
}
