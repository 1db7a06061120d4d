/**
 * A small client for the loopback kube-apiserver: discovery (kind -> resource), server-side apply
 * (for real or as a dry-run), get, list and delete. It talks to 127.0.0.1 only, verifies the
 * server's self-signed certificate and authenticates with the run's token.
 */
import https from 'node:https';

export interface ApiResponse {
  status: number;
  /** Parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  /** `Warning` headers (deprecations, PodSecurity "would violate" ...). */
  warnings: string[];
}

/** A Kubernetes Status (the body of a rejection). */
export interface ApiStatus {
  kind: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
  };
}

export interface ResourceInfo {
  /** Plural resource name, e.g. deployments. */
  name: string;
  namespaced: boolean;
}

export function isStatus(body: unknown): body is ApiStatus {
  return body !== null && typeof body === 'object' && (body as { kind?: unknown }).kind === 'Status';
}

function parseWarnings(header: string | string[] | undefined): string[] {
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: string[] = [];
  for (const h of list) {
    // 299 - "text", possibly several comma-separated.
    for (const m of h.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  }
  return out;
}

export class KubeClient {
  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, Map<string, ResourceInfo> | null>();

  constructor(
    readonly server: string,
    ca: string,
    private readonly token: string,
  ) {
    const url = new URL(server);
    if (url.hostname !== '127.0.0.1') throw new Error(`refusing to talk to ${url.hostname}: only 127.0.0.1`);
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
  }

  raw(method: string, pathAndQuery: string, body?: string, contentType = 'application/json'): Promise<ApiResponse> {
    const url = new URL(pathAndQuery, this.server);
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method,
        agent: this.agent,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }),
        },
        timeout: 60_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings: parseWarnings(res.headers.warning) });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** The resources of one group version (null when the server does not serve it). */
  async resources(apiVersion: string, refresh = false): Promise<Map<string, ResourceInfo> | null> {
    if (!refresh && this.discovery.has(apiVersion)) return this.discovery.get(apiVersion)!;
    const r = await this.raw('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    let map: Map<string, ResourceInfo> | null = null;
    if (r.status === 200) {
      map = new Map();
      const list = (r.body as { resources?: Array<{ name: string; kind: string; namespaced: boolean }> }).resources ?? [];
      for (const res of list) if (!res.name.includes('/')) map.set(res.kind, { name: res.name, namespaced: res.namespaced });
    }
    this.discovery.set(apiVersion, map);
    return map;
  }

  /** Where an object lives in the API: its collection path and name path, or null for an unknown kind. */
  async pathOf(obj: Record<string, unknown>, refresh = false): Promise<{ collection: string; item: string; namespaced: boolean } | null> {
    const apiVersion = String(obj.apiVersion);
    const kind = String(obj.kind);
    const info = (await this.resources(apiVersion, refresh))?.get(kind);
    if (!info) return null;
    const meta = (obj.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
    const collection = info.namespaced ? `${prefix}/namespaces/${encodeURIComponent(ns)}/${info.name}` : `${prefix}/${info.name}`;
    return { collection, item: `${collection}/${encodeURIComponent(String(meta.name ?? ''))}`, namespaced: info.namespaced };
  }

  /** Server-side apply (the field manager owns what it sets, conflicts forced as `kubectl apply --server-side --force-conflicts`). */
  async apply(obj: Record<string, unknown>, dryRun: boolean): Promise<ApiResponse & { unknownKind?: boolean }> {
    let where = await this.pathOf(obj);
    if (where === null) where = await this.pathOf(obj, true);
    if (where === null) return { status: 404, body: null, warnings: [], unknownKind: true };
    const query = `?fieldManager=gitops&force=true${dryRun ? '&dryRun=All' : ''}&fieldValidation=Strict`;
    return this.raw('PATCH', `${where.item}${query}`, JSON.stringify(obj), 'application/apply-patch+yaml');
  }

  async get(pathAndQuery: string): Promise<unknown> {
    const r = await this.raw('GET', pathAndQuery);
    return r.status === 200 ? r.body : null;
  }

  /** Drops cached discovery (after CRDs were installed). */
  forgetDiscovery(): void {
    this.discovery.clear();
  }

  close(): void {
    this.agent.destroy();
  }
}
