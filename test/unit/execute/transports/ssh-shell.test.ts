// The kept-open shells of an SSH connection, with a local `sh` standing in for the channel: the framing, the fallback
// when a node has no setsid, and a shell that dies under a command. (test/e2e/ssh-transport.test.ts runs them
// through a real sshd.)
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Client, ClientChannel } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandRun } from '../../../../src/execute/transports/command-run.js';
import { ShellPool } from '../../../../src/execute/transports/ssh-shell.js';

type Killer = () => void;
const alive: Killer[] = [];
afterEach(() => {
  for (const k of alive.splice(0)) k();
});

/** A Client whose exec runs the command with the local `sh` (as sshd runs it with the login shell). */
function localClient(env: NodeJS.ProcessEnv = process.env): Client & { opened: number } {
  const client = {
    opened: 0,
    exec(command: string, cb: (e: Error | undefined, ch: ClientChannel) => void) {
      client.opened++;
      const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const channel = Object.assign(new EventEmitter(), {
        stderr: child.stderr,
        write: (text: string) => child.stdin.write(text),
        close: () => child.kill('SIGKILL'),
      });
      child.stdout.on('data', (d: Buffer) => channel.emit('data', d));
      child.on('close', () => channel.emit('close'));
      alive.push(() => child.kill('SIGKILL'));
      cb(undefined, channel as unknown as ClientChannel);
      return client;
    },
  };
  return client as unknown as Client & { opened: number };
}

const runOf =
  (timeoutMs = 10_000, onLine?: (s: string, l: string) => void) =>
  (giveUp: () => void) =>
    new CommandRun({ timeoutMs, ...(onLine ? { onLine } : {}) }, { kill: () => undefined, giveUp }, 500);

describe('ShellPool', () => {
  it('carries commands one after another in one shell: output, stderr, exit codes, lines as they come', async () => {
    const client = localClient();
    const pool = new ShellPool(client, 2, 5_000);
    const lines: string[] = [];
    const a = await pool.exec(
      `sh -c 'printf "a\\nb"; echo e >&2; exit 4'`,
      runOf(10_000, (s, l) => lines.push(`${s}:${l}`)),
    );
    expect(a).toMatchObject({ exitCode: 4, stdout: 'a\nb', stderr: 'e\n', timedOut: false });
    expect(lines.sort()).toEqual(['stderr:e', 'stdout:a', 'stdout:b']);
    const b = await pool.exec(`sh -c 'echo $PPID'`, runOf());
    const c = await pool.exec(`sh -c 'echo $PPID'`, runOf());
    expect(b?.stdout).toBe(c?.stdout);
    expect(client.opened).toBe(2); // the shell, and a spare opened ahead of need
  });

  it('a spare that opens after a command ended does not take its place: the next command reuses the same shell', async () => {
    const client = localClient();
    // Every shell after the first answers late (a busy node): the spare arrives after the first command ended.
    const exec = client.exec.bind(client);
    client.exec = ((command: string, cb: (e: Error | undefined, ch: ClientChannel) => void) => {
      if (client.opened === 0) return exec(command, cb);
      setTimeout(() => exec(command, cb), 300);
      return client;
    }) as typeof client.exec;
    const pool = new ShellPool(client, 3, 5_000);
    const first = await pool.exec(`sh -c 'echo $PPID'`, runOf());
    await new Promise((r) => setTimeout(r, 600));
    expect(client.opened).toBe(2);
    for (let i = 0; i < 3; i++) expect((await pool.exec(`sh -c 'echo $PPID'`, runOf()))?.stdout).toBe(first?.stdout);
  });

  it('passes a line on as soon as it is whole, even when the next output is long in coming', async () => {
    const pool = new ShellPool(localClient(), 1, 5_000);
    const seen: string[] = [];
    let firstAt = 0;
    const t0 = Date.now();
    await pool.exec(
      `sh -c 'echo ready; sleep 1; echo done'`,
      runOf(10_000, (_s, l) => {
        seen.push(l);
        if (l === 'ready') firstAt = Date.now() - t0;
      }),
    );
    expect(seen).toEqual(['ready', 'done']);
    expect(firstAt).toBeLessThan(900);
  });

  it(
    'a node without setsid: the pool says no once and for all, and the caller sends the command its own ' + 'way',
    async () => {
      const client = localClient({ ...process.env, PATH: '/nonexistent' });
      const pool = new ShellPool(client, 2, 5_000);
      expect(await pool.exec(`/bin/sh -c 'echo hi'`, runOf())).toBeNull();
      expect(await pool.exec(`/bin/sh -c 'echo hi'`, runOf())).toBeNull();
      expect(client.opened).toBe(1);
    },
  );

  it('a shell that dies under a command ends it with no exit code, and the next command gets a new shell', async () => {
    const client = localClient();
    const pool = new ShellPool(client, 2, 5_000);
    const r = await pool.exec(`sh -c 'echo before; kill -9 $PPID'`, runOf());
    expect(r).toMatchObject({ exitCode: null, stdout: 'before\n' });
    expect((await pool.exec(`sh -c 'echo after'`, runOf()))?.stdout).toBe('after\n');
    expect(client.opened).toBe(3); // the first shell and its spare, then a new spare for the one taken
  });

  it('beyond its size the pool carries nothing more at once', async () => {
    const pool = new ShellPool(localClient(), 1, 5_000);
    const slow = pool.exec(`sh -c 'sleep 0.3; echo slow'`, runOf());
    await new Promise((r) => setTimeout(r, 100));
    expect(await pool.exec(`sh -c 'echo other'`, runOf())).toBeNull();
    expect((await slow)?.stdout).toBe('slow\n');
  });
});
