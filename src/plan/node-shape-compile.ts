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
  signature,
  someText,
  TokenFacts,
  tokenEntry,
  tokenLike,
  type BatchTokens,
  type Bindings,
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

/** What resolving a node again (with tokens) needs. */
export interface Resolving {
  inventory: NormalizedInventory;
  vars: Readonly<Record<string, string>>;
  members: Readonly<Record<string, string>> | null;
}

export class ShapeCompiler {
  readonly stats: ShapeStats = { compiled: 0, fromTemplate: 0, refused: {} };
  private readonly templates = new Map<string, Template>();
  private readonly batches = new Map<readonly string[], BatchTokens>();
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
    const key = batch.forms === null ? null : this.key(node, at, batch);
    const template = key === null ? { refused: 'names' } : this.templates.get(key);
    if (template === undefined) {
      const before = this.diagnostics.length;
      const own = compileNode(this.ctx, node, at);
      this.stats.compiled += 1;
      const made = this.diagnostics.length > before ? { refused: 'diagnostics' } : this.template(node, at, batch, own);
      this.templates.set(key as string, made);
      if ('refused' in made) this.stats.refused[made.refused] = (this.stats.refused[made.refused] ?? 0) + 1;
      return own;
    }
    const bindings = 'refused' in template ? null : this.bindings(node, at, batch, template);
    if ('refused' in template || !bindings) {
      this.stats.compiled += 1;
      return compileNode(this.ctx, node, at);
    }
    this.stats.fromTemplate += 1;
    return materialise(template.compiled, template.prepared, bindings);
  }

  /** The shape: what decides the node's steps besides who it is (node-shapes.ts). */
  private key(node: ResolvedNode, at: NodeAt, batch: BatchTokens): string | null {
    const { name, host, member: _member, ...settings } = node.entry.node;
    const facts = this.ctx.facts.of(name);
    return JSON.stringify({
      settings,
      name: signature(name),
      host: host === undefined ? null : signature(host),
      member: node.plan.member === null ? null : signature(node.plan.member),
      facts: facts ? { ...facts, node: null } : null,
      batch: batch.signature,
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

  private batchOf(names: readonly string[]): BatchTokens {
    let b = this.batches.get(names);
    if (!b) this.batches.set(names, (b = batchTokens(names)));
    return b;
  }

  /** The node compiled with tokens, and whether it may stand for its shape. */
  private template(node: ResolvedNode, at: NodeAt, batch: BatchTokens, own: NodeCompiled): Template {
    const name = node.plan.name;
    const resolving = this.resolving as Resolving;
    const forms = ownForms(name, node.entry.node.host, node.plan.member);
    if (!forms || !batch.forms) return { refused: 'values' };
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
    const startOrder = batch.forms.map((f, i) => (this.clusterGate && at.startOrder[i] === name ? forms.name : f));
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
    const bindings = this.bindings(node, at, batch, template);
    if (!bindings || !sameData(materialise(compiled, template.prepared, bindings), own)) return { refused: 'differs' };
    return template;
  }

  private bindings(
    node: ResolvedNode,
    at: NodeAt,
    batch: BatchTokens,
    t: { startOrder: object; outside: object | null },
  ): Bindings | null {
    const forms = ownForms(node.plan.name, node.entry.node.host, node.plan.member);
    if (!forms) return null;
    const objects = new Map<object, object>([[t.startOrder, at.startOrder as string[]]]);
    if (t.outside && at.outside) objects.set(t.outside, at.outside as object);
    return { own: forms.values, batch: batch.values, batchNumber: at.batch, objects };
  }
}
