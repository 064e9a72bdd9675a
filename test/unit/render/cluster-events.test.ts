import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/execute/events.js';
import { JsonRenderer } from '../../../src/render/json.js';
import { ListrView } from '../../../src/render/listr.js';
import { PlainRenderer } from '../../../src/render/plain.js';
import type { Renderer } from '../../../src/render/renderer.js';
import { captureIo, feed, readEvents } from './helpers.js';

// The lock, reconcile and status findings are events of the one stream: `--output json` and the
// run record carry them, and the text views print their notes where the operator's notes go
// (stderr), word for word as before they were events.

const at = '2026-03-14T21:59:59.000Z';
const CLUSTER_EVENTS: RunEvent[] = [
  {
    v: 3,
    at,
    kind: 'lock',
    state: 'waiting',
    nodes: ['node1'],
    stepId: 'cluster/lock/node1/lock-take',
    stepIds: ['cluster/lock/node1/lock-take'],
    holder: 'run-0',
    text: "waiting up to 30s (--lock-wait) for the cluster's lock (on node1), held by alice@ws1",
  },
  {
    v: 3,
    at,
    kind: 'lock',
    state: 'taken-over',
    nodes: ['node1'],
    stepId: 'cluster/lock/node1/lock-take-over',
    stepIds: ['cluster/lock/node1/lock-take-over'],
    holder: 'run-1',
    text: 'took over the cluster lock of the interrupted run run-1 (pid 1 on ws1 is no longer running)',
  },
  {
    v: 3,
    at,
    kind: 'lock',
    state: 'taken',
    nodes: ['node1', 'node2'],
    stepId: null,
    stepIds: ['cluster/lock/node1/lock-take', 'cluster/lock/node2/lock-take'],
    holder: 'run-1',
    text: "took the cluster's run lock on node1, node2",
  },
  {
    v: 3,
    at,
    kind: 'reconcile',
    node: 'node2',
    runId: 'run-0',
    result: 'put-back',
    stepId: 'cluster/reconcile/node2/lb-put-back',
    stepIds: [
      'cluster/reconcile/node2/read-app',
      'cluster/reconcile/node2/lb-put-back',
      'cluster/reconcile/node2/lb-wait-up',
    ],
    text:
      'reconciled: node2 left out of the load balancer by run run-0 (updated); healthy, so it was put ' +
      'back and is UP',
  },
  {
    v: 3,
    at,
    kind: 'reconcile',
    node: 'node3',
    runId: 'run-0',
    result: 'left-out',
    stepId: 'cluster/reconcile/node3/read-app',
    stepIds: ['cluster/reconcile/node3/read-app'],
    text: 'WARNING: node3 left out of the load balancer by run run-0; not put back: its app server is not running',
  },
];
const RELEASED: RunEvent = {
  v: 3,
  at: '2026-03-14T22:10:00.000Z',
  kind: 'lock',
  state: 'released',
  nodes: ['node1', 'node2'],
  stepId: null,
  stepIds: ['cluster/lock/node1/lock-release', 'cluster/lock/node2/lock-release'],
  holder: 'run-1',
  text: "released the cluster's run lock on node1, node2",
};
const STATUS_ROW: RunEvent = {
  v: 3,
  at,
  kind: 'node-status',
  row: {
    node: 'node1',
    host: '10.0.0.1',
    reachable: true,
    app: 'running',
    http: '200',
    patches: '-',
    member: 'node1',
    lbState: 'UP',
    lbStates: [{ instance: 'lb', state: 'UP' }],
    lbUp: true,
    sessions: '0',
    problem: null,
    lbError: null,
  },
};
const NOTES = [
  "waiting up to 30s (--lock-wait) for the cluster's lock (on node1), held by alice@ws1",
  'took over the cluster lock of the interrupted run run-1 (pid 1 on ws1 is no longer running)',
  'reconciled: node2 left out of the load balancer by run run-0 (updated); healthy, so it was put back and is UP',
  'WARNING: node3 left out of the load balancer by run run-0; not put back: its app server is not running',
];

/** A run's stream with the lock and reconcile events first and the release last, as app/run.ts emits them. */
const stream = (): RunEvent[] => [...CLUSTER_EVENTS, ...readEvents('rolling-ok.ndjson'), RELEASED];

describe('lock and reconcile events', () => {
  it('match schemas/events.schema.json', () => {
    const schema = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../../schemas/events.schema.json', import.meta.url)), 'utf8'),
    ) as object;
    const validate = new Ajv({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true }).compile(
      schema,
    );
    for (const e of [...CLUSTER_EVENTS, RELEASED, STATUS_ROW])
      expect(validate(e), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...CLUSTER_EVENTS[0], state: 'grabbed' })).toBe(false);
  });

  it.each<[string, (io: ReturnType<typeof captureIo>) => Renderer]>([
    ['plain', (io) => new PlainRenderer(io, { chalk: new Chalk({ level: 0 }), verbose: false })],
    ['listr', (io) => new ListrView(io, { chalk: new Chalk({ level: 0 }), renderer: 'test' })],
    ['json', (io) => new JsonRenderer(io)],
  ])(
    '%s: the notes go to the note stream word for word (a lock taken or released as planned is no ' +
      'news), not into the progress lines',
    async (name, make) => {
      const notes: string[] = [];
      const io = captureIo({ note: (t) => void notes.push(t) });
      await feed(make(io), stream());
      expect(notes.join('')).toBe(NOTES.map((n) => `${n}\n`).join(''));
      // NDJSON carries them inside the events (next test); the text views only on the note stream.
      if (name !== 'json') for (const n of NOTES) expect(io.text()).not.toContain(n);
    },
  );

  it('json: every cluster event is a line of the NDJSON stream', async () => {
    const io = captureIo({ note: () => undefined });
    await feed(new JsonRenderer(io), stream());
    const kinds = io
      .text()
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as RunEvent).kind);
    expect(kinds.slice(0, 5)).toEqual(['lock', 'lock', 'lock', 'reconcile', 'reconcile']);
    expect(kinds.at(-1)).toBe('lock');
  });

  it('without a note stream (a view used on its own), the notes are written with the progress', async () => {
    const io = captureIo();
    await feed(new PlainRenderer(io, { chalk: new Chalk({ level: 0 }), verbose: false }), stream());
    for (const n of NOTES) expect(io.text()).toContain(n);
  });
});
