/**
 * Runs the admin dashboard's real nginx configuration (base/admin-dashboard/nginx.conf) with the
 * real nginx binary (Debian package `nginx`) as an unprivileged user, and checks over HTTP what the
 * configuration promises: security headers on every response (REVIEW #10, #11, #13), dotfiles
 * denied (#12), the single-page-app fallback, cache policy and gzip.
 *
 * The configuration runs from a temporary copy in which ONLY these are substituted:
 *   - `listen 8080;`                      -> `listen 127.0.0.1:<random free port>;`
 *   - `root /usr/share/nginx/html;`      -> `root <temporary html folder>;`
 *   - `include /etc/nginx/mime.types;`   -> the mime.types of the installed nginx
 * Everything else (pid and temp paths under /tmp, headers, locations) is the file as committed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const confSource = path.join(repoRoot, 'base/admin-dashboard/nginx.conf');

/** The unprivileged uid/gid nginx is started as when the test runs as root (CI does). */
const NOBODY = 65534;

const INDEX_HTML = '<!doctype html><html><head><title>Funlynk admin</title></head><body><div id="root"></div></body></html>\n';
// Large enough (> gzip_min_length 1024) and compressible.
const ASSET_JS = 'export function render(){return "funlynk";}\n'.repeat(200);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function nginxBinary(): string {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('nginx is not installed: apt-get install -y nginx (Debian package "nginx")');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** One raw HTTP GET (node:http does not decompress, so Content-Encoding is observable). */
function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'GET', headers: { Connection: 'close', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error(`timeout on ${urlPath}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Replaces `from` by `to` and fails unless it occurred exactly once. */
function substituteOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`expected exactly one "${from}" in nginx.conf, found ${count}`);
  return text.replace(from, to);
}

async function removeStalePidFile(file: string): Promise<void> {
  if (!existsSync(file)) return;
  const pid = Number.parseInt((await readFile(file, 'utf8')).trim(), 10);
  if (Number.isInteger(pid) && pid > 0) {
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) throw new Error(`${file} names running process ${pid}: another nginx with this configuration is running`);
  }
  await rm(file, { force: true });
}

let tmp = '';
let port = 0;
let nginx: ChildProcess | undefined;
let nginxExit: Promise<void> = Promise.resolve();
let stderr = '';

beforeAll(async () => {
  const bin = nginxBinary();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'funlynk-nginx-'));
  const html = path.join(tmp, 'html');
  await mkdir(path.join(html, 'assets'), { recursive: true });
  await mkdir(path.join(html, '.git'), { recursive: true });
  await writeFile(path.join(html, 'index.html'), INDEX_HTML);
  await writeFile(path.join(html, 'assets', 'app.3f2a.js'), ASSET_JS);
  await writeFile(path.join(html, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n# GIT-CONFIG-MARKER\n');
  await writeFile(path.join(html, '.env'), 'DATABASE_PASSWORD=ENV-FILE-MARKER\n');
  // An asset-looking file inside a dotfolder: served if an asset regex location came first (REVIEW #12).
  await writeFile(path.join(html, '.git', 'logo.png'), 'PNG-IN-DOTDIR-MARKER\n');
  // The unprivileged worker must read the tree (mkdtemp creates 0700).
  for (const dir of [tmp, html, path.join(html, 'assets'), path.join(html, '.git')]) await chmod(dir, 0o755);

  port = await freePort();
  // Debian's nginx ships its mime.types where the official image has it.
  const mimeTypes = '/etc/nginx/mime.types';
  if (!existsSync(mimeTypes)) throw new Error(`${mimeTypes} missing: is the Debian nginx package installed?`);
  let conf = await readFile(confSource, 'utf8');
  conf = substituteOnce(conf, 'listen 8080;', `listen 127.0.0.1:${port};`);
  conf = substituteOnce(conf, 'root /usr/share/nginx/html;', `root ${html};`);
  conf = substituteOnce(conf, 'include /etc/nginx/mime.types;', `include ${mimeTypes};`);
  const confPath = path.join(tmp, 'nginx.conf');
  await writeFile(confPath, conf);
  await chmod(confPath, 0o644);

  // The configuration writes its pid to /tmp/nginx.pid (as in the image). A stale file left by an
  // earlier run (possibly as another user) would stop nginx: remove it unless its process lives.
  await removeStalePidFile('/tmp/nginx.pid');

  // `-e stderr` before the configuration is read; `daemon off` keeps nginx our child.
  const nginxArgs = ['-p', `${tmp}/`, '-c', confPath, '-e', 'stderr', '-g', 'daemon off;'];
  const asRoot = process.getuid?.() === 0;
  const [cmd, args] = asRoot
    ? ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', bin, ...nginxArgs]]
    : [bin, nginxArgs];
  // stdout is /dev/null, not a pipe: the access log is /dev/stdout, and a process that dropped its
  // privileges may not reopen a pipe created by root; error_log `stderr` writes to fd 2 directly.
  const child = spawn(cmd as string, args as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx = child;
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  let exited = false;
  nginxExit = new Promise((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });

  // Readiness poll: the first successful response, or fail fast when nginx exits.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`nginx exited before serving: ${stderr}`);
    try {
      const reply = await get(port, '/healthz');
      if (reply.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx not ready within 15s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
    nginx.kill('SIGTERM');
    const killer = setTimeout(() => nginx?.kill('SIGKILL'), 5000);
    await nginxExit;
    clearTimeout(killer);
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self' https://*.funlynk.com; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

function expectSecurityHeaders(reply: Reply): void {
  expect(reply.headers['content-security-policy']).toBe(CSP);
  expect(reply.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['x-frame-options']).toBe('DENY');
  expect(reply.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(reply.headers['permissions-policy']).toBe('camera=(), microphone=(), geolocation=(), payment=()');
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
  // Deprecated header is gone, and the Server header names no version (server_tokens off).
  expect(reply.headers['x-xss-protection']).toBeUndefined();
  expect(reply.headers['server']).toBe('nginx');
}

describe('admin-dashboard nginx.conf on the real nginx', () => {
  it('runs as a non-root user', async () => {
    const pid = nginx?.pid;
    expect(pid).toBeTypeOf('number');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    expect(uids).not.toBeNull();
    expect(Number(uids?.[1])).not.toBe(0);
    expect(Number(uids?.[2])).not.toBe(0);
  });

  it('starts one worker process, whatever the machine\'s CPU count (the pod has a fraction of one CPU)', async () => {
    const master = nginx?.pid;
    expect(master).toBeTypeOf('number');
    const workers: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
      if (/^PPid:\s+(\d+)$/m.exec(status)?.[1] === String(master)) workers.push(Number(entry));
    }
    expect(workers).toHaveLength(1);
  });

  it('sends every security header on the app shell', async () => {
    const reply = await get(port, '/');
    expect(reply.status).toBe(200);
    expectSecurityHeaders(reply);
    expect(reply.headers['cache-control']).toBe('no-cache');
  });

  it('sends every security header on a hashed static asset, cached as immutable', async () => {
    const reply = await get(port, '/assets/app.3f2a.js');
    expect(reply.status).toBe(200);
    expectSecurityHeaders(reply);
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(reply.body.toString()).toBe(ASSET_JS);
  });

  it('sends every security header on a 404 for a missing asset, never stored', async () => {
    const reply = await get(port, '/assets/missing.9b1c.js');
    expect(reply.status).toBe(404);
    expectSecurityHeaders(reply);
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  it.each(['/.git/config', '/.env', '/assets/.env', '/.git/logo.png'])('denies the dotfile path %s', async (urlPath) => {
    const reply = await get(port, urlPath);
    expect([403, 404]).toContain(reply.status);
    expectSecurityHeaders(reply);
    const body = reply.body.toString();
    expect(body).not.toContain('GIT-CONFIG-MARKER');
    expect(body).not.toContain('ENV-FILE-MARKER');
    expect(body).not.toContain('PNG-IN-DOTDIR-MARKER');
  });

  it('serves index.html for an unknown client-side route', async () => {
    const reply = await get(port, '/users/42');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html');
    expect(reply.body.toString()).toBe(INDEX_HTML);
    expect(reply.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(reply);
  });

  it('compresses text assets with gzip when the client accepts it', async () => {
    const reply = await get(port, '/assets/app.3f2a.js', { 'Accept-Encoding': 'gzip' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['vary']).toBe('Accept-Encoding');
    expect(reply.body.length).toBeLessThan(Buffer.byteLength(ASSET_JS));
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(reply.body).toString()).toBe(ASSET_JS);
  });

  it('answers the health endpoint used by probes and HEALTHCHECK', async () => {
    const reply = await get(port, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('ok\n');
  });
});
