/**
 * PromQL facts for the policies, computed over the parsed tree (@prometheus-io/lezer-promql):
 * syntax errors, type errors (an instant vector where a function needs a range vector, a range
 * vector where an instant vector is needed, ...), and histogram_quantile calls over classic
 * histogram buckets that aggregate `le` away. The wasm runtime cannot parse PromQL, so the gate
 * hands these to the policies as data.promql[expr].
 *
 * Function signatures follow the Prometheus documentation ("Query functions"): argument types
 * and the result type of each function.
 */
import { createRequire } from 'node:module';
import type { LRParser } from '@lezer/lr';
import type { SyntaxNode } from '@lezer/common';

export type PromqlType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface PromqlFacts {
  ok: boolean;
  /** The first syntax error ('' when the expression parses). */
  error: string;
  /** Type errors, e.g. "rate() needs a range vector as argument 1, got an instant vector". */
  typeErrors: string[];
  /** histogram_quantile calls whose classic buckets lose `le` before the quantile is taken. */
  histogramQuantile: string[];
}

const NAMES: Record<PromqlType, string> = { scalar: 'a scalar', vector: 'an instant vector', matrix: 'a range vector', string: 'a string' };

interface Signature {
  args: PromqlType[];
  /** How many trailing arguments may be left out. */
  optional?: number;
  /** The last argument type repeats (label_join, sort_by_label). */
  variadic?: boolean;
  returns: PromqlType;
}

const sig = (args: PromqlType[], returns: PromqlType, extra: Partial<Signature> = {}): Signature => ({ args, returns, ...extra });
const RANGE = ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time', 'min_over_time',
  'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time', 'stdvar_over_time', 'last_over_time',
  'present_over_time', 'absent_over_time', 'mad_over_time', 'first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time',
  'ts_of_last_over_time', 'ts_of_first_over_time'];
const INSTANT = ['abs', 'ceil', 'floor', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'absent', 'sort', 'sort_desc', 'timestamp',
  'histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar', 'acos', 'acosh', 'asin', 'asinh',
  'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad'];
const DATE = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const FUNCTIONS: Record<string, Signature> = {
  ...Object.fromEntries(RANGE.map((f) => [f, sig(['matrix'], 'vector')])),
  ...Object.fromEntries(INSTANT.map((f) => [f, sig(['vector'], 'vector')])),
  ...Object.fromEntries(DATE.map((f) => [f, sig(['vector'], 'vector', { optional: 1 })])),
  quantile_over_time: sig(['scalar', 'matrix'], 'vector'),
  predict_linear: sig(['matrix', 'scalar'], 'vector'),
  holt_winters: sig(['matrix', 'scalar', 'scalar'], 'vector'),
  double_exponential_smoothing: sig(['matrix', 'scalar', 'scalar'], 'vector'),
  round: sig(['vector', 'scalar'], 'vector', { optional: 1 }),
  clamp: sig(['vector', 'scalar', 'scalar'], 'vector'),
  clamp_max: sig(['vector', 'scalar'], 'vector'),
  clamp_min: sig(['vector', 'scalar'], 'vector'),
  histogram_quantile: sig(['scalar', 'vector'], 'vector'),
  histogram_fraction: sig(['scalar', 'scalar', 'vector'], 'vector'),
  label_replace: sig(['vector', 'string', 'string', 'string', 'string'], 'vector'),
  label_join: sig(['vector', 'string', 'string', 'string'], 'vector', { variadic: true, optional: 1 }),
  sort_by_label: sig(['vector', 'string'], 'vector', { variadic: true }),
  sort_by_label_desc: sig(['vector', 'string'], 'vector', { variadic: true }),
  scalar: sig(['vector'], 'scalar'),
  vector: sig(['scalar'], 'vector'),
  time: sig([], 'scalar'),
  pi: sig([], 'scalar'),
};

/** Aggregations that take a parameter before the vector, and its type. */
const AGG_PARAM: Record<string, PromqlType> = {
  topk: 'scalar', bottomk: 'scalar', quantile: 'scalar', limitk: 'scalar', limit_ratio: 'scalar', count_values: 'string',
};

/** The expression children of a node (punctuation and keywords are anonymous or not expressions). */
const EXPR = new Set(['AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'NumberLiteral',
  'OffsetExpr', 'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr']);

function exprChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (EXPR.has(c.name)) out.push(c);
  return out;
}

function child(node: SyntaxNode, name: string): SyntaxNode | null {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name === name) return c;
  return null;
}

class Checker {
  readonly typeErrors: string[] = [];
  readonly histogram: string[] = [];
  constructor(private readonly text: string) {}

  src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  /** The type of an expression node (null when it cannot be told), reporting errors inside it. */
  typeOf(node: SyntaxNode): PromqlType | null {
    switch (node.name) {
      case 'PromQL': {
        const [e] = exprChildren(node);
        return e ? this.typeOf(e) : null;
      }
      case 'NumberDurationLiteral':
      case 'NumberLiteral':
        return 'scalar';
      case 'StringLiteral':
        return 'string';
      case 'VectorSelector':
        return 'vector';
      case 'MatrixSelector':
        return 'matrix';
      case 'ParenExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr':
      case 'UnaryExpr': {
        const [e] = exprChildren(node);
        return e ? this.typeOf(e) : null;
      }
      case 'SubqueryExpr': {
        const [e] = exprChildren(node);
        const t = e ? this.typeOf(e) : null;
        if (t !== null && t !== 'vector') this.typeErrors.push(`a subquery needs an instant vector, got ${NAMES[t]} in '${this.src(node)}'`);
        return 'matrix';
      }
      case 'BinaryExpr': {
        const sides = exprChildren(node).map((e) => this.typeOf(e));
        for (const t of sides) {
          if (t === 'matrix' || t === 'string') {
            this.typeErrors.push(`binary operators need scalars or instant vectors, got ${NAMES[t]} in '${this.src(node)}'`);
          }
        }
        return sides.includes('vector') ? 'vector' : sides.every((t) => t === 'scalar') ? 'scalar' : null;
      }
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'FunctionCall':
        return this.call(node);
      default:
        return null;
    }
  }

  private aggregate(node: SyntaxNode): PromqlType {
    const op = this.src(child(node, 'AggregateOp') ?? node).trim();
    const body = child(node, 'FunctionCallBody');
    const args = body ? exprChildren(body) : [];
    const expected: PromqlType[] = AGG_PARAM[op] ? [AGG_PARAM[op]!, 'vector'] : ['vector'];
    args.forEach((a, i) => {
      const t = this.typeOf(a);
      const want = expected[i];
      if (t !== null && want !== undefined && t !== want) {
        this.typeErrors.push(`${op}() needs ${NAMES[want]} as argument ${i + 1}, got ${NAMES[t]} ('${this.src(a)}')`);
      }
    });
    return 'vector';
  }

  private call(node: SyntaxNode): PromqlType | null {
    const name = this.src(child(node, 'FunctionIdentifier') ?? node).trim();
    const body = child(node, 'FunctionCallBody');
    const args = body ? exprChildren(body) : [];
    const types = args.map((a) => this.typeOf(a));
    const s = FUNCTIONS[name];
    if (!s) return null;
    const min = s.args.length - (s.optional ?? 0);
    if (args.length < min || (!s.variadic && args.length > s.args.length)) {
      const count = s.optional ? `${min} to ${s.args.length}` : String(s.args.length);
      this.typeErrors.push(`${name}() takes ${s.variadic ? `at least ${min}` : count} argument${s.args.length === 1 ? '' : 's'}, got ${args.length} in '${this.src(node)}'`);
    }
    types.forEach((t, i) => {
      const want = s.args[Math.min(i, s.args.length - 1)];
      if (t !== null && want !== undefined && t !== want && !(i >= s.args.length && !s.variadic)) {
        const hint = want === 'matrix' && t === 'vector' ? ` (add a range, e.g. ${this.src(args[i]!)}[5m])` : '';
        this.typeErrors.push(`${name}() needs ${NAMES[want]} as argument ${i + 1}, got ${NAMES[t]}${hint}`);
      }
    });
    if (name === 'histogram_quantile' && args[1]) this.histogramArg(node, args[1]);
    return s.returns;
  }

  /**
   * histogram_quantile over classic buckets (`*_bucket` series) needs `le` on every series it
   * reads: the first aggregation on the way down must keep it (by (.., le) or without (no le)),
   * and a call without any aggregation is reported too, since per-series quantiles are rarely
   * meant. Native histograms carry no `le` and are left alone.
   */
  private histogramArg(call: SyntaxNode, arg: SyntaxNode): void {
    let node: SyntaxNode | null = arg;
    while (node && (node.name === 'ParenExpr' || node.name === 'OffsetExpr' || node.name === 'StepInvariantExpr')) node = exprChildren(node)[0] ?? null;
    if (!node || !this.readsBuckets(node)) return;
    if (node.name !== 'AggregateExpr') {
      this.histogram.push(`histogram_quantile reads bucket series without aggregating them by le in '${this.src(call)}'`);
      return;
    }
    const modifier = child(node, 'AggregateModifier');
    const labels = modifier ? this.groupingLabels(modifier) : [];
    const without = modifier ? child(modifier, 'Without') !== null : false;
    const keepsLe = modifier !== null && (without ? !labels.includes('le') : labels.includes('le'));
    if (!keepsLe) {
      const how = modifier === null ? 'aggregates every label away' : without ? 'drops le (without (le))' : `keeps only ${labels.join(', ') || 'no labels'}`;
      this.histogram.push(`histogram_quantile's ${this.src(child(node, 'AggregateOp') ?? node).trim()} ${how}, so the buckets lose le in '${this.src(call)}'`);
    }
  }

  private groupingLabels(modifier: SyntaxNode): string[] {
    const g = child(modifier, 'GroupingLabels');
    const out: string[] = [];
    for (let c = g?.firstChild ?? null; c; c = c.nextSibling) if (c.name === 'LabelName') out.push(this.src(c));
    return out;
  }

  private readsBuckets(node: SyntaxNode): boolean {
    if (node.name === 'Identifier' && /_bucket$/.test(this.src(node))) return true;
    for (let c = node.firstChild; c; c = c.nextSibling) if (this.readsBuckets(c)) return true;
    return false;
  }
}

let loaded: LRParser | undefined;
/** The PromQL grammar, loaded on the first expression (most runs meet none, or only known ones). */
function promqlParser(): LRParser {
  loaded ??= (createRequire(import.meta.url)('@prometheus-io/lezer-promql') as { parser: LRParser }).parser;
  return loaded;
}

/** Every fact the policies read about one expression. */
export function analyzePromql(expr: string): PromqlFacts {
  const facts: PromqlFacts = { ok: true, error: '', typeErrors: [], histogramQuantile: [] };
  if (expr.trim() === '') return { ...facts, ok: false, error: 'empty expression' };
  const tree = promqlParser().parse(expr);
  tree.iterate({
    enter(node) {
      if (facts.error === '' && node.type.isError) {
        const near = expr.slice(node.from, node.from + 12);
        facts.error = `syntax error at offset ${node.from}${near ? ` near '${near}'` : ' (unexpected end)'}`;
        return false;
      }
      return undefined;
    },
  });
  if (facts.error !== '') return { ...facts, ok: false };
  const checker = new Checker(expr);
  checker.typeOf(tree.topNode);
  return { ...facts, typeErrors: checker.typeErrors, histogramQuantile: checker.histogram };
}
