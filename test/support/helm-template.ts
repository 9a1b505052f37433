import { stringify } from 'yaml';

/**
 * Renders the small subset of Helm's template language that deploy/helm/locus uses, so that
 * the chart is tested where helm itself cannot be installed. Anything outside the subset is
 * an error, never passed through:
 *
 *   {{ .Values.a.b }} {{ .Release.Name }} {{ .Release.Namespace }} {{ .Chart.Name }} {{ .Chart.AppVersion }}
 *   {{ "literal" }} {{ `raw literal` }}  {{ x | quote }}  {{ x | default y }}  {{ required "why" x }}  {{ toYaml x | nindent n }}  {{ x | toYaml | indent n }}
 *   {{- if x }} … {{- else if y }} … {{- else }} … {{- end }} with not, and, or, eq, ne
 *   {{- /* comment *\/ -}} and the `{{-` / `-}}` whitespace trimming
 *   {{ .Files.Get "path" }} (a file of the chart; a missing one is an error, where Helm gives "")
 *
 * As in Helm, a value missing at the end of a path is empty in a condition; printing one, or
 * reading through a missing map, is an error here (Helm would print nothing: a typo's symptom).
 */
export interface Scope {
  readonly Values: unknown;
  readonly Release: { readonly Name: string; readonly Namespace: string; readonly Service: string };
  readonly Chart: { readonly Name: string; readonly Version: string; readonly AppVersion: string };
  /** The chart's files other than templates, by path from the chart's directory. */
  readonly Files?: { Get(path: string): string };
}

type Node = { kind: 'text'; text: string } | { kind: 'print'; expr: string } | { kind: 'if'; branches: { cond: string | undefined; body: Node[] }[] };

const MISSING = Symbol('missing');
type Value = unknown;

export class TemplateError extends Error {}

/** Splits into text and actions, applying the trim markers. */
function lex(source: string): ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] {
  const out: ({ kind: 'text'; text: string } | { kind: 'action'; body: string })[] = [];
  let at = 0;
  let trimNext = false;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    let text = source.slice(at, open === -1 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      out.push({ kind: 'text', text });
      break;
    }
    const close = closeOf(source, open + 2);
    if (close === -1) throw new TemplateError(`unclosed action at offset ${open}`);
    let body = source.slice(open + 2, close);
    if (body.startsWith('-')) {
      if (!/^-\s/.test(body)) throw new TemplateError(`"{{-" needs a space after it at offset ${open}`);
      text = text.replace(/\s+$/, '');
      body = body.slice(1);
    }
    trimNext = body.endsWith('-') && /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    out.push({ kind: 'text', text }, { kind: 'action', body: body.trim() });
    at = close + 2;
  }
  return out;
}

/** Where the action from `from` closes: the first `}}` outside its string literals ("…" and `…`), or -1. */
function closeOf(source: string, from: number): number {
  for (let at = from; at < source.length; at++) {
    const c = source[at];
    if (c === '}' && source[at + 1] === '}') return at;
    if (c === '`') at = source.indexOf('`', at + 1);
    else if (c === '"') {
      for (at++; at < source.length && source[at] !== '"'; at++) if (source[at] === '\\') at++;
    }
    if (at === -1 || at >= source.length) return -1;
  }
  return -1;
}

function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'if' }>; body: Node[] }[] = [];
  const current = () => stack.at(-1)?.body ?? root;
  for (const token of lex(source)) {
    if (token.kind === 'text') {
      if (token.text) current().push({ kind: 'text', text: token.text });
      continue;
    }
    const body = token.body;
    if (body.startsWith('/*')) {
      if (!body.endsWith('*/')) throw new TemplateError(`unclosed comment: ${body}`);
      continue;
    }
    const keyword = /^(if|else if|else|end|range|with|define|include|template|block)\b\s*(.*)$/s.exec(body);
    if (!keyword) {
      current().push({ kind: 'print', expr: body });
      continue;
    }
    const [, word, rest] = keyword;
    if (word === 'if') {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', branches: [{ cond: rest!, body: [] }] };
      current().push(node);
      stack.push({ node, body: node.branches[0]!.body });
    } else if (word === 'else if' || word === 'else') {
      const top = stack.pop();
      if (!top) throw new TemplateError(`{{ ${body} }} without an if`);
      if (top.node.branches.at(-1)!.cond === undefined) throw new TemplateError(`{{ ${body} }} after an else`);
      const branch = { cond: word === 'else' ? undefined : rest!, body: [] as Node[] };
      top.node.branches.push(branch);
      stack.push({ node: top.node, body: branch.body });
    } else if (word === 'end') {
      if (!stack.pop()) throw new TemplateError('{{ end }} without an if');
    } else throw new TemplateError(`{{ ${word} }} is outside the subset this renderer knows`);
  }
  if (stack.length) throw new TemplateError('an if is never closed with {{ end }}');
  return root;
}

/** Splits an expression into words, keeping string literals and parenthesised groups whole. */
function words(expr: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\((?:[^()"]|"(?:[^"\\]|\\.)*")*\)|[^\s()"`]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(expr))) {
    out.push(m[1]!);
    end = re.lastIndex;
  }
  if (expr.slice(end).trim() !== '') throw new TemplateError(`cannot read "${expr}"`);
  return out;
}

const truthy = (v: Value): boolean => {
  if (v === MISSING || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
};

function lookup(scope: Scope, path: string): Value {
  const parts = path.split('.').slice(1);
  if (!['Values', 'Release', 'Chart'].includes(parts[0] ?? '')) throw new TemplateError(`unknown root in "${path}"`);
  let v: Value = scope;
  for (const [i, part] of parts.entries()) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TemplateError(`"${path}": ${parts.slice(0, i).join('.')} is not a map`);
    if (!(part in v)) {
      if (i === parts.length - 1) return MISSING;
      throw new TemplateError(`"${path}": ${parts.slice(0, i + 1).join('.')} is missing`);
    }
    v = (v as Record<string, Value>)[part];
  }
  return v;
}

const number = (v: Value, fn: string): number => {
  if (typeof v !== 'number' && !(typeof v === 'string' && /^\d+$/.test(v))) throw new TemplateError(`${fn} wants a number, got ${String(v)}`);
  return Number(v);
};

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  quote: ([v]) => JSON.stringify(v === MISSING || v === null || v === undefined ? '' : String(v)),
  toYaml: ([v]) => (v === MISSING ? '' : stringify(v, { lineWidth: 0 }).replace(/\n$/, '')),
  nindent: ([n, v]) => `\n${FUNCTIONS.indent!([n, v]) as string}`,
  indent: ([n, v]) =>
    String(v)
      .split('\n')
      .map((l) => ' '.repeat(number(n, 'indent')) + l)
      .join('\n'),
  default: ([fallback, v]) => (truthy(v) ? v : fallback),
  required: ([message, v]) => {
    if (!truthy(v)) throw new TemplateError(String(message));
    return v;
  },
  not: ([v]) => !truthy(v),
  and: (args) => args.every(truthy),
  or: (args) => args.some(truthy),
  eq: ([a, b]) => a === b,
  ne: ([a, b]) => a !== b,
};
const ARITY: Record<string, number> = { required: 2, quote: 1, toYaml: 1, nindent: 2, indent: 2, default: 2, not: 1, eq: 2, ne: 2 };

function term(scope: Scope, word: string): Value {
  if (word.startsWith('"')) return JSON.parse(word) as string;
  if (word.startsWith('`')) return word.slice(1, -1);
  if (word.startsWith('(')) return evaluate(scope, word.slice(1, -1));
  if (/^-?\d+$/.test(word)) return Number(word);
  if (word === 'true' || word === 'false') return word === 'true';
  if (word.startsWith('.')) return lookup(scope, word);
  throw new TemplateError(`"${word}" is outside the subset this renderer knows`);
}

/** A pipeline's stages: split at each ` | ` outside string literals. */
const stages = (expr: string): string[] => expr.match(/(?:"(?:[^"\\]|\\.)*"|`[^`]*`|[^"`|]|\|(?!\s)|(?<!\s)\|)+/g) ?? [];

/** A pipeline: `a | f x | g`, where each stage's result is the last argument of the next. */
function evaluate(scope: Scope, expr: string): Value {
  let value: Value = MISSING;
  let first = true;
  for (const stage of stages(expr)) {
    const [head, ...rest] = words(stage.trim());
    if (head === undefined) throw new TemplateError(`empty pipeline stage in "${expr}"`);
    const args = rest.map((w) => term(scope, w));
    if (!first) args.push(value);
    if (head === '.Files.Get' && first) {
      if (args.length !== 1 || typeof args[0] !== 'string') throw new TemplateError(`.Files.Get takes a path, in "${expr}"`);
      if (!scope.Files) throw new TemplateError(`no chart files to read ${args[0]} from`);
      value = scope.Files.Get(args[0]);
    } else if (head in FUNCTIONS) {
      const arity = ARITY[head];
      if (arity !== undefined && args.length !== arity) throw new TemplateError(`${head} takes ${arity} argument(s), got ${args.length} in "${expr}"`);
      value = FUNCTIONS[head]!(args);
    } else if (first && rest.length === 0) value = term(scope, head);
    else throw new TemplateError(`"${head}" is outside the subset this renderer knows`);
    first = false;
  }
  return value;
}

function print(v: Value, expr: string): string {
  if (v === MISSING || v === undefined) throw new TemplateError(`"${expr}" is missing from the values`);
  if (v === null) return 'null';
  if (typeof v === 'object') throw new TemplateError(`"${expr}" is a map or list: render it with toYaml`);
  return String(v);
}

function run(scope: Scope, nodes: readonly Node[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'print') out += print(evaluate(scope, node.expr), node.expr);
    else {
      const branch = node.branches.find((b) => b.cond === undefined || truthy(evaluate(scope, b.cond)));
      if (branch) out += run(scope, branch.body);
    }
  }
  return out;
}

/** Renders one template file. */
export function renderTemplate(source: string, scope: Scope): string {
  return run(scope, parse(source));
}

/** Values merged as `helm --set`/`-f` would: maps deeply, everything else replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (base === null || override === null || typeof base !== 'object' || typeof override !== 'object' || Array.isArray(base) || Array.isArray(override)) return override;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(override as Record<string, unknown>)) out[k] = k in out ? mergeValues(out[k], v) : v;
  return out;
}
