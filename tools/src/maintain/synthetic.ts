/**
 * Synthetic repositories for the benchmark and the profiles: N apps of ten objects each (a
 * Namespace with its ResourceQuota and LimitRange, ServiceAccount, ConfigMap, Deployment, Service,
 * HorizontalPodAutoscaler, PodDisruptionBudget and a default-deny NetworkPolicy), written to a
 * folder outside the user's repository. The gate's settings, schemas and policies are linked from
 * the real repository, so the synthetic tree is checked exactly as the repository is.
 *
 * Two layouts of the same objects:
 * - `overlays`: overlays/set-<k>/ kustomization roots of `appsPerOverlay` apps each;
 * - `folder`: one plain folder `manifests/` with one file per app (a PATH target).
 */
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { CONFIG_FILE } from '../util/config.js';

export type SyntheticLayout = 'overlays' | 'folder';

export interface SyntheticOptions {
  apps: number;
  layout: SyntheticLayout;
  /** Apps per kustomization root in the `overlays` layout (default 10, 100 objects). */
  appsPerOverlay?: number;
}

export interface SyntheticTree {
  /** The synthetic repository root (holds gitops.yaml). */
  root: string;
  /** What to pass to `gitops validate`: [] for the whole repository, or the plain folder. */
  paths: string[];
  /** Objects written. */
  resources: number;
  /** Kustomization roots (overlays layout) or 1 (folder). */
  targets: number;
}

export const OBJECTS_PER_APP = 10;

/** The ten objects of app number `i`. */
export function appObjects(i: number): Array<Record<string, unknown>> {
  const name = `app-${String(i).padStart(5, '0')}`;
  const ns = name;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'synthetic' };
  const selector = { 'app.kubernetes.io/name': name };
  const meta = (extra: Record<string, unknown> = {}) => ({ name, namespace: ns, labels, ...extra });
  const restricted = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
    runAsGroup: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...labels, 'istio-injection': 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    {
      apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta(),
      spec: { hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.cpu': '8', 'limits.memory': '16Gi', pods: '20' } },
    },
    {
      apiVersion: 'v1', kind: 'LimitRange', metadata: meta(),
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }] },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(), automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { LOG_LEVEL: 'info', PORT: '8080' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(),
      spec: {
        replicas: 2,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'app',
              image: `ghcr.io/funlynk/${name}:1.0.${i}`,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name } }],
              resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
              securityContext: restricted,
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: meta(),
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    },
    {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta(),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 2, maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(), spec: { minAvailable: 1, selector: { matchLabels: selector } } },
    {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { ...meta(), name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
  ];
}

function appFile(i: number): string {
  return appObjects(i).map((o) => `---\n${stringify(o)}`).join('');
}

/** Writes a synthetic repository into `dir` (an empty folder outside the user's repository). */
export function writeSyntheticTree(repoRoot: string, dir: string, opts: SyntheticOptions): SyntheticTree {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(repoRoot, CONFIG_FILE), path.join(dir, CONFIG_FILE));
  symlinkSync(path.join(repoRoot, 'schemas'), path.join(dir, 'schemas'), 'dir');
  symlinkSync(path.join(repoRoot, 'policies'), path.join(dir, 'policies'), 'dir');
  mkdirSync(path.join(dir, 'tools'));
  copyFileSync(path.join(repoRoot, 'tools', 'versions.json'), path.join(dir, 'tools', 'versions.json'));
  // The pinned tools, when set up (validate finds kustomize and kubeconform there).
  if (existsSync(path.join(repoRoot, '.tools'))) symlinkSync(path.join(repoRoot, '.tools'), path.join(dir, '.tools'), 'dir');
  const resources = opts.apps * OBJECTS_PER_APP;
  if (opts.layout === 'folder') {
    const folder = path.join(dir, 'manifests');
    mkdirSync(folder);
    for (let i = 0; i < opts.apps; i++) writeFileSync(path.join(folder, `app-${String(i).padStart(5, '0')}.yaml`), appFile(i));
    return { root: dir, paths: ['manifests'], resources, targets: 1 };
  }
  const per = Math.max(1, opts.appsPerOverlay ?? 10);
  let targets = 0;
  for (let start = 0; start < opts.apps; start += per) {
    const overlay = path.join(dir, 'overlays', `set-${String(targets).padStart(4, '0')}`);
    mkdirSync(overlay, { recursive: true });
    const files: string[] = [];
    for (let i = start; i < Math.min(opts.apps, start + per); i++) {
      const file = `app-${String(i).padStart(5, '0')}.yaml`;
      writeFileSync(path.join(overlay, file), appFile(i));
      files.push(file);
    }
    writeFileSync(path.join(overlay, 'kustomization.yaml'), stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }));
    targets += 1;
  }
  return { root: dir, paths: [], resources, targets };
}
