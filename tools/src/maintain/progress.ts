/**
 * How `gitops setup` shows its builds: on a terminal one status line, rewritten every second,
 * naming each running build with its phase and elapsed time; elsewhere (CI logs) a plain line
 * every 5 s while anything builds, so a log never stays silent for 10 s. Finished builds get a
 * permanent line with their time.
 */
import type { BuildEvent, BuildGroup } from './gobuild.js';

export interface ProgressOutput {
  tty: boolean;
  write: (text: string) => void;
  columns?: () => number | undefined;
  /** Injectable clock (tests). */
  now?: () => number;
}

/** Plain progress lines at least this often while a build runs (below the 10 s CI must never be silent). */
export const PLAIN_EVERY_MS = 5000;

export function formatMs(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function label(g: BuildGroup): string {
  return `${g.tools.map((t) => t.name).join(', ')} ${g.version}`;
}

/**
 * Renders build events: on a terminal one status line rewritten every second; elsewhere (CI) a
 * plain line per running build every 5 s, so a log never stays silent for 10 s.
 */
export class ProgressView {
  private readonly active = new Map<string, { label: string; started: number; what: string }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private lastPlain = 0;

  constructor(private readonly out: ProgressOutput) {
    this.tty = out.tty;
  }

  private now(): number {
    return (this.out.now ?? Date.now)();
  }

  /** Starts the clock that redraws (terminal) or prints (elsewhere) while builds run. */
  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  private line(text: string): void {
    if (this.tty) this.out.write('\r\x1b[K');
    this.out.write(`setup: ${text}\n`);
    if (this.tty) this.redraw();
  }

  private status(): string {
    const now = this.now();
    return [...this.active.values()].map((a) => `${a.label}: ${a.what} ${formatMs(now - a.started)}`).join(' | ');
  }

  private redraw(): void {
    if (!this.tty || this.active.size === 0) return;
    const width = Math.max(20, (this.out.columns?.() ?? 120) - 1);
    const text = `setup: building ${this.status()}`;
    this.out.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
  }

  /** One clock tick (public for tests, which drive the clock themselves). */
  tick(): void {
    if (this.active.size === 0) return;
    if (this.tty) return this.redraw();
    if (this.now() - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = this.now();
      this.out.write(`setup: building ${this.status()}\n`);
    }
  }

  event(e: BuildEvent): void {
    const id = e.group.id;
    if (e.type === 'reused') this.line(`${label(e.group)} reused (built before, cache ${e.from})`);
    else if (e.type === 'start') {
      this.active.set(id, { label: label(e.group), started: this.now(), what: 'starting' });
      this.line(`building ${label(e.group)} from ${e.group.module} (go build ${e.group.tools.map((t) => t.package).join(' ')})`);
    } else if (e.type === 'phase') {
      const a = this.active.get(id);
      if (a) a.what = e.phase === 'compiling' ? `compiling (${e.packages} packages)` : e.phase === 'downloading' ? `downloading modules (${e.downloads})` : e.phase;
    } else if (e.type === 'done') {
      this.active.delete(id);
      this.line(`built ${label(e.group)} in ${formatMs(e.ms)}`);
    } else if (e.type === 'failed') {
      this.active.delete(id);
      this.line(`building ${label(e.group)} failed after ${formatMs(e.ms)}`);
    }
    if (this.tty) this.redraw();
  }

  message(text: string): void {
    this.line(text);
  }

  /** A step that is not a Go build (the CRD download), shown like one while it runs. */
  begin(id: string, what: string, doing: string): void {
    this.active.set(id, { label: what, started: this.now(), what: doing });
    this.line(`${what}: ${doing}`);
  }

  update(id: string, doing: string): void {
    const a = this.active.get(id);
    if (a) a.what = doing;
    if (this.tty) this.redraw();
  }

  end(id: string, text: string): void {
    this.active.delete(id);
    this.line(text);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.out.write('\r\x1b[K');
  }
}

