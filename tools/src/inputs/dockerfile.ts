/**
 * Dockerfile input adapter: parses a Dockerfile with dockerfile-ast into the JSON that the
 * docker policies see (docs/policy-authoring.md, "input, for a Dockerfile").
 *
 * dockerfile-ast is a lenient parser for editors: it never fails, it turns anything into
 * instructions. What Docker itself would refuse (no FROM, an unknown instruction, an instruction
 * before the first FROM other than ARG, a FROM without an image) is reported here as problems with
 * a line and column, and the input is still built from whatever could be read.
 */
import { fileDocument, type Document } from '../pipeline/document.js';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DockerfileParser as Parser, Instruction } from 'dockerfile-ast';

export interface InputProblem {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface DockerfileFrom {
  /** The image argument as written (before ARG substitution). */
  raw: string;
  /** The image name without tag and digest, after ARG substitution (`node`, `ghcr.io/funlynk/backend`). */
  image: string;
  /** Normalised like docker does (`node` is in `docker.io`); null for `scratch` and stage references. */
  registry: string | null;
  /** Normalised like docker does (`node` is `library/node`); null for `scratch` and stage references. */
  repository: string | null;
  tag: string | null;
  digest: string | null;
  /** Index of the earlier stage this FROM names, else null. */
  stage: number | null;
  line: number;
}

export type FlagValue = string | true;

export interface DockerfileInstruction {
  /** Upper case. */
  keyword: string;
  /** 1-based line the instruction starts on. */
  line: number;
  /** The argument text after the keyword (flags included), continuation lines joined. */
  raw: string;
  /**
   * Arguments without flags. Exec form (JSON array): the array items. ENV, ARG and LABEL: one
   * `name=value` per property (`name` alone for an ARG without default).
   */
  args: string[];
  flags: Record<string, FlagValue>;
  /** Exec form (a JSON array). */
  json: boolean;
}

export interface DockerfileStage {
  index: number;
  /** The name after AS, lower case (docker compares stage names case-insensitively); null when unnamed. */
  name: string | null;
  line: number;
  from: DockerfileFrom;
  /** Instructions after the stage's FROM, in order. */
  instructions: DockerfileInstruction[];
}

export interface DockerfileArg {
  name: string;
  value: string | null;
  line: number;
}

export interface DockerignoreInfo {
  exists: boolean;
  patterns: string[];
}

export interface DockerfileResource {
  stages: DockerfileStage[];
  globalArgs: DockerfileArg[];
  dockerignore: DockerignoreInfo;
}

export interface DockerfileInput {
  kind: 'dockerfile';
  file: string;
  resource: DockerfileResource;
}

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** Instructions whose arguments may be a JSON array (exec form). */
const JSON_FORM = new Set(['ADD', 'CMD', 'COPY', 'ENTRYPOINT', 'RUN', 'SHELL', 'VOLUME']);

/** Instructions whose arguments are `name=value` properties. */
const PROPERTY_FORM = new Set(['ARG', 'ENV', 'LABEL']);

interface ImageRef {
  image: string;
  registry: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
}

/**
 * Splits an image reference the way docker's reference parser does: the first path component is a
 * registry when it contains a `.` or `:` or is `localhost`; otherwise the registry is docker.io and
 * a single-component name lives under `library/`.
 */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1) || null;
    rest = rest.slice(0, colon);
  }
  const image = rest;
  if (image.toLowerCase() === 'scratch') {
    return { image, registry: null, repository: null, tag, digest };
  }
  const slash = image.indexOf('/');
  const first = slash >= 0 ? image.slice(0, slash) : '';
  let registry = 'docker.io';
  let repository = image;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    repository = image.slice(slash + 1);
  }
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { image, registry, repository, tag, digest };
}

/** Substitutes `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alt}` from the given values. */
export function substituteArgs(text: string, values: Map<string, string | null>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole: string, braced?: string, op?: string, word?: string, bare?: string) => {
      const value = values.get(braced ?? bare ?? '');
      const set = value !== undefined && value !== null && value !== '';
      if (op === '-') return set ? value : (word ?? '');
      if (op === '+') return set ? (word ?? '') : '';
      return value !== undefined && value !== null ? value : whole;
    },
  );
}

/** Parses `.dockerignore` text into its patterns (comments and blank lines dropped). */
export function parseDockerignore(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

class SourceText {
  private readonly lines: string[];
  constructor(text: string) {
    this.lines = text.split(/\r\n|\n|\r/);
  }
  /** Text between two 0-based positions, with escaped line breaks (and comment lines inside a continuation) removed. */
  slice(startLine: number, startChar: number, endLine: number, endChar: number, escape: string): string {
    const parts: string[] = [];
    for (let l = startLine; l <= endLine && l < this.lines.length; l++) {
      let line = this.lines[l] ?? '';
      if (l === endLine) line = line.slice(0, endChar);
      if (l === startLine) line = line.slice(startChar);
      else if (/^\s*#/.test(line)) continue;
      parts.push(line);
    }
    const esc = escape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const continued = new RegExp(`${esc}\\s*$`);
    // Joined the way docker joins continuation lines: the escape and the line break disappear.
    // Heredoc bodies (RUN <<EOF) keep their line breaks.
    return parts
      .map((p, i) => (i < parts.length - 1 && continued.test(p) ? p.replace(continued, '') : i < parts.length - 1 ? `${p}\n` : p))
      .join('')
      .trim();
  }
}

function flagsOf(ins: Instruction): Record<string, FlagValue> {
  const flags: Record<string, FlagValue> = {};
  const getFlags = (ins as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }).getFlags;
  if (typeof getFlags !== 'function') return flags;
  for (const f of getFlags.call(ins)) flags[f.getName()] = f.getValue() ?? true;
  return flags;
}

function parseJsonArray(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not JSON: docker runs it in shell form.
  }
  return null;
}

function propertiesOf(ins: Instruction): string[] {
  const getProperties = (ins as unknown as { getProperties?: () => { getName(): string; getValue(): string | null }[] })
    .getProperties;
  if (typeof getProperties !== 'function') return [];
  return getProperties.call(ins).map((p) => {
    const value = p.getValue();
    return value === null ? p.getName() : `${p.getName()}=${value}`;
  });
}

let parserClass: typeof Parser | undefined;
/** The Dockerfile parser, loaded with the first Dockerfile (a run that checks none never loads it). */
function dockerfileParser(): typeof Parser {
  parserClass ??= (createRequire(import.meta.url)('dockerfile-ast') as { DockerfileParser: typeof Parser }).DockerfileParser;
  return parserClass;
}

/** Parses Dockerfile text. `file` is the display path put into the input. Never throws. */
export function parseDockerfile(text: string, file: string, dockerignoreText: string | null): DockerfileInput {
  return parseWithProblems(text, file, dockerignoreText).input;
}

export function parseWithProblems(
  text: string,
  file: string,
  dockerignoreText: string | null,
): { input: DockerfileInput; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const source = new SourceText(text);
  const df = dockerfileParser().parse(text);
  const escape = df.getEscapeCharacter();
  const stages: DockerfileStage[] = [];
  const globalArgs: DockerfileArg[] = [];
  const argValues = new Map<string, string | null>();

  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    const range = ins.getRange();
    const line = range.start.line + 1;
    const column = range.start.character + 1;
    if (!KEYWORDS.has(keyword)) {
      problems.push({ message: `unknown instruction '${ins.getInstruction()}'`, line, column });
      continue;
    }
    const kwEnd = ins.getInstructionRange().end;
    const raw = source.slice(kwEnd.line, kwEnd.character, range.end.line, range.end.character, escape);
    const flags = flagsOf(ins);
    const argList = ins.getArguments();

    if (keyword === 'FROM') {
      const values = argList.map((a) => a.getValue());
      const imageArg = values[0];
      if (imageArg === undefined) {
        problems.push({ message: 'FROM names no image', line, column });
        continue;
      }
      const hasAs = values.length >= 3 && values[1]?.toUpperCase() === 'AS';
      const name = hasAs ? (values[2] as string).toLowerCase() : null;
      if (values.length > 1 && !(hasAs && values.length === 3)) {
        problems.push({ message: `FROM takes 'image [AS name]', found '${raw}'`, line, column });
      }
      const resolved = substituteArgs(imageArg, argValues);
      const earlier = stages.find((s) => s.name !== null && s.name === resolved.toLowerCase());
      const ref: ImageRef = earlier
        ? { image: resolved, registry: null, repository: null, tag: null, digest: null }
        : parseImageRef(resolved);
      stages.push({
        index: stages.length,
        name,
        line,
        from: { raw: imageArg, ...ref, stage: earlier ? earlier.index : null, line },
        instructions: [],
      });
      continue;
    }

    let args: string[];
    let json = false;
    if (PROPERTY_FORM.has(keyword)) {
      args = propertiesOf(ins);
    } else {
      args = argList.map((a) => a.getValue());
      const first = argList[0];
      if (first) {
        const start = first.getRange().start;
        const argText = source.slice(start.line, start.character, range.end.line, range.end.character, escape);
        if (JSON_FORM.has(keyword)) {
          const items = parseJsonArray(argText);
          if (items) {
            args = items;
            json = true;
          }
        } else if (keyword === 'HEALTHCHECK' && first.getValue().toUpperCase() === 'CMD') {
          const items = parseJsonArray(argText.slice(3));
          if (items) {
            args = ['CMD', ...items];
            json = true;
          }
        }
      }
    }
    const instruction: DockerfileInstruction = { keyword, line, raw, args, flags, json };

    const current = stages[stages.length - 1];
    if (!current) {
      if (keyword === 'ARG') {
        const getProperty = (ins as unknown as { getProperty(): { getName(): string; getValue(): string | null } | null })
          .getProperty;
        const prop = getProperty.call(ins);
        if (prop) {
          const value = prop.getValue();
          globalArgs.push({ name: prop.getName(), value, line });
          argValues.set(prop.getName(), value === null ? null : substituteArgs(value, argValues));
        }
      } else {
        problems.push({ message: `${keyword} before the first FROM (only ARG may come first)`, line, column });
      }
      continue;
    }
    current.instructions.push(instruction);
  }

  if (stages.length === 0) {
    const lastLine = Math.max(1, text.split(/\r\n|\n|\r/).length - (text.endsWith('\n') ? 1 : 0));
    problems.push({
      message: text.trim() === '' ? 'empty Dockerfile: no FROM instruction' : 'no FROM instruction',
      line: text.trim() === '' ? 1 : lastLine,
      column: 1,
    });
  }

  const dockerignore: DockerignoreInfo =
    dockerignoreText === null ? { exists: false, patterns: [] } : { exists: true, patterns: parseDockerignore(dockerignoreText) };
  return { input: { kind: 'dockerfile', file, resource: { stages, globalArgs, dockerignore } }, problems };
}

/** Whether a path exists (any kind of file). */
export async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the ignore file BuildKit would use: `<Dockerfile>.dockerignore` beside the Dockerfile wins,
 * else `.dockerignore` at the root of the build context (by default the Dockerfile's folder).
 */
export async function findDockerignore(absPath: string, contextDir?: string): Promise<string | null> {
  const candidates = [`${absPath}.dockerignore`, path.join(contextDir ?? path.dirname(absPath), '.dockerignore')];
  for (const c of candidates) if (await exists(c)) return c;
  return null;
}

/**
 * Reads and parses a Dockerfile. `displayPath` goes into the input's `file`. `contextDir` is the
 * build context whose `.dockerignore` applies (default: the Dockerfile's folder). Never throws:
 * an unreadable file is a problem on line 1.
 */
export async function loadDockerfile(
  absPath: string,
  displayPath: string,
  contextDir?: string,
): Promise<{ input: DockerfileInput; problems: InputProblem[] }> {
  let text: string;
  try {
    text = await readFile(absPath, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    return {
      input: { kind: 'dockerfile', file: displayPath, resource: { stages: [], globalArgs: [], dockerignore: { exists: false, patterns: [] } } },
      problems: [{ message: `cannot read Dockerfile (${reason})`, line: 1, column: 1 }],
    };
  }
  const ignorePath = await findDockerignore(absPath, contextDir);
  let ignoreText: string | null = null;
  if (ignorePath !== null) {
    try {
      ignoreText = await readFile(ignorePath, 'utf8');
    } catch {
      ignoreText = null;
    }
  }
  return parseWithProblems(text, displayPath, ignoreText);
}

/** The Document of a parsed Dockerfile: findings point at an instruction's line. */
export function dockerfileDocument(abs: string, shown: string, input: DockerfileInput): Document {
  return fileDocument('dockerfile', abs, shown, input, (_field, line) => ({ line: line ?? 1, column: 1, field: null }), {
    schemaMessage: (e) => `${shown}: ${e.message}`,
  });
}
