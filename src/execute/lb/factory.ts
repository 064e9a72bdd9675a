import { shownLbUrl } from '../../domain/lb-url.js';
import type { LbVia } from '../../plan/types.js';
import { ApacheBalancerDriver } from './apache.js';
import { CommandDriver } from './command.js';
import type { LbDriver, LbDriverContext } from './driver.js';
import { HaproxyDriver } from './haproxy.js';
import { MultiLbDriver, type LbInstanceDriver } from './instances.js';
import { ModJkDriver } from './mod-jk.js';

/**
 * The driver for the plan's load balancer: null for `none`; for `command`, the driver that runs the playbook's
 * templates per member; several instances (an HA pair) driven as one.
 */
export function createLbDriver(ctx: LbDriverContext): LbDriver | null {
  if (ctx.lb.type === 'none') return null;
  if (ctx.lb.type === 'command')
    return new CommandDriver({
      lb: ctx.lb,
      transport: ctx.transport,
      timeoutMs: ctx.lb.commandTimeoutSec * 1000,
      ...(ctx.secrets ? { secrets: ctx.secrets } : {}),
    });
  const instances = createLbInstances(ctx);
  return instances.length === 1 ? (instances[0] as LbInstanceDriver).driver : new MultiLbDriver(instances);
}

/** One driver per instance of the plan's load balancer (none for `command` and `none`). */
function createLbInstances(ctx: LbDriverContext): LbInstanceDriver[] {
  const lb = ctx.lb;
  const timeoutMs = lb.requestTimeoutSec * 1000;
  const observe = ctx.onRequest ? { onRequest: ctx.onRequest } : {};
  return lb.instances.map((i) => {
    switch (lb.type) {
      case 'haproxy':
        // Without `via` the socket is opened from this machine; with it, socat runs on that instance's host.
        return {
          name: i.name,
          driver: new HaproxyDriver({
            socket: i.endpoint,
            backend: lb.pool,
            transport: i.via ? transportTo(ctx, i.via) : null,
            wrapper: i.wrapper,
            become: i.via?.become ?? false,
            timeoutMs,
            ...observe,
          }),
        };
      case 'apache':
        return {
          name: i.name,
          driver: new ApacheBalancerDriver({
            url: withSecrets(i.endpoint, ctx.secrets ?? {}),
            shownUrl: shownLbUrl(i.endpoint),
            balancer: lb.pool,
            timeoutMs,
            ...observe,
          }),
        };
      case 'mod_jk':
        return {
          name: i.name,
          driver: new ModJkDriver({
            url: withSecrets(i.endpoint, ctx.secrets ?? {}),
            shownUrl: shownLbUrl(i.endpoint),
            balancer: lb.pool,
            timeoutMs,
            ...observe,
          }),
        };
      default:
        throw new Error(`a ${lb.type} load balancer has no instances`);
    }
  });
}

/** The transport to an instance's host: the context's own for the plan's (first) `via`, else one the context opens. */
function transportTo(ctx: LbDriverContext, via: LbVia): LbDriverContext['transport'] {
  if (ctx.transportFor) return ctx.transportFor(via);
  if (sameVia(via, ctx.lb.via)) return ctx.transport;
  throw new Error(`no transport to the load-balancer host ${via.host}`);
}

function sameVia(a: LbVia, b: LbVia | null): boolean {
  return !!b && a.host === b.host && a.port === b.port && a.user === b.user && a.identityFile === b.identityFile;
}

/**
 * Fills `${NAME}` references (a password kept out of the playbook) at the last moment; a value is percent-encoded for
 * the URL.
 */
function withSecrets(url: string, secrets: Readonly<Record<string, string>>): string {
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) =>
    secrets[name] === undefined ? whole : encodeURIComponent(secrets[name]),
  );
}
