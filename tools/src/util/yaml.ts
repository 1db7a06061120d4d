/**
 * YAML with positions. Every document the gate reads goes through here, so duplicate keys,
 * syntax errors, alias bombs, empty and scalar documents are handled once, with file:line.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
} from 'yaml';

/** Beyond this many alias expansions a document is treated as an alias bomb. */
const MAX_ALIAS_COUNT = 200;

export interface YamlProblem {
  message: string;
  line: number;
  column: number;
}

export interface YamlDoc {
  /** The document converted to plain JS. */
  value: unknown;
  doc: Document.Parsed;
  index: number;
  /** Line/column of the document's content. */
  line: number;
  column: number;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  problems: YamlProblem[];
  lineCounter: LineCounter;
}

function pos(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** Parses every document of a YAML text. Never throws: problems carry line and column. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const problems: YamlProblem[] = [];
  const docs: YamlDoc[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true }) as Document.Parsed[];
  } catch (err) {
    return { docs, problems: [{ message: `not YAML: ${(err as Error).message}`, line: 1, column: 1 }], lineCounter };
  }
  if (!Array.isArray(parsed)) parsed = [parsed as Document.Parsed];
  parsed.forEach((doc, index) => {
    const errors = doc.errors;
    if (errors.length > 0) {
      // The first error of a document is the mistake; the rest are usually its cascade.
      const e = errors[0]!;
      problems.push({ message: cleanMessage(e.message), ...pos(lineCounter, e.pos[0]) });
      return;
    }
    const contents = doc.contents as YamlNode | null;
    if (contents === null) return; // an empty document (e.g. a trailing ---) carries nothing
    const at = pos(lineCounter, contents.range?.[0] ?? 0);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const message = /alias/i.test((err as Error).message)
        ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): refusing a possible alias bomb`
        : cleanMessage((err as Error).message);
      problems.push({ message, ...firstAliasPos(doc, lineCounter, at) });
      return;
    }
    docs.push({ value, doc, index, ...at });
  });
  return { docs, problems, lineCounter };
}

function cleanMessage(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function firstAliasPos(doc: Document.Parsed, lc: LineCounter, fallback: { line: number; column: number }) {
  let found: { line: number; column: number } | null = null;
  const visit = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if (isAlias(node)) {
      found = pos(lc, node.range?.[0] ?? 0);
      return;
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (item && typeof item === 'object' && 'value' in (item as object)) {
          visit((item as { key: unknown }).key);
          visit((item as { value: unknown }).value);
        } else visit(item);
      }
    }
  };
  visit(doc.contents);
  return found ?? fallback;
}

/** A parsed value as a mapping, or null when it is a scalar, a list or null. */
export function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** A dotted field path with [i] indexes, split into segments: "a.b[0].c" -> ["a","b",0,"c"]. */
export function splitFieldPath(field: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\[(\d+)\]|\["([^"]*)"\]|([^.[\]]+)/g;
  for (let m = re.exec(field); m !== null; m = re.exec(field)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2]);
    else out.push(m[3]!);
  }
  return out;
}

export interface FieldLocation {
  line: number;
  column: number;
  /** True when the whole path exists; false when this is its deepest existing ancestor. */
  exact: boolean;
}

/**
 * Finds a field in a parsed document. Map keys may themselves contain dots
 * (`metadata.annotations.sidecar.istio.io/inject`): the longest key that matches wins.
 */
export function locateField(doc: Document.Parsed, lc: LineCounter, field: string | null): FieldLocation {
  const root = doc.contents as YamlNode | null;
  const rootPos = pos(lc, root?.range?.[0] ?? 0);
  if (!root || field === null) return { ...rootPos, exact: field === null };
  const segments = splitFieldPath(field);
  let node: unknown = root;
  let at = rootPos;
  let i = 0;
  while (i < segments.length) {
    const seg = segments[i]!;
    if (typeof seg === 'number' && isSeq(node)) {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) return { ...at, exact: false };
      node = item;
      at = pos(lc, item.range?.[0] ?? 0);
      i += 1;
      continue;
    }
    if (isMap(node)) {
      let matched = false;
      for (let j = segments.length; j > i; j -= 1) {
        const parts = segments.slice(i, j);
        if (parts.some((p) => typeof p === 'number')) continue;
        const key = parts.join('.');
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (pair) {
          const keyNode = pair.key as YamlNode;
          at = pos(lc, keyNode.range?.[0] ?? 0);
          node = pair.value;
          i = j;
          matched = true;
          break;
        }
      }
      if (!matched) return { ...at, exact: false };
      continue;
    }
    return { ...at, exact: false };
  }
  return { ...at, exact: true };
}
