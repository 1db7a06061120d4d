/**
 * Typed errors, the one errors module. Core functions throw these (never print or exit); the one
 * top-level handler in cli.ts maps the three kinds (usage, tool, input) to a message and exit code
 * 2. The stage-specific errors below are kinds of these, so the handler needs to know no more.
 * Stack traces only under DEBUG.
 */

/** Bad command-line usage: unknown flag, missing argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An external tool is missing, failed or timed out. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    readonly tool: string,
    message: string,
    readonly stderr = '',
  ) {
    super(message);
  }
}

/** Input that cannot be read or parsed, with where it is. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    message: string,
    readonly file: string | null = null,
    readonly line = 1,
    readonly column = 1,
  ) {
    super(message);
  }
}

/** kubeconform is missing, failed or timed out. */
export class KubeconformError extends ToolError {
  constructor(message: string, stderr = '') {
    super('kubeconform', message, stderr);
  }
}

/** The vendored schema store (schemas/) is missing, unreadable or a schema does not compile. */
export class SchemaStoreError extends ToolError {
  constructor(message: string) {
    super('schemas', message);
  }
}

/** `gitops schemas sync`: a download, an install or a generation step failed. */
export class SyncError extends ToolError {
  constructor(message: string) {
    super('schemas-sync', message);
  }
}

/** A CustomResourceDefinition that cannot be converted to JSON Schema. */
export class CrdConversionError extends InputError {}
