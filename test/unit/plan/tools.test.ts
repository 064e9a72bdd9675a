/**
 * The programs a node needs are read from the commands the plan runs there (plan/tools.ts). Table of
 * shell forms; a guard that RUNTIME_TOOLS names every program the executor runs on nodes itself; and
 * the check-tools / check-sudo steps of a compiled plan.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { programsOf, RUNTIME_TOOLS } from '../../../src/plan/tools.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('programsOf', () => {
  it.each<[string, string[]]>([
    ['curl -fsS http://x | grep -q ok', ['curl', 'grep']],
    ['a=1 b="2 3" unzip -o f.zip && rm -f f.zip', ['rm', 'unzip']],
    ['if [ -f x ]; then cp x y; elif test -d z; then mv z y; else :; fi', ['cp', 'mv']],
    ['for d in osgi/modules osgi/war; do ls "$d"; done', ['ls']],
    ["case $kb in ''|*[!0-9]*) exit 1 ;; esac; df -Pk /", ['df']],
    ['x=$(sha256sum < f); y="$(stat -c %Y f)"; z=`date +%s`', ['date', 'sha256sum', 'stat']],
    ['timeout 5 curl http://x; exec tail -F log; nohup sleep 1 &', ['curl', 'nohup', 'sleep', 'tail', 'timeout']],
    ['sh -c \'awk "{print}" f | sort\'', ['awk', 'sh', 'sort']],
    ['LC_ALL=C "${LRROLL_AWK:-awk}" \'{ print $1 }\' f', ['awk']],
    ['echo hi >&2; printf "%s" x > /tmp/f 2>/dev/null; cat < f', ['cat']],
    ['/opt/liferay/tomcat/bin/catalina.sh start; ./patching-tool.sh info', []],
    [
      'if command -v sha256sum >/dev/null; then sha256sum f; elif command -v shasum >/dev/null; then ' +
        'shasum -a 256 f; fi',
      [],
    ],
    ['# a comment with curl\ntrue', []],
    ['c() { curl -sS "$@"; }\nc -o /dev/null http://x; c -L http://y', ['curl']],
    ['get () { wget -q "$@"; }; get http://x', ['wget']],
    ['{ mkdir -p d && chmod 0700 d; } || exit 1', ['chmod', 'mkdir']],
    ['kill -9 "$(cat p)" 2>/dev/null || true', ['cat']],
  ])('%j → %j', (command, expected) => {
    expect(programsOf([command]).required).toEqual(expected);
  });

  it('lists what a command only probes for apart (it has a fallback)', () => {
    expect(programsOf(['command -v openssl >/dev/null && openssl dgst f']).probed).toEqual(['openssl']);
  });
});

describe('RUNTIME_TOOLS names every program the executor and transports run on a node themselves', () => {
  /** The commands src/execute and src/app build in template literals passed to exec(…) or wrapped for sudo. */
  function sourceCommands(): string[] {
    const files = ['src/execute', 'src/execute/transports', 'src/app'].flatMap((d) =>
      readdirSync(join(ROOT, d))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(ROOT, d, f)),
    );
    const out: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\.exec\(\s*`((?:[^`\\]|\\.)*)`/g))
        out.push((m[1] as string).replace(/\$\{[^}]*\}/g, 'X'));
      for (const m of text.matchAll(/const (?:script|outer|skip) =\s*`((?:[^`\\]|\\.)*)`/g))
        out.push((m[1] as string).replace(/\$\{[^}]*\}/g, 'X'));
    }
    return out;
  }

  it('finds the commands to check (the guard reads the source)', () => {
    // The transports' own (sudo wrapping, atomic upload); the lock, status and the log gates run the plan's commands,
    // whose programs the plan lists itself.
    expect(sourceCommands().length).toBeGreaterThanOrEqual(4);
  });

  it('every program they run is in RUNTIME_TOOLS (or `sudo`, checked by check-sudo)', () => {
    const used = programsOf(sourceCommands()).required.filter((p) => p !== 'sudo' && p !== 'X');
    expect(used.filter((p) => !RUNTIME_TOOLS.includes(p))).toEqual([]);
  });
});

describe("the plan checks each node's prerequisites first", () => {
  it("check-tools comes first in a node's preflight and lists the programs of its commands", async () => {
    const out = await planPlaybook(join(ROOT, 'playbooks/fixpack.yml'), { vars: {}, limit: null });
    const steps =
      out.plan?.preflight.filter((s) => s.node === 'lr-prod-1.example.net' || s.node === out.plan?.nodes[0]?.name) ??
      [];
    const tools = steps.find((s) => s.action === 'check-tools');
    expect(tools && 'tools' in tools ? tools.tools : []).toEqual(
      expect.arrayContaining(['awk', 'curl', 'df', 'sh', 'sudo', 'tail']),
    );
    expect(steps.findIndex((s) => s.action === 'check-tools')).toBeLessThan(
      steps.findIndex((s) => s.action === 'check-reachable'),
    );
    expect(tools?.command).toContain("tail --help 2>&1 | grep -q -- '-F'");
  });

  it("a node that uses sudo is checked for it first, with the password's secret name when there is one", async () => {
    const out = await planPlaybook(join(ROOT, 'playbooks/os-upgrade.yml'), { vars: {}, limit: null });
    const first = out.plan?.preflight[0];
    expect(first?.action).toBe('check-sudo');
    expect(first?.become).toBe(true);
  });
});
