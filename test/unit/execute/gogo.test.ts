import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readGogo, readGogoAttempt } from '../../../src/execute/gogo.js';
import { gogoCommand } from '../../../src/plan/gogo.js';

// The OSGi gate reads what Liferay's Gogo shell prints for `scr:list` (Felix SCR 2.x) and
// `dm wtf` (Felix Dependency Manager); the node command talks to it with telnet, as Liferay's
// container probe does.

const SCR_HEADER = [' BundleId Component Name Default State', '    Component Id State      PIDs (Factory PID)'];
const component = (bundle: number, name: string, ...states: string[]): string[] => [
  ` [${String(bundle).padStart(4)}]   ${name}  enabled`,
  ...states.map((s, i) => `    [${String(900 + i).padStart(4)}] [${s}] `),
];
const session = (command: string, answer: string[]): string =>
  [
    'Trying 127.0.0.1...',
    'Connected to 127.0.0.1.',
    "Escape character is '^]'.",
    '',
    `g! ${command}`,
    ...answer,
    'g! echo lrroll-gogo-end',
    'lrroll-gogo-end',
    'g! ',
  ].join('\r\n');

describe('reading `scr:list`', () => {
  it(
    'counts components in `unsatisfied reference` or `failed activation`, by name; active, satisfied ' +
      'and `unsatisfied configuration` do not count',
    () => {
      const answer = [
        ...SCR_HEADER,
        ...component(42, 'com.acme.orders.OrderService', 'active'),
        ...component(43, 'com.acme.orders.OrderIndexer', 'unsatisfied reference'),
        ...component(44, 'com.acme.orders.Settings', 'unsatisfied configuration'),
        ...component(45, 'com.acme.orders.Sync', 'satisfied', 'failed activation'),
        ' [  46]   com.acme.orders.Off  disabled',
      ];
      expect(readGogo(session('scr:list', answer), 'scr:list', [])).toEqual({
        problems: ['com.acme.orders.OrderIndexer (unsatisfied reference)', 'com.acme.orders.Sync (failed activation)'],
        error: null,
      });
    },
  );

  it('all active → nothing to report; padded states (`[active      ]`) read the same', () => {
    expect(
      readGogo(
        session('scr:list', [
          ...SCR_HEADER,
          ...component(1, 'a.B', 'active      '),
          ...component(2, 'a.C', 'satisfied   '),
        ]),
        'scr:list',
        [],
      ),
    ).toEqual({ problems: [], error: null });
  });

  it('`ignore` leaves out components known to stay unsatisfied', () => {
    const answer = [
      ...SCR_HEADER,
      ...component(43, 'com.acme.orders.OrderIndexer', 'unsatisfied reference'),
      ...component(47, 'com.liferay.x.Legacy', 'unsatisfied reference'),
    ];
    expect(readGogo(session('scr:list', answer), 'scr:list', ['com.liferay.x.']).problems).toEqual([
      'com.acme.orders.OrderIndexer (unsatisfied reference)',
    ]);
  });

  it('an answer without the component list, or cut before the end mark, is not read as "nothing unsatisfied"', () => {
    expect(readGogo(session('scr:list', ['gogo: IllegalStateException: no SCR']), 'scr:list', [])).toEqual({
      problems: [],
      error: '`scr:list` printed no component list',
    });
    const cut = session('scr:list', [...SCR_HEADER, ...component(42, 'a.B', 'active')]).split('g! echo')[0] as string;
    expect(readGogo(cut, 'scr:list', [])).toEqual({
      problems: [],
      error: 'the Gogo shell did not finish its answer in time',
    });
  });

  it('nothing listening on the port, and a command this shell does not have, are named', () => {
    expect(
      readGogo('Trying 127.0.0.1...\ntelnet: Unable to connect to remote host: Connection refused\n', 'scr:list', [])
        .error,
    ).toBe('the Gogo shell did not answer: telnet: Unable to connect to remote host: Connection refused');
    expect(
      readGogo(session('dm wtf', ['gogo: CommandNotFoundException: Command not found: dm']), 'dm wtf', []).error,
    ).toBe('`dm wtf` is not a command of this Gogo shell: gogo: CommandNotFoundException: Command not found: dm');
  });
});

describe('reading `dm wtf`', () => {
  const MISSING = [
    '2 missing dependencies found.',
    '-------------------------------------',
    'The following service(s) are missing: ',
    ' * com.liferay.portal.kernel.model.Release ' +
      '(&(release.bundle.symbolic.name=com.acme.orders.service)(release.schema.version=2.1.0)) for ' +
      'bundle com.acme.orders.service',
    ' * com.acme.orders.api.OrderStore for bundle com.acme.orders.web',
  ];

  it('"No missing dependencies found." passes', () => {
    expect(readGogo(session('dm wtf', ['No missing dependencies found.']), 'dm wtf', [])).toEqual({
      problems: [],
      error: null,
    });
  });

  it('missing dependencies are listed; ignoring some keeps the others', () => {
    expect(readGogo(session('dm wtf', MISSING), 'dm wtf', []).problems).toHaveLength(2);
    expect(
      readGogo(session('dm wtf', MISSING), 'dm wtf', [
        'Release (&(release.bundle.symbolic.name=com.acme.orders.service)',
      ]).problems,
    ).toEqual(['com.acme.orders.api.OrderStore for bundle com.acme.orders.web']);
    expect(readGogo(session('dm wtf', MISSING), 'dm wtf', ['com.acme.orders']).problems).toEqual([]);
  });

  it('a count without listed lines still holds the node back; an answer saying neither is an error', () => {
    expect(readGogo(session('dm wtf', ['1 missing dependencies found.']), 'dm wtf', []).problems).toEqual([
      'missing dependencies (none listed)',
    ]);
    expect(readGogo(session('dm wtf', ['']), 'dm wtf', []).error).toContain('printed neither');
  });
});

describe('one attempt: every session after its mark line', () => {
  it('problems of both diagnostics together; a missing session is an error', () => {
    const out = [
      '== gogo scr:list',
      session('scr:list', [...SCR_HEADER, ...component(43, 'a.X', 'unsatisfied reference')]),
      '== gogo dm wtf',
      session('dm wtf', ['1 missing dependencies found.', ' * a.Y for bundle a']),
    ].join('\n');
    expect(readGogoAttempt(out, ['scr:list', 'dm wtf'], [])).toEqual({
      problems: ['a.X (unsatisfied reference)', 'a.Y for bundle a'],
      error: null,
    });
    expect(readGogoAttempt(out.split('== gogo dm wtf')[0] as string, ['scr:list', 'dm wtf'], []).error).toBe(
      '`dm wtf` was not run',
    );
  });
});

/**
 * A Gogo shell as Liferay's telnet console serves it: option negotiation, `g! ` prompts, the typed line echoed, answers
 * after a delay.
 */
function fakeGogo(answers: Record<string, string[]>, delayMs: number, promptAfterMs = 0, prompt = 'g! '): Server {
  return createServer((socket: Socket) => {
    socket.write(Buffer.from([255, 251, 1, 255, 251, 3]));
    // What is typed before the prompt shows is lost, as in a console still negotiating its options.
    let prompted = false;
    const prompting = setTimeout(() => {
      prompted = true;
      socket.write(prompt);
    }, promptAfterMs);
    socket.on('close', () => clearTimeout(prompting));
    let pending = '';
    let queue = Promise.resolve();
    socket.on('data', (data: Buffer) => {
      if (!prompted) return;
      pending += data.toString('latin1').replace(/\xff[\xfb-\xfe][\s\S]/g, '');
      const lines = pending.split(/\r\n|\r\0|\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        queue = queue.then(async () => {
          socket.write(`${line}\r\n`);
          await new Promise((r) => setTimeout(r, delayMs));
          const echo = /^echo (.*)$/.exec(line);
          const answer = echo
            ? [echo[1] as string]
            : (answers[line] ?? [`gogo: CommandNotFoundException: Command not found: ${line.split(' ')[0] ?? ''}`]);
          for (const a of answer) socket.write(`${a}\r\n`);
          socket.write(prompt);
        });
      }
    });
    socket.on('end', () => void queue.then(() => socket.end()));
    socket.on('error', () => undefined);
  });
}

function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/**
 * The node command needs a telnet client (Debian: telnet); without one the test reports itself skipped, which CI counts
 * as a failure.
 */
const hasTelnet = spawnSync('sh', ['-c', 'command -v telnet'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasTelnet)(
  'the node command against a Gogo shell over telnet (needs `telnet`, Debian: telnet)',
  () => {
    let server: Server | null = null;
    afterEach(async () => {
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
      server = null;
    });

    const listen = async (s: Server): Promise<number> => {
      server = s;
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const address = s.address();
      return typeof address === 'object' && address ? address.port : 0;
    };

    it(
      'waits for the whole answer (3,000 components, the unsatisfied one last, answered late) and reads ' +
        'both diagnostics',
      async () => {
        const list = [...SCR_HEADER];
        for (let i = 0; i < 3000; i++) list.push(...component(i, `com.acme.c${i}.Component`, 'active'));
        list.push(...component(3001, 'com.acme.last.Component', 'unsatisfied reference'));
        const port = await listen(fakeGogo({ 'scr:list': list, 'dm wtf': ['No missing dependencies found.'] }, 1200));
        const out = await sh(gogoCommand(port, ['scr:list', 'dm wtf'], 20));
        expect(readGogoAttempt(out, ['scr:list', 'dm wtf'], [])).toEqual({
          problems: ['com.acme.last.Component (unsatisfied reference)'],
          error: null,
        });
      },
      60_000,
    );

    it('types its command once the prompt shows: a console slow to show it (1.5 s) loses nothing', async () => {
      const port = await listen(fakeGogo({ 'dm wtf': ['No missing dependencies found.'] }, 0, 1500));
      const out = await sh(gogoCommand(port, ['dm wtf'], 20));
      expect(readGogoAttempt(out, ['dm wtf'], [])).toEqual({ problems: [], error: null });
    }, 60_000);

    it('a console with another prompt (`osgi> `) gets its command after 3 s, as before after a fixed second', async () => {
      const port = await listen(fakeGogo({ 'dm wtf': ['No missing dependencies found.'] }, 0, 0, 'osgi> '));
      const out = await sh(gogoCommand(port, ['dm wtf'], 20));
      expect(readGogoAttempt(out, ['dm wtf'], [])).toEqual({ problems: [], error: null });
    }, 60_000);

    it('a console that never shows its prompt: the session gives up at its limit, and the attempt fails', async () => {
      const port = await listen(fakeGogo({ 'dm wtf': ['No missing dependencies found.'] }, 0, 600_000));
      const out = await sh(gogoCommand(port, ['dm wtf'], 1));
      expect(readGogoAttempt(out, ['dm wtf'], []).error).toMatch(/^the Gogo shell did not answer/);
    }, 60_000);

    it('nothing listening: the attempt says so instead of waiting for its limit', async () => {
      const port = await listen(createServer());
      await new Promise<void>((r) => (server as Server).close(() => r()));
      server = null;
      const out = await sh(gogoCommand(port, ['scr:list'], 20));
      expect(readGogoAttempt(out, ['scr:list'], []).error).toMatch(
        /^the Gogo shell did not answer: .*Unable to connect to remote host: Connection refused/,
      );
    }, 60_000);
  },
);
