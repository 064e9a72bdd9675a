// LocalTransport (src/execute/transports/local.ts), wrapCommand (src/execute/transport.ts) and
// LineSplitter (src/execute/transports/lines.ts), with real child processes.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  closeSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN_SUDO, wrapCommand, type ExecOptions, type Transport } from '../../../../src/execute/transport.js';
import { LineSplitter } from '../../../../src/execute/transports/lines.js';
import { LocalTransport } from '../../../../src/execute/transports/local.js';
import { LOCAL_TIMINGS } from '../../../../src/plan/defaults.js';

const t: Transport = new LocalTransport(LOCAL_TIMINGS.localKillGraceMs);
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-local-transport-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Alive and not a zombie (PID 1 in a container may never reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(20);
  }
  return !alive(pid);
}

/** Every process's command line (argv joined with spaces). */
function allCmdlines(): Array<{ pid: number; argv: string }> {
  const out: Array<{ pid: number; argv: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Runs a command; `ready` resolves with the first stdout line. */
function start(command: string, options: Partial<ExecOptions> = {}) {
  const lines: Array<[string, string]> = [];
  let onFirst: (line: string) => void = () => undefined;
  const ready = new Promise<string>((r) => (onFirst = r));
  const result = t.exec(command, {
    timeoutMs: 10_000,
    ...options,
    onLine: (s, l) => {
      lines.push([s, l]);
      if (s === 'stdout') onFirst(l);
      options.onLine?.(s, l);
    },
  });
  return { result, ready, lines };
}

describe('LocalTransport.exec', () => {
  it('describes itself as local; connect and close are no-ops', async () => {
    expect(t.describe).toBe('local');
    await t.connect();
    await t.close();
    expect((await t.exec('echo still works', { timeoutMs: 5000 })).stdout).toBe('still works\n');
  });

  it('returns exit codes and the output', async () => {
    const ok = await t.exec('echo out; echo err >&2', { timeoutMs: 5000 });
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n', timedOut: false, aborted: false });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    expect((await t.exec('exit 3', { timeoutMs: 5000 })).exitCode).toBe(3);
    expect((await t.exec('false', { timeoutMs: 5000 })).exitCode).toBe(1);
    const missing = await t.exec('no-such-command-lrroll', { timeoutMs: 5000 });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/not found/);
  });

  it('runs a POSIX sh command line: pipes, quotes, variables, $( )', async () => {
    const r = await t.exec(`x='a b'; printf '%s|' "$x" "it's" $(echo c d) | tr a-z A-Z`, { timeoutMs: 5000 });
    expect(r.stdout).toBe("A B|IT'S|C|D|");
  });

  it('the command gets no stdin (it would otherwise wait forever)', async () => {
    const r = await t.exec('cat; echo done', { timeoutMs: 5000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'done\n' });
  });

  it(
    'onLine gets every complete line of each stream as it arrives, joins partial writes, strips CR of ' +
      'CRLF, flushes the last partial line',
    async () => {
      const seen: Array<[string, string, number]> = [];
      const t0 = Date.now();
      const r = await t.exec("printf 'one\\ntw'; sleep 0.3; printf 'o\\r\\nthree'; printf 'e1\\ne2\\r\\n' >&2", {
        timeoutMs: 5000,
        onLine: (s, l) => seen.push([s, l, Date.now() - t0]),
      });
      expect(r.exitCode).toBe(0);
      const lines = seen.map(([s, l]) => [s, l]);
      expect(lines.filter(([s]) => s === 'stdout')).toEqual([
        ['stdout', 'one'],
        ['stdout', 'two'],
        ['stdout', 'three'],
      ]);
      expect(lines.filter(([s]) => s === 'stderr')).toEqual([
        ['stderr', 'e1'],
        ['stderr', 'e2'],
      ]);
      // 'one' arrived before the sleep, i.e. streamed, not at the end
      expect(seen[0]?.[2]).toBeLessThan(250);
      // the result keeps the raw text
      expect(r.stdout).toBe('one\ntwo\r\nthree');
      expect(r.stderr).toBe('e1\ne2\r\n');
    },
  );

  it('keeps empty lines and long lines', async () => {
    const seen: string[] = [];
    const long = 'x'.repeat(200_000);
    const r = await t.exec(`printf '\\n\\n'; head -c 200000 /dev/zero | tr '\\0' x; echo`, {
      timeoutMs: 5000,
      onLine: (_s, l) => seen.push(l),
    });
    expect(r.exitCode).toBe(0);
    expect(seen).toEqual(['', '', long]);
  });

  it('a timeout kills the whole process group (a background child and a foreground child too)', async () => {
    const { result, ready, lines } = start('sleep 30 & echo $!; sh -c "echo \\$\\$; exec sleep 31"; wait', {
      timeoutMs: 800,
    });
    await ready;
    await sleep(100);
    const pids = lines.filter(([s]) => s === 'stdout').map(([, l]) => Number(l));
    expect(pids).toHaveLength(2);
    for (const p of pids) expect(alive(p)).toBe(true);
    const r = await result;
    expect(r).toMatchObject({ exitCode: null, timedOut: true, aborted: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(700);
    expect(r.durationMs).toBeLessThan(5000);
    for (const p of pids) expect(await waitGone(p)).toBe(true);
  });

  it('an AbortSignal kills the command (and its children); an already aborted signal kills it at once', async () => {
    const ac = new AbortController();
    const { result, ready } = start('sleep 30 & echo $!; wait', { signal: ac.signal });
    const pid = Number(await ready);
    ac.abort();
    const r = await result;
    expect(r).toMatchObject({ exitCode: null, aborted: true, timedOut: false });
    expect(r.durationMs).toBeLessThan(5000);
    expect(await waitGone(pid)).toBe(true);

    const pre = new AbortController();
    pre.abort();
    const t0 = Date.now();
    const r2 = await t.exec('sleep 30', { timeoutMs: 20_000, signal: pre.signal });
    expect(r2).toMatchObject({ exitCode: null, aborted: true });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a command that finishes in time is not marked timed out and leaves no timer behind', async () => {
    const r = await t.exec('sleep 0.1; exit 4', { timeoutMs: 2000 });
    expect(r).toMatchObject({ exitCode: 4, timedOut: false, aborted: false });
  });

  // BUG: a process that left the group (setsid, a daemon) but kept stdout open holds exec()
  // until it exits, even after the timeout killed the group: `finish` only runs on 'close'
  // (src/execute/transports/local.ts:51). The "hard deadline" is not one. Suggested fix: on
  // timeout/abort, after killing the group, resolve after a short grace period even without
  // 'close' (destroy child.stdout/stderr), e.g. `setTimeout(() => { child.stdout.destroy(); child.stderr.destroy();
  // finish(null); }, 500)`.
  it('the timeout is a hard deadline even when an escaped process keeps stdout open', async () => {
    const { result, ready } = start('setsid sleep 2.5 & echo $!; sleep 30', { timeoutMs: 300 });
    const escaped = Number(await ready);
    try {
      const r = await result;
      expect(r.timedOut).toBe(true);
      expect(r.durationMs).toBeLessThan(2000);
    } finally {
      try {
        process.kill(escaped, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
});

describe('LocalTransport secrets (env)', () => {
  it('reach the command as environment variables but are on no command line while it runs', async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}-value`;
    const { result, ready, lines } = start('echo $$; sleep 1.5 & echo $!; wait; printf "%s" "$LRROLL_TEST_SECRET"', {
      env: { LRROLL_TEST_SECRET: secret },
    });
    const shellPid = Number(await ready);
    while (lines.length < 2) await sleep(10);
    const childPid = Number(lines[1]?.[1]);
    const procs = allCmdlines();
    // the command is running, and its shell's argv holds the variable's name but not its value
    const own = procs.find((p) => p.pid === shellPid);
    expect(own?.argv).toContain('LRROLL_TEST_SECRET');
    expect(procs.filter((p) => p.argv.includes(secret))).toEqual([]);
    // `ps` agrees
    const ps = spawnSync('ps', ['-eo', 'pid,args', '--no-headers'], { encoding: 'utf8' });
    if (!ps.error) {
      expect(ps.stdout).toContain(String(shellPid));
      expect(ps.stdout).not.toContain(secret);
    }
    // and the value is in the environment the command's children get (only readable by the same user)
    expect(readFileSync(`/proc/${childPid}/environ`, 'utf8').split('\0')).toContain(`LRROLL_TEST_SECRET=${secret}`);
    const r = await result;
    expect(r).toMatchObject({ exitCode: 0 });
    expect(r.stdout).toBe(`${shellPid}\n${childPid}\n${secret}`);
  });

  it.each([
    ['quotes, spaces, $, backquotes, backslashes', `it's "quoted" $HOME \`id\` $(id) \\n \\ ; rm -rf / #`],
    ['leading and trailing blanks', '  \t padded \t  '],
    ['an empty value', ''],
    ['a trailing backslash', 'ends with \\'],
    ['unicode and a CR', 'päss\u2603wörd\r'],
    ['= and a leading dash', '-n=--x'],
  ])('arrive byte for byte: %s', async (_what, value) => {
    const r = await t.exec('printf "%s" "$A_SECRET" | od -An -tx1 | tr -d " \\n"', {
      timeoutMs: 5000,
      env: { A_SECRET: value },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(Buffer.from(value, 'utf8').toString('hex'));
  });

  it('several secrets each get their own value; the command itself gets no stdin', async () => {
    const r = await t.exec('printf "%s|%s|%s|" "$ZED" "$ALPHA" "$MID"; cat; echo end', {
      timeoutMs: 5000,
      env: { ZED: 'z z', ALPHA: 'a', MID: '' },
    });
    expect(r.stdout).toBe('z z|a||end\n');
  });

  it('a secret containing a newline is refused before anything runs', async () => {
    const marker = join(dir, 'newline-marker');
    await expect(async () =>
      t.exec(`touch ${marker}`, { timeoutMs: 5000, env: { BAD: 'line1\nline2' } }),
    ).rejects.toThrow(/BAD.*newline/);
    expect(existsSync(marker)).toBe(false);
  });

  it('an invalid variable name is refused', async () => {
    await expect(async () => t.exec('true', { timeoutMs: 5000, env: { 'A-B': 'x' } })).rejects.toThrow(
      /invalid environment variable name A-B/,
    );
    await expect(async () => t.exec('true', { timeoutMs: 5000, env: { '1A': 'x' } })).rejects.toThrow(
      /invalid environment variable name/,
    );
    await expect(async () => t.exec('true', { timeoutMs: 5000, env: { 'A;touch /tmp/x': 'x' } })).rejects.toThrow(
      /invalid environment variable name/,
    );
  });
});

describe('LocalTransport become (with a stand-in sudo on the PATH)', () => {
  it('runs the command through `sudo -n sh -c`, secrets still on stdin', async () => {
    const bin = join(dir, 'fake-sudo-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(dir, 'fake-sudo.log');
    // a stand-in that records its argv and runs the rest (real sudo is tested end to end)
    writeFileSync(
      join(bin, 'sudo'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\n[ "$1" = -n ] || exit 99\nshift\nexec "$@"\n`,
    );
    chmodSync(join(bin, 'sudo'), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    try {
      const r = await t.exec('printf "%s" "$PW"', { timeoutMs: 5000, become: true, env: { PW: 'p w $x' } });
      expect(r).toMatchObject({ exitCode: 0, stdout: 'p w $x' });
      const argv = readFileSync(log, 'utf8').split('\n');
      expect(argv.slice(0, 3)).toEqual(['-n', 'sh', '-c']);
      expect(argv.join('\n')).toContain('IFS= read -r PW');
      expect(argv.join('\n')).not.toContain('p w $x');
    } finally {
      process.env.PATH = oldPath;
    }
  });
});

describe('LocalTransport.put', () => {
  it('creates parent folders and copies the file', async () => {
    const src = join(dir, 'src.bin');
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    writeFileSync(src, data);
    const dest = join(dir, 'deep/er/still/deeper/dest.bin');
    await t.put(src, dest, { timeoutMs: 5000 });
    expect(readFileSync(dest).equals(data)).toBe(true);
    expect(readdirSync(join(dir, 'deep/er/still/deeper'))).toEqual(['dest.bin']);
  });

  it(
    'replaces an existing file atomically (a new inode renamed over it; a reader of the old one keeps ' +
      'the old content)',
    async () => {
      const dest = join(dir, 'atomic/target.txt');
      mkdirSync(join(dir, 'atomic'), { recursive: true });
      writeFileSync(dest, 'old content');
      const before = statSync(dest).ino;
      const fd = openSync(dest, 'r');
      try {
        const src = join(dir, 'new.txt');
        writeFileSync(src, 'new content, longer than the old one');
        await t.put(src, dest, { timeoutMs: 5000 });
        expect(readFileSync(dest, 'utf8')).toBe('new content, longer than the old one');
        expect(statSync(dest).ino).not.toBe(before);
        const buf = Buffer.alloc(100);
        const n = readSync(fd, buf, 0, 100, 0);
        expect(buf.subarray(0, n).toString()).toBe('old content');
      } finally {
        closeSync(fd);
      }
      expect(readdirSync(join(dir, 'atomic'))).toEqual(['target.txt']);
    },
  );

  it('a missing source fails and leaves the destination alone', async () => {
    const dest = join(dir, 'keep/target.txt');
    mkdirSync(join(dir, 'keep'), { recursive: true });
    writeFileSync(dest, 'keep me');
    await expect(t.put(join(dir, 'does-not-exist'), dest, { timeoutMs: 5000 })).rejects.toThrow(/ENOENT/);
    expect(readFileSync(dest, 'utf8')).toBe('keep me');
    expect(readdirSync(join(dir, 'keep'))).toEqual(['target.txt']);
  });
});

describe('wrapCommand', () => {
  it('without secrets: sh -c with the command single-quoted, empty stdin', () => {
    expect(wrapCommand('echo hi', undefined, false)).toEqual({ command: "sh -c 'echo hi'", stdin: '' });
    expect(wrapCommand('echo hi', {}, false)).toEqual({ command: "sh -c 'echo hi'", stdin: '' });
    expect(wrapCommand("echo 'a b'", undefined, false)).toEqual({ command: `sh -c 'echo '\\''a b'\\'''`, stdin: '' });
  });

  it('become: sudo -n sh -c', () => {
    expect(wrapCommand('id -u', undefined, true)).toEqual({ command: "sudo -n sh -c 'id -u'", stdin: '' });
  });

  it('secrets: one read per name (sorted), stdin closed for the command, values only on stdin', () => {
    const w = wrapCommand('run', { B: 'two', A: "o'ne" }, false);
    expect(w.command).toBe(
      "sh -c 'IFS= read -r A || true; export A; IFS= read -r B || true; export B; exec </dev/null; run'",
    );
    expect(w.stdin).toBe("o'ne\ntwo\n");
    expect(w.command).not.toContain('two');
  });

  it('refuses newlines in values and invalid names', () => {
    expect(() => wrapCommand('x', { A: 'a\nb' }, false)).toThrow(/the value of A contains a newline/);
    expect(() => wrapCommand('x', { 'A B': 'a' }, false)).toThrow(/invalid environment variable name A B/);
    expect(() => wrapCommand('x', { '': 'a' }, false)).toThrow(/invalid environment variable name/);
    expect(() => wrapCommand('x', { _ok_1: 'a' }, false)).not.toThrow();
  });

  it('round trip: the wrapped command run by sh with its stdin gives the original values and exit code', () => {
    const env = { X: `a'b"c $d \\e`, Y: ' y ' };
    const w = wrapCommand('printf "[%s][%s]" "$X" "$Y"; exit 7', env, false);
    const r = spawnSync('/bin/sh', ['-c', w.command], { input: w.stdin, encoding: 'utf8' });
    expect(r.status).toBe(7);
    expect(r.stdout).toBe(`[${env.X}][${env.Y}]`);
  });
});

describe('wrapCommand with values that are not secret (vars)', () => {
  it("sets them in the command's own shell, quoted, before any secret is read: no stdin for them", () => {
    const id = { LRROLL_RUN_ID: "20261202T1500-a'b" };
    const w = wrapCommand('printf "[%s]" "$LRROLL_RUN_ID"', undefined, false, PLAIN_SUDO, id);
    expect(w.stdin).toBe('');
    expect(w.command).toMatch(/^sh -c 'LRROLL_RUN_ID=.*; export LRROLL_RUN_ID; printf/);
    expect(spawnSync('/bin/sh', ['-c', w.command], { encoding: 'utf8' }).stdout).toBe(`[${id.LRROLL_RUN_ID}]`);
    const both = wrapCommand('printf "[%s][%s]" "$R" "$S"', { S: 'secret' }, false, PLAIN_SUDO, { R: "x $y 'z'" });
    expect(both.stdin).toBe('secret\n');
    expect(both.command).not.toContain('secret');
    const r = spawnSync('/bin/sh', ['-c', both.command], { input: both.stdin, encoding: 'utf8' });
    expect(r.stdout).toBe("[x $y 'z'][secret]");
    expect(() => wrapCommand('x', undefined, false, PLAIN_SUDO, { 'A;B': 'v' })).toThrow(
      /invalid environment variable name/,
    );
  });
});

describe('LineSplitter', () => {
  it('splits on \\n, strips one trailing \\r, flushes the partial last line, keeps the raw text', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push(Buffer.from('a\r\nb'));
    s.push(Buffer.from('c\n\nd'));
    expect(lines).toEqual(['a', 'bc', '']);
    expect(s.end()).toBe('a\r\nbc\n\nd');
    expect(lines).toEqual(['a', 'bc', '', 'd']);
    expect(s.end()).toBe('a\r\nbc\n\nd');
    expect(lines).toHaveLength(4);
  });

  // BUG: push() decodes each chunk on its own (src/execute/transports/lines.ts:11), so a
  // multi-byte UTF-8 character split across two reads (pipes and SSH channels split anywhere)
  // turns into two U+FFFD. Suggested fix: keep a `new StringDecoder('utf8')` (node:string_decoder)
  // and use `decoder.write(chunk)` in push() and `decoder.end()` in end().
  it('a UTF-8 character split across chunks stays whole', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from('café ☃\n');
    s.push(bytes.subarray(0, 4));
    s.push(bytes.subarray(4, 8));
    s.push(bytes.subarray(8));
    expect(lines).toEqual(['café ☃']);
  });

  // Minor: the flushed last line keeps a trailing \r while every other line loses it (lines.ts:24).
  it('strips the \\r of a final unterminated line too', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push(Buffer.from('last\r'));
    s.end();
    expect(lines).toEqual(['last']);
  });
});
