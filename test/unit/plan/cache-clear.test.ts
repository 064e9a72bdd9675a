/**
 * The built-in cache clear (seed 001's last step): `rollout.clearCache.serverAdmin` runs Server
 * Administration's "Clear content cached across the cluster" once after the last batch, with the
 * administrator's credentials taken from the environment — never written into the plan.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { StepStartEvent } from '../../../src/execute/events.js';
import { createHarness, loadPlan } from '../../helpers/fake-transport.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-cache-clear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rollout.clearCache.serverAdmin', () => {
  it(
    'fixpack.yml and hotfix.yml clear the caches once after the last batch, on the first node, as the ' +
      'administrator from the environment',
    async () => {
      for (const [file, first, url] of [
        ['playbooks/fixpack.yml', 'lr-prod-1.example.net', 'http://lr-prod-1.example.net:8080'],
        ['playbooks/hotfix.yml', 'node1', 'http://node1:8080'],
      ] as const) {
        const plan = await loadPlan(file);
        const step = plan.finally[0];
        expect(step).toMatchObject({
          action: 'cache-clear',
          node: first,
          runOn: 'node',
          secretEnv: ['LIFERAY_ADMIN_LOGIN', 'LIFERAY_ADMIN_PASSWORD'],
          title: `clear the content cached across the cluster: Server Administration at ${url} (on ${first})`,
        });
        expect(step?.command).toContain(`${url}/c/portal/login`);
        expect(step?.command).toContain("'_com_liferay_server_admin_web_portlet_ServerAdminPortlet_cmd=cacheMulti'");
        expect(step?.command).toContain(
          'printf \'%s\' "${LIFERAY_ADMIN_LOGIN}" > "$d/login"; printf \'%s\' ' +
            '"${LIFERAY_ADMIN_PASSWORD}" > "$d/password"',
        );
        expect(plan.secrets).toEqual(expect.arrayContaining(['LIFERAY_ADMIN_LOGIN', 'LIFERAY_ADMIN_PASSWORD']));
      }
    },
  );

  it(
    'runs after every node is back in the load balancer, with the secrets passed to it (not on its ' + 'command line)',
    async () => {
      const plan = await loadPlan('playbooks/hotfix.yml');
      const h = createHarness(plan, {
        deps: { secrets: { LIFERAY_ADMIN_LOGIN: 'admin@example.net', LIFERAY_ADMIN_PASSWORD: 's3cr3t-pw' } },
      });
      const report = await h.run();
      expect(report.status).toBe('ok');
      const starts = h.events.filter((e): e is StepStartEvent => e.kind === 'step-start');
      const clear = starts.findIndex((e) => e.action === 'cache-clear');
      const lastUp = starts.map((e) => e.action).lastIndexOf('lb-wait-up');
      expect(clear).toBeGreaterThan(lastUp);
      const calls = h.cluster.callsTo('node1', 'cache-clear');
      expect(calls).toHaveLength(1);
      expect(calls[0]?.envNames).toEqual(['LIFERAY_ADMIN_LOGIN', 'LIFERAY_ADMIN_PASSWORD']);
      expect(calls[0]?.command).not.toContain('s3cr3t-pw');
      expect(JSON.stringify(h.events)).not.toContain('s3cr3t-pw');
    },
  );

  it.each([
    [
      'a literal password',
      'serverAdmin:\n      login: admin\n      password: hunter2',
      'must be a secret from the environment, `${ENV_NAME}`',
    ],
    [
      'both serverAdmin and command',
      'command: echo clear\n    serverAdmin:\n      login: admin\n      password: ${PW}',
      'has both `command` and `serverAdmin`',
    ],
    ['neither', 'on: node', 'needs `serverAdmin` (the built-in action) or `command`'],
    [
      'a URL that is not one',
      'serverAdmin:\n      login: admin\n      password: ${PW}\n      url: not-a-url',
      'the URL `not-a-url`',
    ],
    [
      'a secret in the URL',
      'serverAdmin:\n      login: admin\n      password: ${PW}\n      url: http://${HOST_SECRET}:8080',
      'cannot hold a secret (HOST_SECRET)',
    ],
  ])('%s is an error', async (_name, body, summary) => {
    const file = join(dir, `${_name.replace(/\W+/g, '-')}.yml`);
    writeFileSync(
      file,
      [
        'lrroll: 1',
        'name: Cache clear',
        'inventory:',
        '  nodes:',
        '    - name: node1',
        '    - name: node2',
        'change:',
        '  type: restart',
        'rollout:',
        '  clearCache:',
        `    ${body}`,
        '',
      ].join('\n'),
    );
    const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null });
    expect(plan).toBeUndefined();
    expect(diagnostics.map((d) => d.summary).join('\n')).toContain(summary);
  });

  it('a sign-in with a control character (from a --var) is an error', async () => {
    const file = join(dir, 'login-var.yml');
    writeFileSync(
      file,
      [
        'lrroll: 1',
        'name: Cache clear',
        'inventory:',
        '  nodes:',
        '    - name: node1',
        '    - name: node2',
        'change:',
        '  type: restart',
        'rollout:',
        '  clearCache:',
        '    serverAdmin:',
        '      login: "{{adminLogin}}"',
        '      password: ${PW}',
        '',
      ].join('\n'),
    );
    const { plan, diagnostics } = await planPlaybook(file, { vars: { adminLogin: 'ad\u001bmin' }, limit: null });
    expect(plan).toBeUndefined();
    expect(diagnostics.map((d) => d.summary).join('\n')).toContain(
      'the sign-in `ad\\u001bmin` holds a control character',
    );
  });
});
