import { describe, expect, it } from 'vitest';
import { BASE, errorsOf, planText, withBase } from './helpers.js';

const HOME = '    liferayHome: /opt/liferay\n';

describe('paths on the node are literal, absolute where they must be, and normalised', () => {
  it.each([
    ['/opt/../liferay', 'E_PATH 5:18 `inventory.defaults.liferayHome` `/opt/../liferay` has a `..` component'],
    ['opt/liferay', 'E_PATH 5:18 `inventory.defaults.liferayHome` `opt/liferay` is not an absolute path'],
    ['/opt/lif*ray', 'E_PATH 5:18 `inventory.defaults.liferayHome` `/opt/lif*ray` contains `*`, `?`, `[` or `]`'],
    ['/', 'E_PATH 5:18 the path `/` is `/`, which names no file or folder of its own (node `node1`)'],
    [
      '"/opt/liferay\\n/x"',
      'E_PATH 5:18 `inventory.defaults.liferayHome` `/opt/liferay\\u000a/x` contains a line break',
    ],
  ])('liferayHome: %s', async (value, expected) => {
    const errors = errorsOf(await planText(withBase(HOME, `    liferayHome: ${value}\n`)));
    expect(errors[0]).toBe(expected);
    expect(errors).toHaveLength(1);
  });

  it.each(['/opt/./liferay/', '//opt//liferay', '/opt/liferay/.'])(
    'liferayHome: %s is the same as /opt/liferay',
    async (value) => {
      const outcome = await planText(withBase(HOME, `    liferayHome: "${value}"\n`));
      expect(errorsOf(outcome)).toEqual([]);
      expect(outcome.plan?.nodes[0]?.liferayHome).toBe('/opt/liferay');
    },
  );

  it('a var that renders a path with `..` is reported at the field, per node', async () => {
    const text = withBase(HOME, '    liferayHome: "/opt/{{ sub }}"\n').replace(
      '      host: 127.0.0.2\n',
      '      host: 127.0.0.2\n      vars: { sub: ".." }\n',
    );
    expect(errorsOf(await planText(`${text}vars:\n  sub: liferay\n`))).toEqual([
      'E_PATH 5:18 the path `/opt/..` has a `..` component (node `node2`)',
    ]);
  });

  it('a relative javaHome is refused (it was accepted and used as is)', async () => {
    const text = BASE.replace(
      'change:\n  type: restart\n',
      'change:\n  type: java\n  from: 17.0.10\n  to: 17.0.12\n  javaHome: jdk-17\n',
    );
    expect(errorsOf(await planText(text))).toEqual(['E_PATH 22:13 `change.javaHome` `jdk-17` is not an absolute path']);
  });

  it('a portal-properties file under liferayHome may be relative but not escape it', async () => {
    const text = BASE.replace(
      'change:\n  type: restart\n',
      'change:\n  type: portal-properties\n  file: ../../etc/passwd\n  set: { a: b }\n',
    );
    expect(errorsOf(await planText(text))).toEqual([
      'E_PATH 20:9 `change.file` `../../etc/passwd` has a `..` component',
    ]);
  });
});

describe('URLs are parsed when planning', () => {
  it.each([
    [
      'url: "-K /etc/passwd"',
      'E_URL 22:10 the URL `-K /etc/passwd` contains a space, a line break or a NUL character (node `node1`)',
    ],
    ['url: "-K"', 'E_URL 22:10 the URL `-K` is not a URL (node `node1`)'],
    [
      'url: "file:///etc/passwd"',
      'E_URL 22:10 the URL `file:///etc/passwd` is not an http or https URL (node `node1`)',
    ],
    ['url: "http://"', 'E_URL 22:10 the URL `http://` is not a URL (node `node1`)'],
  ])('health.http.%s', async (line, expected) => {
    expect(errorsOf(await planText(`${BASE}health:\n  http:\n    ${line}\n`))).toEqual([expected]);
  });

  it('an invalid bodyMatch fails validate (it failed the gate of a node already restarted)', async () => {
    expect(errorsOf(await planText(`${BASE}health:\n  http:\n    bodyMatch: "([a-z]+"\n`))).toEqual([
      'E_REGEX 22:16 `health.http.bodyMatch` is not a valid regular expression: /([a-z]+/: Unterminated group',
    ]);
  });

  it('a malformed webhook URL is refused', async () => {
    expect(errorsOf(await planText(`${BASE}hooks:\n  afterRun:\n    - webhook: "hooks.example.com/x"\n`))).toEqual([
      'E_URL 22:16 the URL `hooks.example.com/x` is not a URL',
    ]);
  });

  it('a load-balancer URL takes templates and ${SECRET}: the plan names the variable, never its value', async () => {
    const text =
      BASE.replace(
        /loadBalancer:[\s\S]*?change:/,
        'loadBalancer:\n  type: apache\n  url: "http://admin:${LB_PASSWORD}@{{ lbHost ' +
          '}}/balancer-manager"\n  balancer: liferay\nchange:',
      ) + 'vars:\n  lbHost: lb.example.com\n';
    const outcome = await planText(text);
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.plan?.loadBalancer.endpoint).toBe('http://admin:${LB_PASSWORD}@lb.example.com/balancer-manager');
    expect(outcome.plan?.secrets).toContain('LB_PASSWORD');
    expect(outcome.diagnostics.filter((d) => d.severity === 'warning')).toEqual([]);
  });

  it('a password written in a load-balancer URL is warned about, with the ${NAME} way as the hint', async () => {
    const text = BASE.replace(
      /loadBalancer:[\s\S]*?change:/,
      'loadBalancer:\n  type: mod_jk\n  url: "http://admin:s3cret@lb/jkstatus"\n  balancer: lb\nchange:',
    );
    const outcome = await planText(text);
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.diagnostics.map((d) => `${d.code} ${d.hint}`)).toEqual([
      'W_PLAYBOOK write `http://user:${LB_PASSWORD}@host/…` and set LB_PASSWORD in the environment of the run',
    ]);
  });
});

describe('load-balancer names are what the LB API can carry', () => {
  it.each([
    [
      'member: "web 1"',
      'E_NAME 9:15 the load-balancer member `web 1` is not a name the HAProxy runtime API can take (node `node1`)',
    ],
    [
      'member: "a/b"',
      'E_NAME 9:15 the load-balancer member `a/b` is not a name the HAProxy runtime API can take (node `node1`)',
    ],
    [
      'member: "-x"',
      'E_NAME 9:15 the load-balancer member `-x` is not a name the HAProxy runtime API can take (node `node1`)',
    ],
    [
      'member: "x;shutdown sessions server liferay/y"',
      'E_NAME 9:15 the load-balancer member `x;shutdown sessions server liferay/y` is not a name the ' +
        'HAProxy runtime API can take (node `node1`)',
    ],
  ])('%s', async (line, expected) => {
    expect(
      errorsOf(await planText(withBase('      host: 127.0.0.1\n', `      host: 127.0.0.1\n      ${line}\n`))),
    ).toEqual([expected]);
  });

  it('a backend with a space is refused', async () => {
    expect(errorsOf(await planText(withBase('backend: liferay', 'backend: "lif eray"')))).toEqual([
      'E_NAME 16:12 `loadBalancer.backend`: `lif eray` is not a name the HAProxy runtime API can take',
    ]);
  });
});

describe('a template inside quotes the user wrote is an error', () => {
  it.each([
    ["logger '{{ v }}'", 'quotes'],
    ['logger "x {{ v }}"', 'quotes'],
    ['cat <<EOF\n{{ v }}\nEOF', 'a here-document'],
  ])('%j', async (command, context) => {
    const text = `${BASE}vars:\n  v: "\`touch /tmp/x\`"\nhooks:\n  afterRun:\n    - run: ${JSON.stringify(command)}\n`;
    const errors = errorsOf(await planText(text));
    expect(errors).toEqual([
      `E_TEMPLATE 24:12 a \`{{ … }}\` template is inside ${context} in a shell command: a value could break out of it`,
    ]);
  });

  it('the same template as a plain word is quoted by lrroll and accepted', async () => {
    const outcome = await planText(
      `${BASE}vars:\n  v: "\`touch /tmp/x\`"\nhooks:\n  afterRun:\n    - run: logger {{ v }}\n`,
    );
    expect(errorsOf(outcome)).toEqual([]);
    expect(outcome.plan?.finally.map((s) => ('command' in s ? s.command : ''))).toContain("logger '`touch /tmp/x`'");
  });
});
