/**
 * Typed errors. Core functions throw these (never print or exit); the one top-level handler in
 * cli.ts maps them to a message and exit code 2. Stack traces only under DEBUG.
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
