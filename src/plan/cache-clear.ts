import type { SourceLocation } from '../errors/diagnostics.js';
import type { Rollout } from '../playbook/playbook.generated.js';
import { DEFAULTS, STEP_DEADLINES } from './defaults.js';
import type { ResolvedNode } from './nodes.js';
import { printable } from './inputs.js';
import { shellWord, type Templater } from './scope.js';
import { shq } from '../shell/quote.js';
import { makeStep } from './step.js';
import type { CacheClearStep } from './types.js';

/** Server Administration's portlet id (Liferay's PortletKeys.SERVER_ADMIN). */
const SERVER_ADMIN_PORTLET = 'com_liferay_server_admin_web_portlet_ServerAdminPortlet';

/** What the built-in cache clear needs: where the portal answers and who signs in. */
interface ServerAdminCacheClear {
  /** Base URL, e.g. `http://10.0.0.11:8080` (no secrets). */
  url: string;
  /** The sign-in: a literal, or a `"${NAME}"`-quoted secret reference for the shell. */
  loginWord: string;
  /** The password's environment variable. */
  passwordEnv: string;
}

/**
 * The shell command for Server Administration → Resources → "Clear content cached across the
 * cluster": sign in at /c/portal/login with the session's CSRF token (Liferay's LoginAction checks
 * `p_auth`), read the new session's token on the Server Administration page, then POST its
 * `/server_admin/edit_server` action with `cmd=cacheMulti` (EditServerMVCActionCommand →
 * MultiVMPool.clear(): the clustered caches, on every node). The action answers with a redirect
 * to the `redirect` it was given only when it ran, which is how success is told from a login
 * page or a permission error. The credentials go to curl through files in a private temporary
 * folder, never on a command line.
 */
function serverAdminCacheClearCommand(c: ServerAdminCacheClear): string {
  const ns = `_${SERVER_ADMIN_PORTLET}_`;
  const token = `sed -n "s/.*Liferay\\.authToken *= *['\\"]\\([^'\\"]*\\)['\\"].*/\\1/p" "$d/page" | head -n 1`;
  const action =
    `${c.url}/group/control_panel/manage?p_p_id=${SERVER_ADMIN_PORTLET}` +
    `&p_p_lifecycle=1&p_p_state=maximized&${ns}javax.portlet.action=%2Fserver_admin%2Fedit_server&${ns}` +
    `jakarta.portlet.action=%2Fserver_admin%2Fedit_server`;
  const fail = (why: string): string => `{ echo ${shq(`lrroll: ${why}`)} >&2; exit 1; }`;
  return [
    'set -e; umask 077; d=$(mktemp -d); trap \'rm -rf "$d"\' EXIT',
    `printf '%s' ${c.loginWord} > "$d/login"; printf '%s' "\${${c.passwordEnv}}" > "$d/password"`,
    'c() { curl -sS --max-time 60 -b "$d/jar" -c "$d/jar" "$@"; }',
    `c -L -o "$d/page" ${shq(`${c.url}/c/portal/login`)}`,
    `tok=$(${token}); [ -n "$tok" ] || ` +
      `${fail(`no sign-in form at ${c.url}/c/portal/login (no Liferay.authToken in the page)`)}`,
    `c -o /dev/null --data-urlencode "login@$d/login" --data-urlencode "password@$d/password" ` +
      `--data-urlencode "p_auth=$tok" ${shq(`${c.url}/c/portal/login`)}`,
    `c -L -o "$d/page" ${shq(`${c.url}/group/control_panel/manage?p_p_id=${SERVER_ADMIN_PORTLET}&p_p_lifecycle=0`)}`,
    `tok=$(${token}); [ -n "$tok" ] || ${fail('the Server Administration page has no Liferay.authToken')}`,
    `c -o /dev/null -D "$d/headers" --data-urlencode ${shq(`${ns}cmd=cacheMulti`)} --data-urlencode ` +
      `${shq(`${ns}redirect=/c/portal/layout?lrroll-cache-cleared`)} ${shq(action)}"&p_auth=$tok"`,
    `grep -qi '^location:.*lrroll-cache-cleared' "$d/headers" || ` +
      fail(
        'Liferay did not run "Clear content cached across the cluster": check the login and password ' +
          '(an administrator of the portal instance), and whether the portal asks for a CAPTCHA',
      ),
    "echo 'cleared the content cached across the cluster (Server Administration: cacheMulti)'",
  ].join('\n');
}

/**
 * The once-per-run cache clear after the last batch: the built-in Server Administration action, or the playbook's
 * command.
 */
export function cacheClearStep(
  clear: NonNullable<Rollout['clearCache']>,
  first: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): CacheClearStep[] {
  const on = clear.on ?? DEFAULTS.rollout.clearCacheOn;
  const where = on === 'node' ? first.plan.name : 'this machine';
  const common = {
    action: 'cache-clear' as const,
    node: on === 'node' ? first.plan.name : null,
    runOn: on,
    timeoutSec: STEP_DEADLINES.cacheClearSec,
    expectSec: 10,
  };
  if (clear.serverAdmin) {
    const admin = clear.serverAdmin;
    const login = templater.render(admin.login, first.scope, 'text', locate('serverAdmin'), first.plan.name);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(login.text))
      templater.invalid(
        'E_NAME',
        `the sign-in \`${printable(login.text)}\` holds a control character`,
        'an email address or screen name, or a `${ENV_NAME}` secret',
        locate('serverAdmin'),
        first.plan.name,
      );
    const passwordEnv = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(admin.password)?.[1] ?? '';
    const rendered = templater.url(
      admin.url ?? DEFAULTS.rollout.clearCacheUrl,
      first.scope,
      locate('serverAdmin'),
      first.plan.name,
    );
    if (rendered.secretEnv.length > 0)
      templater.invalid(
        'E_URL',
        `the Server Administration URL cannot hold a secret (${rendered.secretEnv.join(', ')})`,
        'give the credentials as `login` and `password`',
        locate('serverAdmin'),
        first.plan.name,
      );
    const url = rendered.text.replace(/\/+$/, '');
    const command = serverAdminCacheClearCommand({ url, loginWord: shellWord(login), passwordEnv });
    return [
      makeStep<CacheClearStep>({
        ...common,
        title: `clear the content cached across the cluster: Server Administration at ${url} (on ${where})`,
        command,
        secretEnv: [...new Set([...login.secretEnv, passwordEnv])].sort(),
        waitsFor: 'Liferay to confirm the action (sign in, then cacheMulti)',
      }),
    ];
  }
  if (clear.command === undefined) return [];
  const r = templater.render(clear.command, first.scope, 'shell', locate('command'), first.plan.name);
  return [
    makeStep<CacheClearStep>({
      ...common,
      title: `clear caches cluster-wide (on ${where})`,
      command: r.text,
      secretEnv: r.secretEnv,
    }),
  ];
}
