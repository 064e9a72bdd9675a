import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { runStartOf, type RunEvent, type RunStartEvent, type RunStatus } from '../execute/events.js';
import { LOCAL_TIMINGS } from '../plan/defaults.js';
import { expandPlanJson, planJsonChunks } from '../plan/plan-json.js';
import type { Plan } from '../plan/types.js';

/** Who ran what, when: the head of a run's record. Nothing secret is ever in it. */
export interface RunMeta {
  runId: string;
  planHash: string;
  name: string;
  playbook: string;
  gitCommit: string | null;
  gitDirty: boolean;
  user: string;
  host: string;
  /**
   * The lrroll process of the run (null in records written before it was kept), to tell a live run from an interrupted
   * one.
   */
  pid: number | null;
  startedAt: string;
  /** `running` until the run ends (a crash leaves it so). */
  status: RunStatus | 'running';
  endedAt: string | null;
  /** The nodes of the cluster, to find the runs of a cluster. */
  nodes: string[];
  /** The plan's verdict (`rolling`, `rolling-with-warning`, `full-restart`). */
  verdict: RunStartEvent['verdict'];
  /** The overrides the playbook applied to verdicts, with their reasons and tickets. */
  overrides: RunStartEvent['overrides'];
}

/** Where a node stands according to the record: the last load-balancer state, step and result. */
interface NodeRecord {
  node: string;
  /** `draining`/`out` after a drain, `enabled`/`up` after it came back; null when never touched. */
  lb: 'draining' | 'out' | 'enabled' | 'up' | null;
  lastStep: string | null;
  lastStepStatus: 'started' | 'ok' | 'failed' | 'skipped' | null;
  done: boolean;
  failed: boolean;
  /** Ids of the steps that ended ok. */
  okSteps: string[];
}

/** The folder that holds run records: `$LRROLL_HOME/runs` (default `~/.lrroll/runs`). */
function runsDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.LRROLL_HOME ?? join(env.HOME ?? homedir(), '.lrroll'), 'runs');
}

/** The two file calls that decide the record's cost and durability (injectable, so their use can be observed). */
export interface JournalFile {
  writeSync(fd: number, text: string): unknown;
  fdatasyncSync(fd: number): void;
}

/** How the record reaches the disk. */
interface JournalOptions {
  file?: JournalFile;
  /** At most this long after an output line it is synced even when no state change follows (ms). */
  outputSyncDelayMs?: number;
}

const NODE_FILE: JournalFile = { writeSync: (fd, text) => writeSync(fd, text), fdatasyncSync };

/**
 * Streamed output (a startup log of tens of thousands of lines) is written at once but synced with
 * the next state change: one fdatasync per line made a long log cost seconds of disk waits.
 */
const isOutput = (event: RunEvent): boolean => event.kind === 'step-output';

/**
 * The durable record of a run on the operator's machine: plan.json, meta.json and events.ndjson,
 * folder 0700, files 0600. Every event is written as it happens; a state change (anything but a
 * line of output) is also synced to disk before `record` returns, together with the output lines
 * before it, so a crash of the machine loses at most the last lines of output, never a state change.
 */
export class Journal {
  private fd: number | null;
  readonly dir: string;
  private readonly file: JournalFile;
  private readonly outputSyncDelayMs: number;
  /** Output lines written but not yet synced. */
  private unsynced = false;
  private syncTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * @param resumedFrom the record's head before this resume, or null for a new run: a resume
   *   refused before it touched anything (lock held, window closed) leaves the run as it was, still resumable.
   */
  private constructor(
    dir: string,
    private meta: RunMeta,
    private readonly resumedFrom: RunMeta | null,
    options: JournalOptions,
  ) {
    this.dir = dir;
    this.file = options.file ?? NODE_FILE;
    this.outputSyncDelayMs = options.outputSyncDelayMs ?? LOCAL_TIMINGS.outputSyncDelayMs;
    this.fd = openSync(join(dir, 'events.ndjson'), 'a', 0o600);
  }

  /** Starts the record of a new run, started at `startedAt` (ISO 8601, from the run's clock). */
  static create(
    env: Readonly<Record<string, string | undefined>>,
    plan: Plan,
    runId: string,
    startedAt: string,
    options: JournalOptions = {},
  ): Journal {
    const dir = join(runsDir(env), runId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomic(join(dir, 'plan.json'), [...planJsonChunks(plan, { share: true, space: 0 })].join(''));
    const start = runStartOf(plan, runId);
    const meta: RunMeta = {
      runId,
      planHash: plan.hash,
      name: plan.name,
      playbook: plan.source.file,
      gitCommit: plan.source.gitCommit,
      gitDirty: plan.source.gitDirty,
      user: env.USER ?? userInfo().username,
      host: hostname(),
      pid: process.pid,
      startedAt,
      status: 'running',
      endedAt: null,
      nodes: plan.nodes.map((n) => n.name),
      verdict: start.verdict,
      overrides: start.overrides,
    };
    writeAtomic(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
    return new Journal(dir, meta, null, options);
  }

  /**
   * Reopens the record of an existing run, appending to it; `resumedByPid`: a resume continues the run in this process,
   * so it is `running` again.
   */
  static open(dir: string, resumedByPid?: number, options: JournalOptions = {}): Journal {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
    if (resumedByPid === undefined) return new Journal(dir, meta, null, options);
    const resumed: RunMeta = { ...meta, status: 'running', endedAt: null, pid: resumedByPid, host: hostname() };
    writeAtomic(join(dir, 'meta.json'), JSON.stringify(resumed, null, 2));
    return new Journal(dir, resumed, meta, options);
  }

  /** Appends one event; a state change is on disk (with every line before it) when this returns. */
  record(event: RunEvent): void {
    if (this.fd === null) return;
    this.file.writeSync(this.fd, `${JSON.stringify(event)}\n`);
    if (isOutput(event)) this.syncSoon();
    else this.sync();
    if (event.kind === 'run-end') this.finish(event.status, event.at);
  }

  /** Output is synced with the next state change, or after a short delay when none comes (a long startup). */
  private syncSoon(): void {
    this.unsynced = true;
    if (this.syncTimer !== null) return;
    this.syncTimer = setTimeout(() => this.sync(), this.outputSyncDelayMs);
    this.syncTimer.unref();
  }

  private sync(): void {
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.unsynced = false;
    if (this.fd !== null) this.file.fdatasyncSync(this.fd);
  }

  /** `at`: the run-end event's time, from the run's clock. */
  private finish(status: RunStatus, at: string): void {
    if (status === 'refused' && this.resumedFrom !== null) this.meta = this.resumedFrom;
    else this.meta = { ...this.meta, status, endedAt: at };
    writeAtomic(join(this.dir, 'meta.json'), JSON.stringify(this.meta, null, 2));
  }

  /** Syncs what is not yet on disk and closes the file. */
  close(): void {
    if (this.unsynced) this.sync();
    if (this.syncTimer !== null) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Every recorded run, newest first. */
export function listRuns(env: Readonly<Record<string, string | undefined>>): Array<{ dir: string; meta: RunMeta }> {
  const root = runsDir(env);
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: Array<{ dir: string; meta: RunMeta }> = [];
  for (const name of names) {
    try {
      out.push({
        dir: join(root, name),
        meta: JSON.parse(readFileSync(join(root, name, 'meta.json'), 'utf8')) as RunMeta,
      });
    } catch {
      // not a run folder
    }
  }
  return out.sort((a, b) => (a.meta.startedAt < b.meta.startedAt ? 1 : -1));
}

/** Reads a run's events (a torn last line from a crash is ignored). */
export function readEvents(dir: string): RunEvent[] {
  const text = readFileSync(join(dir, 'events.ndjson'), 'utf8');
  const out: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      break;
    }
  }
  return out;
}

/** Folds a run's events into where each node stands. */
export function nodeRecords(events: readonly RunEvent[], nodes: readonly string[]): Map<string, NodeRecord> {
  const out = new Map<string, NodeRecord>(
    nodes.map((n) => [
      n,
      { node: n, lb: null, lastStep: null, lastStepStatus: null, done: false, failed: false, okSteps: [] },
    ]),
  );
  for (const e of events) {
    const r = 'node' in e && typeof e.node === 'string' ? out.get(e.node) : undefined;
    if (!r) continue;
    if (e.kind === 'lb-state') r.lb = e.state;
    if (e.kind === 'step-start') {
      r.lastStep = e.stepId;
      r.lastStepStatus = 'started';
    }
    if (e.kind === 'step-end') {
      r.lastStep = e.stepId;
      r.lastStepStatus = e.status;
      if (e.status === 'ok') r.okSteps.push(e.stepId);
    }
    if (e.kind === 'node-end') {
      r.done = e.status === 'ok';
      r.failed = e.status !== 'ok';
    }
  }
  return out;
}

/** The head of a run's record (who, when, status). */
export function readMeta(dir: string): RunMeta {
  return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunMeta;
}

/** The plan a run executed, exactly as it was. */
export function readPlan(dir: string): Plan {
  return expandPlanJson(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')));
}
