import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/plan/defaults.js';

const schema = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../schemas/playbook.schema.json', import.meta.url)), 'utf8'),
) as Record<string, unknown>;

/** Every `default` keyword in the schema, by JSON pointer. */
function schemaDefaults(node: unknown, pointer: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(node)) node.forEach((n, i) => schemaDefaults(n, `${pointer}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'default') out.set(pointer, v);
      else if (k !== 'examples') schemaDefaults(v, `${pointer}/${k}`, out);
    }
  }
  return out;
}

const PATCH_VARIANTS = ['2', '3', '4'];

/** Schema pointer → the table value it documents. Adding a default to the schema without a row here fails. */
const EXPECTED: Array<[string, unknown]> = [
  ['/definitions/service/properties/type', DEFAULTS.service.type],
  ['/definitions/service/properties/unit', DEFAULTS.service.unit],
  ['/definitions/service/properties/pidFile', DEFAULTS.service.pidFile],
  ['/definitions/service/properties/stopTimeout', DEFAULTS.service.stopTimeout],
  ['/definitions/service/properties/startTimeout', DEFAULTS.service.startTimeout],
  ['/definitions/nodeSettings/properties/transport', DEFAULTS.node.transport],
  ['/definitions/nodeSettings/properties/become', DEFAULTS.node.become],
  ['/definitions/nodeSettings/properties/liferayHome', DEFAULTS.node.liferayHome],
  ['/definitions/nodeSettings/properties/tomcatHome', DEFAULTS.node.tomcatHome],
  ['/definitions/nodeSettings/properties/httpPort', DEFAULTS.node.httpPort],
  ['/definitions/drainTimeout', DEFAULTS.loadBalancer.drainTimeout],
  ['/definitions/onDrainTimeout', DEFAULTS.loadBalancer.onDrainTimeout],
  ['/definitions/upTimeout', DEFAULTS.loadBalancer.upTimeout],
  ['/definitions/pollInterval', DEFAULTS.loadBalancer.pollInterval],
  ['/definitions/loadBalancer/oneOf/3/properties/drainWait', DEFAULTS.loadBalancer.drainWait],
  ['/definitions/loadBalancer/oneOf/0/properties/healthUpAfterProbe', DEFAULTS.loadBalancer.healthUpAfterProbe],
  ['/definitions/change/oneOf/0/properties/deployTo', DEFAULTS.change.deployTo],
  ['/definitions/change/oneOf/1/properties/deployTo', DEFAULTS.change.deployTo],
  ...PATCH_VARIANTS.flatMap((i): Array<[string, unknown]> => [
    [`/definitions/change/oneOf/${i}/properties/clearOsgiState`, DEFAULTS.change.clearOsgiState],
    [`/definitions/change/oneOf/${i}/properties/clearWork`, DEFAULTS.change.clearWork],
  ]),
  ['/definitions/change/oneOf/5/properties/file', DEFAULTS.change.propertiesFile],
  ['/definitions/change/oneOf/7/properties/file', DEFAULTS.change.setenvFile],
  ['/definitions/change/oneOf/9/properties/file', DEFAULTS.change.setenvFile],
  ['/definitions/change/oneOf/12/properties/when', DEFAULTS.change.customWhen],
  ['/definitions/change/oneOf/14/properties/clearOsgiState', DEFAULTS.change.clearOsgiState],
  ['/definitions/rollout/properties/strategy', DEFAULTS.rollout.strategy],
  ['/definitions/rollout/properties/serial', DEFAULTS.rollout.serial],
  ['/definitions/rollout/properties/order', DEFAULTS.rollout.order],
  ['/definitions/rollout/properties/seed', DEFAULTS.rollout.seed],
  ['/definitions/rollout/properties/minHealthy', DEFAULTS.rollout.minHealthy],
  ['/definitions/rollout/properties/maxFailures', DEFAULTS.rollout.maxFailures],
  ['/definitions/rollout/properties/onFailure', DEFAULTS.rollout.onFailure],
  ['/definitions/rollout/properties/canary/properties/nodes', DEFAULTS.rollout.canaryNodes],
  ['/definitions/rollout/properties/canary/properties/bake', DEFAULTS.rollout.canaryBake],
  ['/definitions/rollout/properties/canary/properties/confirm', DEFAULTS.rollout.canaryConfirm],
  ['/definitions/rollout/properties/canary/properties/errorPattern', DEFAULTS.rollout.canaryErrorPattern],
  ['/definitions/rollout/properties/canary/properties/watchInterval', DEFAULTS.rollout.canaryWatchInterval],
  ['/definitions/rollout/properties/pauseBetweenBatches', DEFAULTS.rollout.pauseBetweenBatches],
  ['/definitions/rollout/properties/window/properties/timezone', DEFAULTS.rollout.windowTimezone],
  ['/definitions/rollout/properties/clearCache/properties/on', DEFAULTS.rollout.clearCacheOn],
  ['/definitions/rollout/properties/clearCache/properties/serverAdmin/properties/url', DEFAULTS.rollout.clearCacheUrl],
  ['/definitions/rollout/properties/consistencyCheck', DEFAULTS.rollout.consistencyCheck],
  ['/definitions/rollout/properties/retention', DEFAULTS.rollout.retention],
  ['/definitions/health/properties/startupMarker/properties/enabled', DEFAULTS.health.startupMarkerEnabled],
  ['/definitions/health/properties/startupMarker/properties/log', DEFAULTS.health.startupMarkerLog],
  ['/definitions/health/properties/startupMarker/properties/timeout', DEFAULTS.health.startupMarkerTimeout],
  ['/definitions/health/properties/http/properties/enabled', DEFAULTS.health.httpEnabled],
  ['/definitions/health/properties/http/properties/url', DEFAULTS.health.httpUrl],
  ['/definitions/health/properties/http/properties/status', DEFAULTS.health.httpStatus],
  ['/definitions/health/properties/http/properties/interval', DEFAULTS.health.httpInterval],
  ['/definitions/health/properties/http/properties/timeout', DEFAULTS.health.httpTimeout],
  ['/definitions/health/properties/http/properties/attemptTimeout', DEFAULTS.health.httpAttemptTimeout],
  ['/definitions/health/properties/http/properties/successes', DEFAULTS.health.httpSuccesses],
  ['/definitions/health/properties/osgi/properties/enabled', DEFAULTS.health.osgiEnabled],
  ['/definitions/health/properties/osgi/properties/port', DEFAULTS.health.osgiPort],
  ['/definitions/health/properties/osgi/properties/commands', DEFAULTS.health.osgiCommands],
  ['/definitions/health/properties/osgi/properties/interval', DEFAULTS.health.osgiInterval],
  ['/definitions/health/properties/osgi/properties/attemptTimeout', DEFAULTS.health.osgiAttemptTimeout],
  ['/definitions/health/properties/osgi/properties/successes', DEFAULTS.health.osgiSuccesses],
  ['/definitions/health/properties/osgi/properties/timeout', DEFAULTS.health.osgiTimeout],
  ['/definitions/health/properties/cluster/properties/enabled', DEFAULTS.health.clusterEnabled],
  ['/definitions/health/properties/cluster/properties/channels', DEFAULTS.health.clusterChannels],
  ['/definitions/health/properties/cluster/properties/log', DEFAULTS.health.clusterLog],
  ['/definitions/health/properties/cluster/properties/timeout', DEFAULTS.health.clusterTimeout],
  ['/definitions/health/properties/modules/properties/log', DEFAULTS.health.modulesLog],
  ['/definitions/health/properties/modules/properties/timeout', DEFAULTS.health.modulesTimeout],
  ['/definitions/health/properties/settle', DEFAULTS.health.settle],
  ['/definitions/health/properties/warmup/properties/timeout', DEFAULTS.health.warmupTimeout],
  ['/definitions/health/properties/expectedStartTime', DEFAULTS.health.expectedStartTime],
  ['/definitions/hook/properties/on', DEFAULTS.hook.on],
  ['/definitions/hook/properties/method', DEFAULTS.hook.method],
  ['/definitions/hook/properties/timeout', DEFAULTS.hook.timeout],
  ['/definitions/hook/properties/continueOnError', DEFAULTS.hook.continueOnError],
];

describe('schema defaults document the defaults table', () => {
  const found = schemaDefaults(schema, '', new Map());
  it.each(EXPECTED)('%s', (pointer, value) => {
    expect(found.has(pointer), `no default at ${pointer}`).toBe(true);
    expect(found.get(pointer)).toEqual(value);
  });
  it('every default in the schema is listed here (so none can drift unnoticed)', () => {
    expect([...found.keys()].sort()).toEqual(EXPECTED.map(([p]) => p).sort());
  });
});
