/**
 * The API server stage with the real pinned etcd, kube-apiserver (and, for apply, the real
 * controllers and kwok): what the server rejects, reported at the source line; --since and
 * immutable fields; an Istio CEL rule; readiness on fake nodes; and that nothing is left running,
 * nothing listens beyond 127.0.0.1, after a run, a crash of the gate and a timeout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, gitops, lineOf, makeRepo, REPO, widgetCrd, type FixtureRepo } from './helpers.js';
import { ControlPlane } from '../src/apiserver/cluster.js';
import { kwokConfig } from '../src/apiserver/apply.js';

const DRY_TOOLS = ['kustomize', 'kubeconform', 'opa', 'etcd', 'kube-apiserver'];
const APPLY_TOOLS = [...DRY_TOOLS, 'kube-controller-manager', 'kube-scheduler', 'kwok'];

/** A fixture repository with the pinned CRD bundle linked in, and its own TMPDIR to watch. */
function apiRepo(files: Record<string, string>, tools = DRY_TOOLS): FixtureRepo & { tmp: string } {
  const repo = makeRepo(files, { tools });
  symlinkSync(path.join(REPO, '.tools/apiserver-crds.json'), path.join(repo.root, '.tools/apiserver-crds.json'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gitops-apitest-'));
  const cleanup = repo.cleanup;
  return Object.assign(repo, {
    tmp,
    cleanup() {
      cleanup();
      rmSync(tmp, { recursive: true, force: true });
    },
  });
}

/** Processes whose command line mentions `needle` (e.g. a run's TMPDIR). */
function processesWith(needle: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(needle) && Number(pid) !== process.pid) out.push(`${pid}: ${cmd.slice(0, 160)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

const NAMESPACE = `---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;

const PORT_DEPLOYMENT = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.k8s.io/pause:3.10
          ports:
            - name: http-metrics-endpoint
              containerPort: 8080
`;

const LABEL_SERVICE = `---
apiVersion: v1
kind: Service
metadata:
  name: api
  labels:
    app: api
    tier: "back end"
spec:
  selector:
    app: api
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

const UPPERCASE_CONFIGMAP = `---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Settings
data:
  mode: fast
`;

const SELECTOR_DEPLOYMENT = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 1
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: wrk
    spec:
      containers:
        - name: worker
          image: registry.k8s.io/pause:3.10
`;

// Istio's CRD rule: serviceAccounts cannot be combined with principals (x-kubernetes-validations).
const AUTHZ_POLICY = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            serviceAccounts: ["shop/frontend"]
            principals: ["cluster.local/ns/shop/sa/frontend"]
`;

// Duplicate Service port names, a PDB with both fields, an HPA with minReplicas 0.
const MORE = `---
apiVersion: v1
kind: Service
metadata:
  name: dup
spec:
  selector:
    app: dup
  ports:
    - name: http
      port: 80
    - name: http
      port: 81
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: both
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector:
    matchLabels:
      app: dup
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: zero
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 0
  maxReplicas: 3
`;

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources:
  - namespace.yaml
  - deployment-web.yaml
  - service-api.yaml
  - configmap-settings.yaml
  - deployment-worker.yaml
  - authorizationpolicy.yaml
  - more.yaml
`;

type JsonFinding = { ruleId: string; severity: string; message: string; field: string | null; location: { file: string; line: number } | null };

describe('validate --apiserver (real etcd and kube-apiserver)', () => {
  const repos: FixtureRepo[] = [];
  afterAll(() => {
    for (const r of repos) r.cleanup();
  });

  it('reports what the server rejects at the line to edit, runs every listener on loopback and leaves nothing behind', async () => {
    const repo = apiRepo({
      'overlays/test/kustomization.yaml': KUSTOMIZATION,
      'overlays/test/namespace.yaml': NAMESPACE,
      'overlays/test/deployment-web.yaml': PORT_DEPLOYMENT,
      'overlays/test/service-api.yaml': LABEL_SERVICE,
      'overlays/test/configmap-settings.yaml': UPPERCASE_CONFIGMAP,
      'overlays/test/deployment-worker.yaml': SELECTOR_DEPLOYMENT,
      'overlays/test/authorizationpolicy.yaml': AUTHZ_POLICY,
      'overlays/test/more.yaml': MORE,
    });
    repos.push(repo);
    const r = await gitops(repo.root, ['validate', 'overlays/test', '--apiserver', '--format', 'json'], { TMPDIR: repo.tmp });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = r.json();
    expect(report.summary.incomplete).toBe(false);
    expect(String((report.summary.tools as Record<string, string>).apiserver)).toMatch(/kube-apiserver v1\.35\.\d+/);
    const api = (report.findings as JsonFinding[]).filter((f) => f.ruleId.startsWith('apiserver/') && f.severity === 'error');
    const at = (file: string, needle: string, from = 1) => ({ file: `overlays/test/${file}`, line: lineOf(PARTS[file]!, needle, from) });
    const PARTS: Record<string, string> = {
      'deployment-web.yaml': PORT_DEPLOYMENT, 'service-api.yaml': LABEL_SERVICE, 'configmap-settings.yaml': UPPERCASE_CONFIGMAP,
      'deployment-worker.yaml': SELECTOR_DEPLOYMENT, 'authorizationpolicy.yaml': AUTHZ_POLICY, 'more.yaml': MORE,
    };
    const find = (re: RegExp) => api.filter((f) => re.test(f.message));

    const port = find(/Deployment\/web: .*must be no more than 15 characters/);
    expect(port).toHaveLength(1);
    expect(port[0]!.ruleId).toBe('apiserver/invalid');
    expect(port[0]!.field).toBe('spec.template.spec.containers[0].ports[0].name');
    expect(port[0]!.location).toMatchObject(at('deployment-web.yaml', 'name: http-metrics-endpoint'));

    const label = find(/Service\/api: metadata\.labels: .*back end/);
    expect(label).toHaveLength(1);
    expect(label[0]!.field).toBe('metadata.labels.tier');
    expect(label[0]!.location).toMatchObject(at('service-api.yaml', 'tier: "back end"'));

    const upper = find(/ConfigMap\/Settings: metadata\.name: .*lowercase/);
    expect(upper).toHaveLength(1);
    expect(upper[0]!.location).toMatchObject(at('configmap-settings.yaml', 'name: Settings'));

    const selector = find(/Deployment\/worker: .*`selector` does not match template `labels`/);
    expect(selector).toHaveLength(1);
    expect(selector[0]!.field).toBe('spec.template.metadata.labels');
    expect(selector[0]!.location).toMatchObject(at('deployment-worker.yaml', 'labels:', lineOf(SELECTOR_DEPLOYMENT, 'template:')));

    const cel = find(/AuthorizationPolicy\/allow-frontend: .*Cannot set serviceAccounts with namespaces or principals/);
    expect(cel).toHaveLength(1);
    expect(cel[0]!.location!.file).toBe('overlays/test/authorizationpolicy.yaml');
    expect(cel[0]!.location!.line).toBeGreaterThanOrEqual(lineOf(AUTHZ_POLICY, 'rules:'));
    expect(cel[0]!.location!.line).toBeLessThanOrEqual(lineOf(AUTHZ_POLICY, 'principals:'));

    const dup = find(/Service\/dup: spec\.ports\[1\]\.name: Duplicate value: "http"/);
    expect(dup.map((f) => f.ruleId)).toEqual(['apiserver/duplicate']);
    expect(dup[0]!.location).toMatchObject(at('more.yaml', '- name: http', lineOf(MORE, 'port: 80')));
    const pdb = find(/PodDisruptionBudget\/both: .*minAvailable and maxUnavailable cannot be both set/);
    expect(pdb).toHaveLength(1);
    expect(pdb[0]!.location).toMatchObject(at('more.yaml', 'spec:', lineOf(MORE, 'name: both')));
    const hpa = find(/HorizontalPodAutoscaler\/zero: spec\.minReplicas: .*must be greater than or equal to 1/);
    expect(hpa).toHaveLength(1);
    expect(hpa[0]!.location).toMatchObject(at('more.yaml', 'minReplicas: 0'));

    // The valid objects pass: only these are rejected (the HPA twice: scaling to zero also needs metrics).
    expect(api).toHaveLength(9);
    // After the run: no process of it, and its temp folders are gone.
    expect(processesWith(repo.tmp)).toEqual([]);
    expect(readdirSync(repo.tmp)).toEqual([]);
  });

  it('with --since REF applies the base revision first, so an immutable-field change is reported', async () => {
    const v1 = PORT_DEPLOYMENT.replace('http-metrics-endpoint', 'http');
    const kustomization = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - namespace.yaml\n  - deployment-web.yaml\n';
    // The base also holds objects the server cannot create (a CRD it refuses: no storage version;
    // so a kind no CRD serves): said once each, not hidden, and the refused CRD is not waited for.
    const refusedCrd = widgetCrd('type: object').replace('storage: true', 'storage: false');
    const repo = apiRepo({
      'overlays/test/kustomization.yaml': `${kustomization}  - crd.yaml\n  - widget.yaml\n`,
      'overlays/test/crd.yaml': refusedCrd,
      'overlays/test/namespace.yaml': NAMESPACE,
      'overlays/test/deployment-web.yaml': v1,
      'overlays/test/widget.yaml': 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n',
    });
    repos.push(repo);
    const git = (...args: string[]) => execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo.root });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-qm', 'v1');
    // The selector (and the template labels with it) changes: immutable on a Deployment.
    const v2 = v1.replace(/app: web/g, 'app: web-v2');
    repo.write('overlays/test/deployment-web.yaml', v2);
    repo.write('overlays/test/kustomization.yaml', kustomization);
    await git('rm', '-q', 'overlays/test/widget.yaml', 'overlays/test/crd.yaml');
    await git('commit', '-qam', 'v2');
    const r = await gitops(repo.root, ['validate', '--apiserver', '--since', 'HEAD~1', '--format', 'json'], { TMPDIR: repo.tmp });
    const findings = r.json().findings as JsonFinding[];
    const immutable = findings.filter((f) => f.ruleId === 'apiserver/immutable');
    expect(immutable, r.stderr).toHaveLength(1);
    expect(immutable[0]!.message).toMatch(/Deployment\/web: spec\.selector: .*field is immutable/);
    expect(immutable[0]!.location).toMatchObject({ file: 'overlays/test/deployment-web.yaml', line: lineOf(v2, 'selector:') });
    expect(r.exitCode).toBe(1);
    const base = findings.filter((f) => f.ruleId === 'apiserver/base-not-rendered');
    expect(base).toHaveLength(1);
    expect(base[0]).toMatchObject({ severity: 'info' });
    expect(base[0]!.message).toMatch(/2 object\(s\) of the base revision were not created \(CustomResourceDefinition\/widgets\.example\.com \(.*storage.*\); Widget\/gadget \(unknown kind\)\)/);
    expect(base[0]!.message).not.toMatch(/not established/);
    // Without --since the same tree is fine: the finding comes from the base revision.
    const plain = await gitops(repo.root, ['validate', 'overlays/test', '--apiserver', '--format', 'json'], { TMPDIR: repo.tmp });
    expect((plain.json().findings as JsonFinding[]).filter((f) => f.ruleId.startsWith('apiserver/') && f.severity === 'error')).toEqual([]);
    expect(processesWith(repo.tmp)).toEqual([]);
  });

  it('a cluster does not inherit the CRDs of the cluster checked before it on the same control plane', async () => {
    const crd = widgetCrd('type: object\nx-kubernetes-preserve-unknown-fields: true');
    const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n  namespace: shop\n';
    const kustomization = (extra: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n${extra}  - widget.yaml\n`;
    const repo = apiRepo({
      // Checked first (clusters in name order): it declares the CRD and uses it.
      'overlays/a/kustomization.yaml': kustomization('  - crd.yaml\n'),
      'overlays/a/crd.yaml': crd,
      'overlays/a/namespace.yaml': NAMESPACE,
      'overlays/a/widget.yaml': widget,
      // Uses the kind without declaring it: its cluster has no such CRD.
      'overlays/b/kustomization.yaml': kustomization(''),
      'overlays/b/namespace.yaml': NAMESPACE,
      'overlays/b/widget.yaml': widget,
    });
    repos.push(repo);
    const r = await gitops(repo.root, ['validate', '--apiserver', '--format', 'json'], { TMPDIR: repo.tmp });
    const unknown = (r.json().findings as JsonFinding[]).filter((f) => f.ruleId === 'apiserver/unknown-kind');
    expect(unknown.map((f) => `${f.target} ${f.location?.file}`), r.stderr).toEqual(['overlays/b overlays/b/widget.yaml']);
    expect(processesWith(repo.tmp)).toEqual([]);
  });

  it('a stage that runs out of time is incomplete (exit 2), says so, and leaves no process or folder', async () => {
    const repo = apiRepo({
      'gitops.yaml': `${readFileSync(path.join(REPO, 'gitops.yaml'), 'utf8').replace(/timeoutSeconds: 300/, 'timeoutSeconds: 1')}`,
      'overlays/test/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n',
      'overlays/test/namespace.yaml': NAMESPACE,
    });
    repos.push(repo);
    expect(readFileSync(path.join(repo.root, 'gitops.yaml'), 'utf8')).toMatch(/timeoutSeconds: 1\n/);
    const r = await gitops(repo.root, ['validate', 'overlays/test', '--apiserver', '--format', 'json'], { TMPDIR: repo.tmp });
    expect(r.exitCode).toBe(2);
    const tool = (r.json().findings as JsonFinding[]).filter((f) => f.ruleId === 'tool/apiserver-timeout');
    expect(tool).toHaveLength(1);
    expect(tool[0]!.message).toMatch(/did not finish within 1s/);
    expect(r.json().summary.incomplete).toBe(true);
    expect(processesWith(repo.tmp)).toEqual([]);
    expect(readdirSync(repo.tmp)).toEqual([]);
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`a gate killed by ${signal} while the API server runs leaves no process behind`, async () => {
      const repo = apiRepo({
        'overlays/test/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace.yaml\n',
        'overlays/test/namespace.yaml': NAMESPACE,
      });
      repos.push(repo);
      const gate = spawn('node', [CLI, 'validate', 'overlays/test', '--apiserver'], {
        cwd: repo.root, env: { ...process.env, TMPDIR: repo.tmp }, stdio: 'ignore',
      });
      const exited = new Promise((resolve) => gate.on('exit', resolve));
      // Wait until etcd and kube-apiserver of this run are up, then kill the gate.
      const up = await eventually(() => processesWith(repo.tmp).filter((p) => /kube-apiserver|etcd/.test(p)).length >= 2, 60_000);
      expect(up).toBe(true);
      gate.kill(signal);
      await exited;
      expect(await eventually(() => processesWith(repo.tmp).length === 0, 15_000), processesWith(repo.tmp).join('\n')).toBe(true);
      // SIGTERM runs the gate's own cleanup; after SIGKILL the watchdog removes the folder.
      expect(await eventually(() => readdirSync(repo.tmp).length === 0, 10_000), readdirSync(repo.tmp).join(', ')).toBe(true);
    });
  }

  it('--apiserver=apply runs the workloads on kwok nodes and reports, with the reason, what never becomes ready', async () => {
    const stuck = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stuck
spec:
  replicas: 1
  selector:
    matchLabels:
      app: stuck
  template:
    metadata:
      labels:
        app: stuck
    spec:
      nodeSelector:
        disktype: ssd
      containers:
        - name: stuck
          image: registry.k8s.io/pause:3.10
`;
    const statefulset = `---
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
    - name: pg
      port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 2
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: registry.k8s.io/pause:3.10
          volumeMounts:
            - name: data
              mountPath: /data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
`;
    const repo = apiRepo({
      'gitops.yaml': readFileSync(path.join(REPO, 'gitops.yaml'), 'utf8').replace(/readyTimeoutSeconds: \d+/, 'readyTimeoutSeconds: 30'),
      'overlays/test/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: shop\nresources:\n  - namespace.yaml\n  - deployment-web.yaml\n  - statefulset.yaml\n  - deployment-stuck.yaml\n',
      'overlays/test/namespace.yaml': NAMESPACE,
      'overlays/test/deployment-web.yaml': PORT_DEPLOYMENT.replace('http-metrics-endpoint', 'http').replace('replicas: 1', 'replicas: 2'),
      'overlays/test/statefulset.yaml': statefulset,
      'overlays/test/deployment-stuck.yaml': stuck,
    }, APPLY_TOOLS);
    repos.push(repo);
    const r = await gitops(repo.root, ['validate', 'overlays/test', '--apiserver=apply', '--format', 'json'], { TMPDIR: repo.tmp });
    expect(r.exitCode, r.stderr).toBe(1);
    const findings = r.json().findings as JsonFinding[];
    const notReady = findings.filter((f) => f.ruleId === 'apiserver/not-ready');
    expect(notReady).toHaveLength(1);
    expect(notReady[0]!.message).toMatch(/^Deployment\/stuck: not Available after 30s .*FailedScheduling: .*node\(s\) didn't match Pod's node affinity\/selector/);
    expect(notReady[0]!.location).toMatchObject({ file: 'overlays/test/deployment-stuck.yaml', line: lineOf(stuck, 'apiVersion: apps/v1') });
    const summary = findings.filter((f) => f.ruleId === 'apiserver/readiness');
    expect(summary.map((f) => f.message)).toEqual(['test: applied on kwok nodes: 1/2 Deployments Available, 1/1 StatefulSets Ready, 2/2 claims Bound']);
    expect(processesWith(repo.tmp)).toEqual([]);
    expect(readdirSync(repo.tmp)).toEqual([]);
  });

  it('the repository: every cluster passes the API server (0 errors), and overlays/prod runs: every Deployment Available', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'gitops-apitest-'));
    try {
      const dry = await gitops(REPO, ['validate', '--apiserver', '--format', 'json'], { TMPDIR: tmp });
      const report = dry.json();
      expect(report.summary.incomplete, dry.stderr).toBe(false);
      expect((report.findings as JsonFinding[]).filter((f) => f.severity === 'error')).toEqual([]);
      expect(dry.exitCode).toBe(0);
      expect(String((report.summary.tools as Record<string, string>).apiserver)).toContain('(dry-run)');

      const apply = await gitops(REPO, ['validate', 'overlays/prod', '--apiserver=apply', '--format', 'json'], { TMPDIR: tmp });
      const findings = apply.json().findings as JsonFinding[];
      expect(findings.filter((f) => f.ruleId === 'apiserver/not-ready' || f.ruleId.startsWith('tool/'))).toEqual([]);
      const rendered = await execa(path.join(REPO, '.tools/bin/kustomize'), ['build', path.join(REPO, 'overlays/prod')]);
      const deployments = (rendered.stdout.match(/^kind: Deployment$/gm) ?? []).length;
      const statefulsets = (rendered.stdout.match(/^kind: StatefulSet$/gm) ?? []).length;
      expect(deployments).toBeGreaterThan(0);
      const summary = findings.filter((f) => f.ruleId === 'apiserver/readiness').map((f) => f.message);
      expect(summary).toHaveLength(1);
      expect(summary[0]).toContain(`${deployments}/${deployments} Deployments Available, ${statefulsets}/${statefulsets} StatefulSets Ready`);
      expect(summary[0]).toMatch(/(\d+)\/\1 claims Bound/);
      expect(apply.exitCode).toBe(0);
      expect(processesWith(tmp)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('every listener of the control plane (apply mode: controllers and kwok too) is on 127.0.0.1', async () => {
    const bin = (n: string) => path.join(REPO, '.tools/bin', n);
    const plane = await ControlPlane.start({
      binaries: {
        etcd: bin('etcd'), kubeApiserver: bin('kube-apiserver'), kubeControllerManager: bin('kube-controller-manager'),
        kubeScheduler: bin('kube-scheduler'), kwok: bin('kwok'),
      },
      controllers: true, startTimeoutMs: 90_000, kwokConfig: kwokConfig(),
    });
    try {
      // Give the controllers a moment to open whatever they open.
      await new Promise((r) => setTimeout(r, 3000));
      const groups = new Set(plane.services.map((s) => s.pid));
      const inodes = new Set<string>();
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
          if (!groups.has(pgrp)) continue;
          for (const fd of readdirSync(`/proc/${pid}/fd`)) {
            const m = /^socket:\[(\d+)\]$/.exec(readlinkSafe(`/proc/${pid}/fd/${fd}`));
            if (m) inodes.add(m[1]!);
          }
        } catch {
          /* gone */
        }
      }
      const listening: string[] = [];
      for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
        for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
          const cols = line.trim().split(/\s+/);
          if (cols[3] !== '0A' || !inodes.has(cols[9]!)) continue; // 0A: LISTEN
          listening.push(cols[1]!.split(':')[0]!);
        }
      }
      // etcd (client, peer), kube-apiserver and kwok at least.
      expect(listening.length).toBeGreaterThanOrEqual(4);
      for (const addr of listening) expect(['0100007F', '0000000000000000FFFF00000100007F']).toContain(addr);
    } finally {
      await plane.stop();
    }
    expect(plane.services.every((s) => !s.running)).toBe(true);
  });
});

function readlinkSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}
