import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { ConnectionError, LrrollError } from '../../../src/errors/errors.js';
import type { RunEvent, StepEndEvent } from '../../../src/execute/events.js';
import { runRemote } from '../../../src/execute/run-step.js';
import type { ExecResult, Transport } from '../../../src/execute/transport.js';
import { PlainRenderer } from '../../../src/render/plain.js';
import { createHarness, loadPlan } from '../../helpers/fake-transport.js';
import { captureIo, feed } from '../render/helpers.js';

// One step runner: every remote action ends as an outcome of the same shape, and a failure keeps its
// code and its hint all the way to the step-end event and the renderers.

const REFUSED_HINT = 'check that the host is up and that sshd listens on that port';

/** A transport whose commands end as given, or whose connection fails with `error`. */
function transport(result: Partial<ExecResult> | Error): Transport {
  return {
    describe: 'test',
    connect: async () => undefined,
    exec: async () => {
      if (result instanceof Error) throw result;
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false, aborted: false, durationMs: 1, ...result };
    },
    put: async () => {
      if (result instanceof Error) throw result;
    },
    close: async () => undefined,
  };
}

const command = (t: Transport) =>
  runRemote({
    kind: 'command',
    transport: t,
    command: 'true',
    what: 'the start command',
    options: { timeoutMs: 1000 },
  });

describe('runRemote', () => {
  it('ends every kind of command the same shape, each failure with its own code', async () => {
    expect(await command(transport({ stdout: 'fine\n' }))).toMatchObject({
      ok: true,
      code: null,
      hint: null,
      exitCode: 0,
      stdout: 'fine\n',
      detail: null,
    });
    expect(await command(transport({ exitCode: 3, stderr: 'a\nb\nc\nd: broken\n' }))).toMatchObject({
      ok: false,
      code: 'E_STEP_FAILED',
      exitCode: 3,
      stderrTail: 'b | c | d: broken',
      detail: 'the start command exited with code 3: d: broken',
    });
    expect(await command(transport({ exitCode: null, timedOut: true }))).toMatchObject({
      ok: false,
      code: 'E_TIMEOUT',
      detail: 'the start command did not finish in time and was stopped',
    });
    expect(await command(transport({ exitCode: null, aborted: true }))).toMatchObject({ ok: false, code: 'E_ABORTED' });
    const lost = await command(transport({ exitCode: null, stderr: 'Connection reset' }));
    expect(lost).toMatchObject({
      ok: false,
      code: 'E_CONNECT',
      detail: 'the start command exited with no exit code (connection lost): Connection reset',
    });
    expect(lost.hint).toMatch(/lrroll resume/);
  });

  it('keeps the code and hint of a connection that cannot be opened (it throws in the transport)', async () => {
    const refused = new ConnectionError(
      'E_CONNECT',
      'cannot connect to liferay@127.0.0.1:2222: connect ECONNREFUSED 127.0.0.1:2222',
      REFUSED_HINT,
    );
    const r = await command(transport(refused));
    expect(r).toMatchObject({
      ok: false,
      code: 'E_CONNECT',
      hint: REFUSED_HINT,
      exitCode: null,
      detail: 'the start command: cannot connect to liferay@127.0.0.1:2222: connect ECONNREFUSED 127.0.0.1:2222',
    });
    const auth = await runRemote({
      kind: 'upload',
      transport: transport(new ConnectionError('E_AUTH', 'cannot log in', 'check the key')),
      localPath: 'a',
      remotePath: 'b',
      timeoutMs: 1000,
      what: 'the upload',
    });
    expect(auth).toMatchObject({ ok: false, code: 'E_AUTH', hint: 'check the key' });
  });

  it('a load-balancer call that throws is E_LB, unless it carries its own code', async () => {
    expect(await runRemote({ kind: 'lb-call', what: 'drain', call: async () => 'done' })).toMatchObject({
      ok: true,
      stdout: 'done',
    });
    expect(
      await runRemote({
        kind: 'lb-call',
        what: 'drain',
        call: () => Promise.reject(new Error('GET /balancer-manager failed: 500')),
      }),
    ).toMatchObject({ ok: false, code: 'E_LB', detail: 'GET /balancer-manager failed: 500' });
    expect(
      await runRemote({
        kind: 'lb-call',
        what: 'status',
        call: () => Promise.reject(new LrrollError('E_SECRET_MISSING', 'no TOKEN', 'export TOKEN')),
      }),
    ).toMatchObject({ code: 'E_SECRET_MISSING', hint: 'export TOKEN' });
  });
});

describe('a node whose SSH port refuses', () => {
  it(
    'fails its reachability check with E_CONNECT and the transport’s hint, in the event and in the ' + 'plain output',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const refused = new ConnectionError(
        'E_CONNECT',
        'cannot connect to node3: connect ECONNREFUSED 10.0.0.13:22',
        REFUSED_HINT,
      );
      const h = createHarness(plan);
      const fake = h.deps.transportFor;
      h.deps.transportFor = (node) => (node.name === 'node3' ? transport(refused) : fake(node));
      await h.run();
      const end = h.events.find(
        (e): e is StepEndEvent => e.kind === 'step-end' && e.node === 'node3' && e.status === 'failed',
      );
      expect(end).toMatchObject({ code: 'E_CONNECT', hint: REFUSED_HINT });
      expect(end?.detail).toMatch(/ECONNREFUSED/);
      const io = captureIo();
      await feed(new PlainRenderer(io, { chalk: new Chalk({ level: 0 }), verbose: false }), h.events as RunEvent[]);
      expect(io.text()).toMatch(new RegExp(`\\[E_CONNECT\\][\\s\\S]*hint: ${REFUSED_HINT}`));
    },
  );
});
