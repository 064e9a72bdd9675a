import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../../src/app/journal.js';
import { reconcile } from '../../../src/app/reconcile.js';
import { FakeCluster, loadPlan } from '../../helpers/fake-transport.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

// Putting back a node an earlier run left out of the load balancer works with a `type: command`
// load balancer too (playbooks/jvm-settings.yml): the plan's put-back step runs the playbook's enable command.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('reconcile with a command load balancer', () => {
  it(
    'puts a healthy left-out node back with the enable command and waits for the status command to say ' + 'UP',
    async () => {
      const plan = await loadPlan('playbooks/jvm-settings.yml');
      const clock = new FixedClock();
      const cluster = new FakeCluster({ plan, clock });
      const home = mkdtempSync(join(tmpdir(), 'lrroll-reconcile-'));
      dirs.push(home);
      const journal = Journal.create({ LRROLL_HOME: home }, plan, 'run-1', clock.iso());
      journal.close();
      let enabled = false;
      cluster.script({ host: 'lb', kind: 'lb-enable' }, () => ((enabled = true), { exitCode: 0 }));
      cluster.script({ host: 'lb', kind: 'lb-status', includes: 'node2' }, () => ({
        stdout: enabled ? 'UP\n' : 'MAINT\n',
      }));
      const results = await reconcile(
        plan,
        [
          {
            node: 'node2',
            member: 'node2',
            runId: 'run-1',
            runDir: journal.dir,
            lb: 'out',
            updated: true,
            live: false,
          },
        ],
        {
          transportFor: cluster.transportFor,
          lbTransport: cluster.lbTransport,
          lb: null,
          clock,
          signal: new AbortController().signal,
        },
      );
      expect(results).toEqual([
        {
          node: 'node2',
          runId: 'run-1',
          action: 'put-back',
          stepId: 'cluster/reconcile/node2/lb-put-back',
          stepIds: [
            'cluster/reconcile/node2/read-app',
            'cluster/reconcile/node2/read-http',
            'cluster/reconcile/node2/lb-put-back',
            'cluster/reconcile/node2/lb-wait-up',
          ],
          detail: 'left out of the load balancer by run run-1 (updated); healthy, so it was put back and is UP',
        },
      ]);
      expect(cluster.callsTo('lb', 'lb-enable').map((c) => c.command)).toEqual(['/usr/local/bin/lb-ctl enable node2']);
      const steps = plan.cluster.reconcile.find((r) => r.node === 'node2');
      // Every command sent is a planned step's: the enable, then the status until it says UP.
      expect(cluster.callsTo('lb', 'lb-enable').map((c) => c.command)).toEqual([steps?.putBack.command]);
      expect(new Set(cluster.callsTo('lb', 'lb-status').map((c) => c.command))).toEqual(
        new Set([steps?.waitUp.command]),
      );
      expect(readFileSync(join(journal.dir, 'events.ndjson'), 'utf8')).toContain(
        '"kind":"lb-state","node":"node2","member":"node2","state":"up"',
      );
    },
  );
});
