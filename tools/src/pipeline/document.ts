/**
 * The one shape every input takes on its way through the pipeline. An input adapter
 * (inputs/kubernetes.ts, inputs/dockerfile.ts, inputs/compose.ts; later chart-rendered objects and
 * nginx.conf) turns what a target holds into Documents: what the policies get as `input`, how the
 * document is schema-checked, and how a finding on one of its fields is located. The stages after
 * loading (schema, policy, report) only ever see Documents.
 */
import type { SchemaError } from '../schema/ajv.js';
import type { SchemaStore } from '../schema/store.js';
import type { Location, RelatedLocation, Resource, ResourceRef } from './types.js';

/** The kinds of document; a rule declares the one it reads in its METADATA (`input:`). */
export type DocumentKind = 'kubernetes' | 'dockerfile' | 'compose';

/** Where a finding on a document points. */
export interface Located {
  location: Location;
  related: RelatedLocation[];
  /** The object the finding is about (null for a file such as a Dockerfile). */
  resource: ResourceRef | null;
  /** The field as the report names it (null where a line says it all: a Dockerfile instruction). */
  field: string | null;
  /** The container the field lies in, for waivers. */
  container: string | null;
}

export interface Document {
  kind: DocumentKind;
  /** Absolute path of the file the document was read from (a rendered object: its source file). */
  file: string;
  /** What the policies get as `input` (docs/policy-authoring.md); `index` is set per target for Kubernetes objects. */
  input: Record<string, unknown>;
  /** The Kubernetes object with its origin; null for other kinds. Objects are schema-checked per target. */
  resource: Resource | null;
  /** Where a finding on `field` (or, for line-based inputs, `line`) points. */
  locate(field: string | null, line: number | null): Located;
  /** Schema errors of a document that has a schema of its own (a compose file); undefined: none here. */
  schema?: (store: SchemaStore) => SchemaError[];
  /** The message of a schema error of this document. */
  schemaMessage(e: SchemaError): string;
}

/**
 * The Document of a file that is one input on its own (a Dockerfile, a compose file, later an
 * nginx.conf): findings are about the file, at the line and column `at` gives, with `field` as named.
 */
export function fileDocument(
  kind: DocumentKind,
  abs: string,
  shown: string,
  input: object,
  at: (field: string | null, line: number | null) => { line: number; column: number; field: string | null },
  extra: Pick<Document, 'schemaMessage'> & Partial<Pick<Document, 'schema'>>,
): Document {
  return {
    kind,
    file: abs,
    input: input as Record<string, unknown>,
    resource: null,
    locate(field, line) {
      const p = at(field, line);
      return { location: { file: shown, line: p.line, column: p.column }, related: [], resource: null, field: p.field, container: null };
    },
    ...extra,
  };
}
