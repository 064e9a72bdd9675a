/**
 * The SSH config file and the known_hosts files can be chosen in the playbook
 * (`inventory.ssh`) and on the command line (`--ssh-config`, `--known-hosts`), not only with
 * ~/.ssh or the LRROLL_* variables — against real sshd nodes, with `lrroll status`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`ssh-files e2e skipped: ${support.reason}\n`);

/** A status row whose SSH column says ok, per node. */
const reachable = (stdout: string, names: string[]): boolean[] =>
  names.map((n) => new RegExp(`^${n}\\s+\\S+\\s+ok\\s`, 'm').test(stdout));

describe.skipIf(!support.ok)(
  `SSH files from the playbook and the command line${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    let emptyKnownHosts: string;
    const names = ['node1', 'node2'];

    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 2, haproxy: false });
      emptyKnownHosts = join(cluster.dir, 'empty_known_hosts');
      writeFileSync(emptyKnownHosts, '');
    }, 120_000);
    afterAll(() => cluster?.stop(), 60_000);

    it(
      "known_hosts: the environment's file knows no node; --known-hosts and " + 'inventory.ssh.knownHostsFiles do',
      async () => {
        const env = { LRROLL_KNOWN_HOSTS: emptyKnownHosts };
        const plain = writePlaybook(cluster, 'Known hosts from env', 'change:\n  type: restart\n', { lb: false });
        const refused = await lrroll(['status', plain], cluster, env);
        expect(reachable(refused.stdout, names), refused.stdout).toEqual([false, false]);
        expect(refused.stdout).toContain('is not in known_hosts');

        const flag = await lrroll(['status', plain, '--known-hosts', cluster.knownHostsFile], cluster, env);
        expect(reachable(flag.stdout, names), flag.stdout + flag.stderr).toEqual([true, true]);

        // relative to the playbook's folder
        const fromPlaybook = writePlaybook(cluster, 'Known hosts from the playbook', 'change:\n  type: restart\n', {
          lb: false,
        });
        writeFileSync(
          fromPlaybook,
          readFileSync(fromPlaybook, 'utf8').replace(
            'inventory:\n',
            `inventory:\n  ssh:\n    knownHostsFiles: [${cluster.knownHostsFile.split('/').pop()}]\n`,
          ),
        );
        const playbook = await lrroll(['status', fromPlaybook], cluster, env);
        expect(reachable(playbook.stdout, names), playbook.stdout + playbook.stderr).toEqual([true, true]);
      },
      120_000,
    );

    it('ssh config: Host aliases resolve only with --ssh-config or inventory.ssh.configFile', async () => {
      const config = join(cluster.dir, 'lrroll_ssh_config');
      writeFileSync(
        config,
        cluster.nodes
          .map(
            (n) =>
              `Host lr-${n.name}\n  HostName ${n.address}\n  Port ${n.sshPort}` +
              `\n  User root\n  IdentityFile ${cluster.identityFile}\n`,
          )
          .join('\n'),
      );
      const body = (ssh: string): string =>
        [
          'lrroll: 1',
          'name: Aliases',
          'inventory:',
          ssh,
          '  defaults:',
          '    liferayHome: /opt/liferay',
          '  nodes:',
          ...cluster.nodes.map((n) => `    - name: ${n.name}\n      host: lr-${n.name}\n      httpPort: ${n.httpPort}`),
          'loadBalancer:',
          '  type: none',
          'change:',
          '  type: restart',
          '',
        ]
          .filter(Boolean)
          .join('\n');
      const plain = join(cluster.dir, 'aliases.yml');
      writeFileSync(plain, body(''));
      const unresolved = await lrroll(['status', plain], cluster);
      expect(reachable(unresolved.stdout, names), unresolved.stdout).toEqual([false, false]);

      const flag = await lrroll(['status', plain, '--ssh-config', config], cluster);
      expect(reachable(flag.stdout, names), flag.stdout + flag.stderr).toEqual([true, true]);

      const inPlaybook = join(cluster.dir, 'aliases-config.yml');
      writeFileSync(inPlaybook, body('  ssh:\n    configFile: lrroll_ssh_config'));
      const playbook = await lrroll(['status', inPlaybook], cluster);
      expect(reachable(playbook.stdout, names), playbook.stdout + playbook.stderr).toEqual([true, true]);

      const missing = await lrroll(['status', plain, '--ssh-config', join(cluster.dir, 'nope')], cluster);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        `error[E_USAGE]: the SSH config file ${join(cluster.dir, 'nope')} does not exist (--ssh-config)`,
      );
    }, 120_000);
  },
);
