/**
 * The stop of a `scripts` node runs Tomcat's own `catalina.sh stop <timeout> -force` (Debian's, from the tomcat10
 * package) and returns as soon as the JVM is gone instead of at catalina.sh's next once-a-second look, without leaving
 * catalina.sh running: its wait would take the next start's process for the old one. The JVM here is a stand-in
 * (`JAVA_HOME/bin/java`, a shell script): `Bootstrap start` runs until SIGTERM, `Bootstrap stop` sends it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../../src/app/use-cases.js';
import { SHELLS, run, tmp } from './helpers.js';

const DEBIAN_CATALINA = '/usr/share/tomcat10/bin';

/** A Tomcat home with Debian's catalina.sh and a stand-in JVM that stops `exitMs` after SIGTERM (or never). */
function tomcatHome(exitMs: number | null): { liferayHome: string; tomcatHome: string; javaHome: string } {
  const liferayHome = tmp();
  const tomcat = join(liferayHome, 'tomcat');
  const javaHome = join(liferayHome, 'jdk');
  for (const d of [join(tomcat, 'bin'), join(tomcat, 'logs'), join(tomcat, 'temp'), join(javaHome, 'bin')])
    mkdirSync(d, { recursive: true });
  for (const f of ['catalina.sh', 'setclasspath.sh', 'bootstrap.jar', 'tomcat-juli.jar'])
    if (existsSync(join(DEBIAN_CATALINA, f))) copyFileSync(join(DEBIAN_CATALINA, f), join(tomcat, 'bin', f));
  const onTerm = exitMs === null ? ':' : `kill "$w" 2>/dev/null; sleep ${exitMs / 1000}; exit 0`;
  writeFileSync(
    join(javaHome, 'bin', 'java'),
    [
      '#!/bin/sh',
      'case "$*" in',
      // `wait` returns on a trapped signal at once (a foreground `sleep` would hold the trap back).
      `  *" start") trap '${onTerm}' TERM; while :; do sleep 0.2 & w=$!; wait "$w"; done ;;`,
      '  *" stop") kill -TERM "$(cat "$CATALINA_PID")" ;;',
      '  *) echo "stand-in java: $*" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(javaHome, 'bin', 'java'), 0o755);
  return { liferayHome, tomcatHome: tomcat, javaHome };
}

/** The service-stop and service-start commands lrroll plans for one `scripts` node with these homes. */
async function plannedCommands(home: {
  liferayHome: string;
  tomcatHome: string;
}): Promise<{ stop: string; start: string }> {
  const dir = tmp();
  const file = join(dir, 'stop.yml');
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: stop test',
      'inventory:',
      '  defaults:',
      `    liferayHome: ${home.liferayHome}`,
      `    tomcatHome: ${home.tomcatHome}`,
      '    service:',
      '      stopTimeout: 3s',
      '  nodes:',
      '    - name: node1',
      '    - name: node2',
      'change:',
      '  type: restart',
      '  reason: test',
      '',
    ].join('\n'),
  );
  const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null, readGit: false });
  if (!plan) throw new Error(JSON.stringify(diagnostics));
  const steps = plan.batches[0]?.nodePlans[0]?.steps ?? [];
  const command = (action: string): string => {
    const step = steps.find((s) => s.action === action);
    if (!step || !('command' in step) || typeof step.command !== 'string') throw new Error(`no ${action} step`);
    return step.command;
  };
  return { stop: command('service-stop'), start: command('service-start') };
}

/** Running: not gone, and not exited waiting to be reaped (a zombie; this machine's init may reap late). */
const alive = (pid: string): boolean =>
  spawnSync('kill', ['-0', pid]).status === 0 && !/^State:\s*Z/m.test(readIfThere(`/proc/${pid}/status`));
const readIfThere = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
/** Processes whose command line names `text` (catalina.sh of this home, say). */
const processesWith = (text: string): string[] =>
  spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'));

describe.skipIf(!existsSync(join(DEBIAN_CATALINA, 'catalina.sh')))(
  "the stop of a `scripts` node with Debian's catalina.sh (needs tomcat10)",
  () => {
    it.each(SHELLS)('%s: the JVM stops; the pid file is removed and no catalina.sh is left waiting', async (shell) => {
      const home = tomcatHome(300);
      const { stop, start } = await plannedCommands(home);
      const env = { JAVA_HOME: home.javaHome, JRE_HOME: home.javaHome };
      expect(run(shell, start, env).status).toBe(0);
      const pidFile = join(home.liferayHome, 'liferay.pid');
      const pid = readFileSync(pidFile, 'utf8').trim();
      expect(alive(pid)).toBe(true);
      const stopped = run(shell, stop, env);
      expect(stopped.status, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain('Tomcat stopped.');
      expect(alive(pid)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
      expect(processesWith(`${home.tomcatHome}/bin/catalina.sh`)).toEqual([]);
    });

    it('a JVM that ignores SIGTERM is killed at the timeout by catalina.sh, and the stop then ends', async () => {
      const home = tomcatHome(null);
      const { stop, start } = await plannedCommands(home);
      const env = { JAVA_HOME: home.javaHome, JRE_HOME: home.javaHome };
      expect(run('/bin/sh', start, env).status).toBe(0);
      const pidFile = join(home.liferayHome, 'liferay.pid');
      const pid = readFileSync(pidFile, 'utf8').trim();
      const stopped = run('/bin/sh', stop, env);
      expect(stopped.status, stopped.stderr).toBe(0);
      expect(alive(pid)).toBe(false);
      expect(existsSync(pidFile)).toBe(false);
      expect(processesWith(`${home.tomcatHome}/bin/catalina.sh`)).toEqual([]);
    }, 30_000);

    it('nothing running (no pid file): it ends as catalina.sh does, with its exit status', async () => {
      const home = tomcatHome(300);
      const { stop } = await plannedCommands(home);
      const env = { JAVA_HOME: home.javaHome, JRE_HOME: home.javaHome };
      const plain = run(
        '/bin/sh',
        `CATALINA_PID=${join(home.liferayHome, 'liferay.pid')} ${home.tomcatHome}/bin/catalina.sh stop 3 -force`,
        env,
      );
      const ours = run('/bin/sh', stop, env);
      expect(ours.status).toBe(plain.status);
      expect(ours.stdout).toBe(plain.stdout);
      expect(processesWith(`${home.tomcatHome}/bin/catalina.sh`)).toEqual([]);
    });
  },
);
