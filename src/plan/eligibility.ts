/**
 * Judges every change against the eligibility table (SPEC §3, Liferay's matrix): one verdict per
 * change, in three levels. Unknown facts give the safe verdict. A new change type adds its row to
 * eligibility-rows.ts and one case to the switch below (the compiler insists on it).
 */
import type { ArtifactFacts } from '../artifacts/types.js';
import type {
  AppServerChange,
  Change,
  CustomChange,
  JavaChange,
  JvmSettingsChange,
  OsUpgradeChange,
  PortalPropertiesChange,
} from '../playbook/playbook.generated.js';
import { judgeBundle } from './eligibility-bundle.js';
import { judgePatch, judgeRevert } from './eligibility-patch.js';
import { judgeRelease, withHotfixRelease } from './eligibility-releases.js';
import { ROWS } from './eligibility-rows.js';
import { factUse, FactsIndex, type NodeValue } from './facts.js';
import type { ChangeVerdict } from './types.js';
import { because, refuse, restsOn, startVerdict, warn } from './verdict.js';
import { describeMove, javaMajor, javaMove, versionMove } from '../domain/versions.js';

/** Inputs of the eligibility judgement: the changes and the facts gathered about their artifacts and nodes. */
interface EligibilityInput {
  changes: readonly Change[];
  /** Facts keyed by the artifact path as written in the playbook. */
  artifacts: ReadonlyMap<string, ArtifactFacts>;
  /** Fix pack levels known to break rolling restarts (shipped list; changes may add their own). */
  breakingLevels: readonly string[];
  /** What is known about each node (declared or gathered); empty when nothing is. */
  facts?: FactsIndex;
}

/** Judges every change against the eligibility table; unknown facts give the safe verdict. */
export function judgeChanges(input: EligibilityInput): ChangeVerdict[] {
  const facts = input.facts ?? new FactsIndex([]);
  return input.changes.map((change, index) => judgeChange(change, index, input, facts));
}

function judgeChange(change: Change, index: number, input: EligibilityInput, facts: FactsIndex): ChangeVerdict {
  const rule = (summary: string, row: string, reason: string): ChangeVerdict =>
    because(startVerdict(index, change.type, summary, row), reason);
  const patchCtx = (artifact: string | undefined) => ({
    artifact: artifact === undefined ? undefined : input.artifacts.get(artifact),
    breakingLevels: input.breakingLevels,
    facts,
  });
  switch (change.type) {
    case 'module':
    case 'theme':
      return judgeBundle(change, index, input.artifacts.get(change.artifact), facts);
    case 'fixpack':
    case 'hotfix':
      return withHotfixRelease(judgePatch(change, index, patchCtx(change.artifact)), change);
    case 'fixpack-revert':
      return judgeRevert(change, index, patchCtx(change.artifact));
    case 'portal-properties':
      return judgeProperties(
        change,
        rule(
          'portal-ext.properties change',
          ROWS.config,
          'Portal property changes can be applied in rolling restarts.',
        ),
        input.artifacts,
      );
    case 'osgi-config':
      return rule(
        'osgi/configs files',
        ROWS.config,
        'System Settings configuration files can be applied in rolling restarts.',
      );
    case 'jvm-settings':
      return judgeJvmSettings(
        change,
        rule('JVM settings (setenv.sh)', ROWS.appServer, 'JVM setting changes can be applied in rolling restarts.'),
        input.artifacts,
      );
    case 'app-server':
      return judgeAppServer(change, index, facts);
    case 'java':
      return judgeJava(change, index, facts);
    case 'activation-key':
      return rule(
        'activation key',
        ROWS.activationKey,
        'Activation keys can be applied in rolling restarts (blue-green only with virtual cluster keys).',
      );
    case 'os-upgrade':
      return judgeOsUpgrade(change, index);
    case 'restart':
      return rule(
        change.reason ? `restart only: ${change.reason}` : 'restart only',
        ROWS.restart,
        'Restarting nodes one by one changes nothing they share.',
      );
    case 'release':
      return judgeRelease(change, index, input.artifacts);
    case 'custom':
      return judgeCustom(change, index);
  }
}

function judgeJava(change: JavaChange, index: number, facts: FactsIndex): ChangeVerdict {
  const out = startVerdict(index, change.type, `Java ${change.from ?? '?'} → ${change.to}`, ROWS.javaMinor);
  const values: NodeValue[] =
    change.from !== undefined ? [{ node: 'every node', value: change.from, source: 'declared' }] : facts.java();
  const use = factUse('Java version the app server runs', values, 'unknown');
  restsOn(out, use);
  if (use.source === 'unknown') {
    return refuse(
      out,
      'unknown-fact',
      'The current Java version is not known (`from` is not declared, and no node fact says it), so a ' +
        'major update cannot be ruled out: declare `from`, or the node fact `java`, or gather facts ' +
        'with `lrroll facts`.',
      ROWS.unknown,
    );
  }
  if (change.from === undefined) out.summary = `Java ${use.values.map((v) => v.value).join(' / ')} → ${change.to}`;
  const basis = change.from !== undefined ? 'declaration' : 'node-facts';
  out.preflightChecks.push(
    `nodes must run Java ${use.values.map((v) => v.value).join(' / ')} now, and ${change.javaHome}` +
      ` must hold Java ${change.to}`,
  );
  for (const { value: from, nodes } of use.values) {
    const move = javaMove(from, change.to);
    const where = use.values.length > 1 ? ` on ${nodes.join(', ')}` : '';
    if (move.level === 'major') {
      refuse(
        out,
        basis,
        `Java ${from} → ${change.to}${where} is ${describeMove(move)} (${javaMajor(from)} → ` +
          `${javaMajor(change.to)}): it must be done with all cluster nodes shut down.`,
        ROWS.never,
      );
    } else if (move.level === 'minor') {
      warn(
        out,
        `Java ${from} → ${change.to}${where} is ${describeMove(move)}` +
          `: it can be rolled; nodes on the new JVM serve ` +
          `next to nodes on the old one until the last is done.`,
      );
    } else {
      because(out, `Java ${change.to} already runs${where}: the JDK home changes, not the version.`);
    }
  }
  if (out.level !== 'full-restart')
    because(
      out,
      `Java ${use.values.map((v) => v.value).join(' / ')} → ${change.to} stays on major version ` +
        `${javaMajor(change.to)}.`,
      basis,
    );
  return out;
}

function judgeAppServer(change: AppServerChange, index: number, facts: FactsIndex): ChangeVerdict {
  const what = [
    change.files?.length ? `${change.files.length} file(s)` : '',
    change.commands?.length ? `${change.commands.length} command(s)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const out = startVerdict(
    index,
    change.type,
    change.version ? `app server → ${change.version}${what ? ` (${what})` : ''}` : `app server ${what}`,
    ROWS.appServer,
  );
  because(out, 'Application server updates can be applied in rolling restarts.');
  if (!change.version) return out;
  const use = factUse('app server version', facts.appServer(), 'unknown');
  restsOn(out, use);
  if (use.source === 'unknown')
    return warn(
      out,
      `The app server moves to ${change.version}; the installed version is not known (declare ` +
        `the node fact \`appServer\` or gather facts to see the move).`,
    );
  for (const { value: from, nodes } of use.values) {
    const move = versionMove(from, change.version);
    const where = use.values.length > 1 ? ` on ${nodes.join(', ')}` : '';
    if (move.direction === 'none') because(out, `The app server runs ${from} already${where}.`);
    else
      warn(
        out,
        `The app server moves ${from} → ${change.version}${where} (${describeMove(move)})` +
          (move.level === 'major' ? ': check that this Liferay release supports that app server major version' : '') +
          `.`,
      );
  }
  return out;
}

function judgeOsUpgrade(change: OsUpgradeChange, index: number): ChangeVerdict {
  const target = change.target ? ` to ${change.target.id} ${change.target.version}` : '';
  return refuse(
    startVerdict(index, change.type, `operating system upgrade${target}`, ROWS.never),
    'rule',
    `An OS upgrade${target} must be done with all cluster nodes shut down: use \`strategy: full\`.`,
  );
}

function judgeCustom(change: CustomChange, index: number): ChangeVerdict {
  const out = startVerdict(index, change.type, change.name, ROWS.custom);
  if (change.clusterCode)
    return refuse(
      out,
      'declaration',
      'Declared `clusterCode: true`: cluster communication must stay intact in a rolling restart; run ' +
        'it with `strategy: full`.',
      ROWS.never,
    );
  if (change.rollingSafe)
    return because(out, 'Declared `rollingSafe: true`: old and new nodes may serve side by side.', 'declaration');
  return refuse(out, 'declaration', 'Declared `rollingSafe: false`: run it with `strategy: full`.');
}

const CLUSTER_KEYS = /^cluster\.link\./;

function judgeProperties(
  change: PortalPropertiesChange,
  out: ChangeVerdict,
  artifacts: ReadonlyMap<string, ArtifactFacts>,
): ChangeVerdict {
  if (change.source !== undefined) {
    const keys = artifacts.get(change.source)?.config?.keys ?? [];
    out.summary = `portal-ext.properties from ${change.source} (${keys.length} keys)`;
    const cluster = keys.filter((k) => CLUSTER_KEYS.test(k));
    if (cluster.length > 0)
      out.advice.push(
        `The shipped file sets Cluster Link keys (${cluster.join(', ')}` +
          `): if they differ from what the running nodes use, old and new nodes may not form one ` +
          `cluster while rolling.`,
      );
    return out;
  }
  const keys = [...Object.keys(change.set ?? {}), ...(change.unset ?? [])].filter((k) => CLUSTER_KEYS.test(k));
  if (keys.length > 0)
    warn(
      out,
      `${keys.join(', ')} change Cluster Link: old and new nodes must ` +
        `still be able to form one cluster while rolling, or use \`strategy: full\`.`,
    );
  return out;
}

function judgeJvmSettings(
  change: JvmSettingsChange,
  out: ChangeVerdict,
  artifacts: ReadonlyMap<string, ArtifactFacts>,
): ChangeVerdict {
  if (change.source === undefined) return out;
  const config = artifacts.get(change.source)?.config;
  out.summary = `setenv.sh from ${change.source}`;
  if (!config) return out;
  because(
    out,
    config.jvmOptions.length > 0
      ? `JVM options read from ${change.source}: ${config.jvmOptions.join(' ')}.`
      : `${change.source} adds no JVM options to CATALINA_OPTS or JAVA_OPTS.`,
  );
  const jvm = config.variables.filter((v) => v === 'JAVA_HOME' || v === 'JRE_HOME');
  if (jvm.length > 0)
    warn(
      out,
      `${change.source} sets ${jvm.join(' and ')}: this also changes the JVM the app server ` +
        `runs, which this change does not judge; a \`java\` change judges the version move.`,
    );
  return out;
}
