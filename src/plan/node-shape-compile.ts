// Nodes alike compiled once: the first node of each shape (node-shapes.ts) is compiled as itself and again with
// tokens for who it is, a template; every other node of the shape gets the template with its own values put in — a
// copy instead of a compile, which is most of planning a large cluster. The template is used only when it gives the
// first node exactly its own compile, with no diagnostic either way, no token-like text in the node's own steps and
// none of the node's own values left in the template; otherwise every node of the shape is compiled as itself.
import type { Diagnostic } from '../errors/diagnostics.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import { HookBuilder } from './compile-parts.js';
import { compileNode, type NodeAt, type NodeCompileContext, type NodeCompiled } from './node-compile.js';
import {
  BATCH_TOKEN,
  batchTokens,
  materialise,
  objectsOf,
  ownForms,
  prepare,
  sameData,
  someText,
  TokenFacts,
  tokenEntry,
  tokenLike,
  type BatchTokens,
  type Bindings,
  type OwnForms,
  type Prepared,
} from './node-shapes.js';
import { resolveNodes, type ResolvedNode } from './nodes.js';
import { Templater } from './scope.js';

/** How many nodes were compiled as themselves and how many from a template (for tests and benchmarks). */
export interface ShapeStats {
  compiled: number;
  fromTemplate: number;
  /** Shapes whose template was not used, by the reason (a template that differs should never happen). */
  refused: Record<string, number>;
}

/** A shape's template, or why its nodes are compiled one by one. */
type Template =
  | {
      compiled: NodeCompiled;
      prepared: Prepared;
      /** The template's placeholders for its batch's lists. */
      startOrder: object;
      outside: object | null;
    }
  | { refused: string };

/** A batch's tokens and the number of their cut (its names' runs and separators) among the run's batches. */
type KindedBatch = BatchTokens & { kind: number };

/** What resolving a node again (with tokens) needs. */
export interface Resolving {
  inventory: NormalizedInventory;
  vars: Readonly<Record<string, string>>;
  members: Readonly<Record<string, string>> | null;
}

export class ShapeCompiler {
  readonly stats: ShapeStats = { compiled: 0, fromTemplate: 0, refused: {} };
  private readonly templates = new Map<string, Template>();
  private readonly batches = new Map<readonly string[], KindedBatch>();
  /** Each distinct cut of a batch's names into tokens, numbered. */
  private readonly batchKinds = new Map<string, number>();
  private readonly clusterGate: boolean;
  private readonly names: Set<string>;

  constructor(
    private readonly ctx: NodeCompileContext,
    /** Null: compile every node as itself. */
    private readonly resolving: Resolving | null,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.clusterGate = ctx.playbook.health?.cluster?.enabled === true;
    this.names = new Set(ctx.clusterNodes);
  }

  compile(node: ResolvedNode, at: NodeAt): NodeCompiled {
    if (!this.resolving) {
      this.stats.compiled += 1;
      return compileNode(this.ctx, node, at);
    }
    const batch = this.batchOf(at.startOrder);
    const forms = ownForms(node.plan.name, node.entry.node.host, node.plan.member);
    const key = batch.forms && forms ? this.key(node, at, batch, forms) : null;
    const template = key === null ? { refused: 'names' } : this.templates.get(key);
    if (template === undefined) {
      const before = this.diagnostics.length;
      const own = compileNode(this.ctx, node, at);
      this.stats.compiled += 1;
      const made =
        this.diagnostics.length > before
          ? { refused: 'diagnostics' }
          : this.template(node, at, batch, forms as OwnForms, own);
      this.templates.set(key as string, made);
      if ('refused' in made) this.stats.refused[made.refused] = (this.stats.refused[made.refused] ?? 0) + 1;
      return own;
    }
    if ('refused' in template) {
      this.stats.compiled += 1;
      return compileNode(this.ctx, node, at);
    }
    this.stats.fromTemplate += 1;
    return materialise(template.compiled, template.prepared, bindings(forms as OwnForms, at, batch, template));
  }

  /**
   * The shape: what decides the node's steps besides who it is (node-shapes.ts). Its values and its batch's names count
   * by how they are cut into tokens (runs of digits or letters, the separators between them), the batch by a number for
   * its names' cut (written once per batch, not per node).
   */
  private key(node: ResolvedNode, at: NodeAt, batch: KindedBatch, forms: OwnForms): string {
    const { name, host: _host, member: _member, ...settings } = node.entry.node;
    const facts = this.ctx.facts.of(name);
    return JSON.stringify({
      settings,
      name: forms.name,
      host: forms.host,
      member: forms.member,
      facts: facts ? { ...facts, node: null } : null,
      batch: batch.kind,
      place: this.clusterGate ? at.startOrder.indexOf(name) : null,
      outside: at.outside
        ? {
            size: at.outside.length,
            members: at.outside.some((o) => o.member !== null),
            probes: at.outside.some((o) => o.probe !== null),
          }
        : null,
    });
  }

  private batchOf(names: readonly string[]): KindedBatch {
    let b = this.batches.get(names);
    if (!b) {
      const tokens = batchTokens(names);
      const cut = tokens.forms?.join(',') ?? '';
      let kind = this.batchKinds.get(cut);
      if (kind === undefined) this.batchKinds.set(cut, (kind = this.batchKinds.size));
      this.batches.set(names, (b = { ...tokens, kind }));
    }
    return b;
  }

  /** The node compiled with tokens, and whether it may stand for its shape. */
  private template(node: ResolvedNode, at: NodeAt, batch: BatchTokens, forms: OwnForms, own: NodeCompiled): Template {
    const name = node.plan.name;
    const resolving = this.resolving as Resolving;
    // The run's and the batch's lists (thousands of names in a large cluster) are kept or put in whole, never read
    // through: a template is made in the time of a node's compile.
    const outside = at.outside ? [at.outside] : [];
    const ownLists = new Set<object>([this.ctx.clusterNodes, at.startOrder, ...outside]);
    if (someText(own, tokenLike, ownLists)) return { refused: 'token-like text' };
    const scratch: Diagnostic[] = [];
    const templater = new Templater(scratch);
    const [tokenNode] = resolveNodes(
      this.ctx.playbook,
      { ...resolving.inventory, nodes: [tokenEntry(node.entry, forms)] },
      resolving.vars,
      resolving.members,
      templater,
    );
    // The cluster gate finds the node in its batch's start order: there it is written as elsewhere.
    // Only a batch whose names all have a token form gets a key (compile).
    const startOrder = (batch.forms as string[]).map((f, i) =>
      this.clusterGate && at.startOrder[i] === name ? forms.name : f,
    );
    const compiled = compileNode(
      {
        ...this.ctx,
        templater,
        hooks: new HookBuilder(this.ctx.playbook, templater, this.ctx.sourceMap),
        facts: new TokenFacts(this.ctx.facts, forms.name, name),
      },
      tokenNode as ResolvedNode,
      { batch: BATCH_TOKEN, startOrder, outside: at.outside },
    );
    if (scratch.length > 0) return { refused: 'diagnostics' };
    const placeholders = new Set<object>([startOrder, ...outside]);
    const lists = new Set<object>([this.ctx.clusterNodes, ...placeholders]);
    // What the template shares with the node's own compile is the run's (the cluster's list of nodes …): kept.
    const owned = objectsOf(own, ownLists);
    const kept = new Set([...objectsOf(compiled, lists)].filter((o) => owned.has(o)));
    kept.add(this.ctx.clusterNodes);
    // The node's own values must all have become tokens: one left would be put in every other node's steps.
    const mine = [name, node.plan.host, node.plan.member].filter((v): v is string => !!v);
    const leaks = (text: string): boolean => this.names.has(text) || mine.some((v) => text.includes(v));
    if (someText(compiled, leaks, new Set([...kept, ...lists]))) return { refused: 'own values left' };
    const template = {
      compiled,
      prepared: prepare(compiled, placeholders, kept),
      startOrder,
      outside: at.outside,
    };
    if (!sameData(materialise(compiled, template.prepared, bindings(forms, at, batch, template)), own))
      return { refused: 'differs' };
    return template;
  }
}

/** What the template's tokens and placeholders stand for in one node of its shape. */
function bindings(
  forms: OwnForms,
  at: NodeAt,
  batch: BatchTokens,
  t: { startOrder: object; outside: object | null },
): Bindings {
  const objects = new Map<object, object>([[t.startOrder, at.startOrder as string[]]]);
  if (t.outside && at.outside) objects.set(t.outside, at.outside as object);
  return { own: forms.values, batch: batch.values, batchNumber: at.batch, objects };
}
