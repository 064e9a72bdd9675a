import type { SourceLocation } from '../errors/diagnostics.js';
import type { NormalizedInventory, NodeEntry } from '../playbook/inventory/normalize.js';
import type { Node, NodeSettings, Playbook, Service } from '../playbook/playbook.generated.js';
import { DEFAULTS } from './defaults.js';
import { parseDuration } from './duration.js';
import { BUILTIN_VARS, Templater, toVar } from './scope.js';
import { shq } from '../shell/quote.js';
import { TICK } from './shell/script.js';
import type { TemplateVar } from '../domain/template.js';
import type { PlanNode } from './types.js';

/** How a node's app server is stopped and started, resolved to commands. */
interface ResolvedService {
  type: 'scripts' | 'systemd' | 'commands';
  start: string;
  stop: string;
  forceStop: string;
  status: string;
  stopTimeoutSec: number;
  startTimeoutSec: number;
  become: boolean;
  secretEnv: string[];
  /** Prints the app server's pid (for a thread dump), or '' when it cannot be known. */
  pidCommand: string;
}

/** A node with everything the compiler needs. */
export interface ResolvedNode {
  plan: PlanNode;
  entry: NodeEntry;
  /** Run file changes through sudo. */
  become: boolean;
  service: ResolvedService;
  /** Template scope: vars, node vars, --var overrides and the built-ins. */
  scope: Map<string, TemplateVar>;
}

/** Resolves every node: defaults, per-node overrides, templates in paths, service commands. */
export function resolveNodes(
  playbook: Playbook,
  inventory: NormalizedInventory,
  overrides: Readonly<Record<string, string>>,
  members: Readonly<Record<string, string>> | null,
  templater: Templater,
  locateDefaults?: (field: string[]) => SourceLocation,
): ResolvedNode[] {
  return inventory.nodes.map((entry) =>
    resolveNode(playbook, inventory, entry, overrides, members, templater, locateDefaults),
  );
}

/** Where a node's setting was written: on the node, in the shared defaults, or (a built-in default) the node itself. */
function settingSource(
  entry: NodeEntry,
  defaults: NodeSettings,
  field: string[],
  locateDefaults?: (field: string[]) => SourceLocation,
): SourceLocation {
  const has = (root: unknown): boolean =>
    field.reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      root,
    ) !== undefined;
  if (has(entry.node)) return entry.locate(field);
  if (has(defaults) && locateDefaults) return locateDefaults(field);
  return entry.source;
}

function resolveNode(
  playbook: Playbook,
  inventory: NormalizedInventory,
  entry: NodeEntry,
  overrides: Readonly<Record<string, string>>,
  members: Readonly<Record<string, string>> | null,
  t: Templater,
  locateDefaults?: (field: string[]) => SourceLocation,
): ResolvedNode {
  const d = inventory.defaults ?? {};
  const n = entry.node;
  const at = (...field: string[]): SourceLocation => settingSource(entry, d, field, locateDefaults);
  const scope = new Map<string, TemplateVar>();
  for (const [k, v] of Object.entries({ ...playbook.vars, ...d.vars, ...n.vars, ...overrides })) {
    if (v === undefined) continue;
    if ((BUILTIN_VARS as readonly string[]).includes(k)) continue; // reported by checkPlaybook
    scope.set(k, toVar(v));
  }
  const host = n.host ?? n.name;
  scope.set('node', toVar(n.name));
  scope.set('host', toVar(host));
  const httpPort = n.httpPort ?? d.httpPort ?? DEFAULTS.node.httpPort;
  scope.set('httpPort', toVar(httpPort));
  const liferayHome = t.path(
    n.liferayHome ?? d.liferayHome ?? DEFAULTS.node.liferayHome,
    scope,
    at('liferayHome'),
    n.name,
    'absolute',
  );
  scope.set('liferayHome', toVar(liferayHome));
  const tomcatHome = t.path(
    n.tomcatHome ?? d.tomcatHome ?? DEFAULTS.node.tomcatHome,
    scope,
    at('tomcatHome'),
    n.name,
    'absolute',
  );
  scope.set('tomcatHome', toVar(tomcatHome));
  const member =
    members === null ? null : t.path(n.member ?? members[n.name] ?? n.name, scope, entry.locate(['member']), n.name);
  scope.set('member', toVar(member ?? ''));
  const transport = n.transport ?? d.transport ?? DEFAULTS.node.transport;
  const plan: PlanNode = {
    name: n.name,
    host,
    transport,
    port: n.port ?? d.port ?? null,
    user: n.user ?? d.user ?? null,
    identityFile: n.identityFile ?? d.identityFile ?? null,
    proxyJump: n.proxyJump ?? d.proxyJump ?? null,
    ...becomeOf(n.become ?? d.become ?? DEFAULTS.node.become),
    liferayHome,
    tomcatHome,
    httpPort,
    member,
    stagingDir: `${liferayHome}/.lrroll/staging`,
  };
  const service = resolveService({ ...d.service, ...n.service }, scope, entry, t, (field) => at('service', field));
  return { plan, entry, become: (n.become ?? d.become ?? DEFAULTS.node.become) !== false, service, scope };
}

/**
 * `become: true` or `{ user, password: "${NAME}" }` as the plan node's sudo settings (the password by its secret's
 * name).
 */
function becomeOf(become: NonNullable<Node['become']>): { becomeUser: string | null; becomePassword: string | null } {
  if (typeof become === 'boolean') return { becomeUser: null, becomePassword: null };
  return { becomeUser: become.user ?? null, becomePassword: become.password ? become.password.slice(2, -1) : null };
}

function resolveService(
  s: Service,
  scope: Map<string, TemplateVar>,
  entry: NodeEntry,
  t: Templater,
  locate: (field: keyof Service) => SourceLocation,
): ResolvedService {
  const type = s.type ?? DEFAULTS.service.type;
  const stopTimeoutSec = parseDuration(s.stopTimeout ?? DEFAULTS.service.stopTimeout);
  const startTimeoutSec = parseDuration(s.startTimeout ?? DEFAULTS.service.startTimeout);
  const cmd = (
    field: 'start' | 'stop' | 'forceStop' | 'status',
    fallback: string,
  ): { text: string; secretEnv: string[] } => {
    const tpl = s[field];
    return tpl === undefined
      ? { text: fallback, secretEnv: [] }
      : t.render(tpl, scope, 'shell', locate(field), entry.node.name);
  };
  const tomcat = scope.get('tomcatHome')?.value ?? '';
  const pidFile = t.path(s.pidFile ?? DEFAULTS.service.pidFile, scope, locate('pidFile'), entry.node.name, 'absolute');
  const pid = shq(pidFile);
  const defaults =
    type === 'systemd'
      ? systemdCommands(s.unit ?? DEFAULTS.service.unit)
      : type === 'commands'
        ? { ...missingCommands(), forceStop: killFromPidFile(pid) }
        : {
            start: `CATALINA_PID=${pid} ${shq(`${tomcat}/bin/catalina.sh`)} start`,
            stop: catalinaStop(pid, shq(`${tomcat}/bin/catalina.sh`), stopTimeoutSec),
            forceStop: `if [ -f ${pid} ]; then kill -9 "$(cat ${pid})" 2>/dev/null || true; rm -f ${pid}; fi`,
            // A zombie (exited, not yet reaped) still answers kill -0: it counts as stopped.
            status: `p=$(cat ${pid} 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null && ! ${zombie('p')}`,
          };
  const start = cmd('start', defaults.start);
  const stop = cmd('stop', defaults.stop);
  const forceStop = cmd('forceStop', defaults.forceStop);
  const status = cmd('status', defaults.status);
  return {
    type,
    start: start.text,
    stop: stop.text,
    forceStop: forceStop.text,
    status: status.text,
    stopTimeoutSec,
    startTimeoutSec,
    become: s.become ?? type === 'systemd',
    secretEnv: [
      ...new Set([...start.secretEnv, ...stop.secretEnv, ...forceStop.secretEnv, ...status.secretEnv]),
    ].sort(),
    pidCommand:
      type === 'systemd'
        ? `systemctl show -p MainPID --value ${shq(s.unit ?? DEFAULTS.service.unit)}`
        : `cat ${pid} 2>/dev/null`,
  };
}

/**
 * The forced stop of type `commands` when none is given: kill -9 of the process in `pidFile` (Tomcat's
 * CATALINA_PID, `{{liferayHome}}/liferay.pid` by default). Without that file there is nothing safe
 * to kill, so it fails and says what to set.
 */
function killFromPidFile(pid: string): string {
  return (
    `if [ -f ${pid} ]; then kill -9 "$(cat ${pid})" 2>/dev/null || true; rm -f ${pid}; else echo ` +
    shq('lrroll: the graceful stop did not finish and there is no service.forceStop: no pid file at ') +
    `${pid} >&2; exit 1; fi`
  );
}

/** A test that succeeds when the process whose id is in shell variable `name` has exited but is not yet reaped. */
const zombie = (name: string): string => `grep -qs '^State:[[:space:]]*Z' "/proc/$${name}/status"`;

/**
 * Tomcat's own stop (`catalina.sh stop <timeout> -force`: the shutdown command, then it waits for the process in the
 * pid file and kills it at the timeout), with its exit noticed at once: catalina.sh looks for the process only once a
 * second, so on its own it returns up to a second after the JVM is gone, with the node out of rotation. This command
 * watches the process every 0.1 s (where `sleep` takes fractions) and, once it is gone, ends catalina.sh's wait and
 * removes the pid file as catalina.sh would. catalina.sh must not outlive the stop: its wait would take the next
 * start's process for the old one and kill it at the timeout.
 */
function catalinaStop(pid: string, catalina: string, timeoutSec: number): string {
  return [
    `CATALINA_PID=${pid} ${catalina} stop ${Math.ceil(timeoutSec)} -force & s=$!`,
    `p=$(cat ${pid} 2>/dev/null); ${TICK}`,
    // Bounded (catalina.sh ends within its timeout and 5 s of killing) in case a shell never reaps it.
    `i=0; while [ "$i" -lt $(( ${Math.ceil(timeoutSec) + 10} * n )) ] && kill -0 "$s" 2>/dev/null; do`,
    // Gone, or exited and not yet reaped (a zombie), as the status command counts it.
    `  if [ -n "$p" ] && { ! kill -0 "$p" 2>/dev/null || ${zombie('p')}; }; then`,
    '    kill "$s" 2>/dev/null; wait "$s" 2>/dev/null',
    `    if [ "$(cat ${pid} 2>/dev/null)" = "$p" ]; then rm -f ${pid}; fi`,
    '    echo "Tomcat stopped."; exit 0',
    '  fi',
    '  sleep "$t"; i=$((i + 1))',
    'done',
    'wait "$s"',
  ].join('\n');
}

/** Type `commands` without a command: each fails clearly (validation also reports the missing key). */
function missingCommands(): { start: string; stop: string; forceStop: string; status: string } {
  const fail = (what: string): string => `echo ${shq(`service.${what} is not configured`)} >&2; exit 1`;
  return { start: fail('start'), stop: fail('stop'), forceStop: fail('forceStop'), status: fail('status') };
}

function systemdCommands(unit: string): { start: string; stop: string; forceStop: string; status: string } {
  const u = shq(unit);
  return {
    start: `systemctl start ${u}`,
    stop: `systemctl stop ${u}`,
    forceStop: `systemctl kill -s KILL ${u}`,
    status: `systemctl is-active --quiet ${u}`,
  };
}
