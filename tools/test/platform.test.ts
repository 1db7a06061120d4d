/**
 * The platform as declared: every overlay renders with the real kustomize, standalone, and holds a
 * few structural facts that single-resource policies would not state (the gate's Rego policies
 * check the rest). The compose file's build targets are looked up in the Dockerfiles it builds,
 * parsed with dockerfile-ast.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KUSTOMIZE = path.join(REPO, '.tools/bin/kustomize');
const ENVS = ['dev', 'staging', 'prod'] as const;
type Env = (typeof ENVS)[number];

type Obj = Record<string, any>;

const rendered = new Map<Env, Obj[]>();

async function render(dir: string): Promise<Obj[]> {
  const result = await execa(KUSTOMIZE, ['build', dir], { cwd: REPO, reject: false });
  if (result.exitCode !== 0) throw new Error(`kustomize build ${dir} failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

function find(objs: Obj[], kind: string, name: string, namespace = 'funlynk'): Obj {
  const hit = objs.find((o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? null) === namespace);
  if (!hit) throw new Error(`${kind}/${name} not rendered`);
  return hit;
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

beforeAll(async () => {
  const results = await Promise.all(ENVS.map((env) => render(`overlays/${env}`)));
  ENVS.forEach((env, i) => rendered.set(env, results[i] as Obj[]));
});

describe.each(ENVS)('overlays/%s', (env) => {
  const objs = (): Obj[] => rendered.get(env) as Obj[];

  it('renders the whole platform in namespaces funlynk and istio-ingress, and only the ClusterIssuer\'s DNS token in cert-manager', () => {
    const kinds = new Set(objs().map((o) => o.kind));
    for (const kind of ['Namespace', 'Deployment', 'StatefulSet', 'Service', 'HorizontalPodAutoscaler', 'Gateway', 'VirtualService', 'AuthorizationPolicy', 'ServiceMonitor', 'PrometheusRule', 'ExternalSecret', 'Certificate']) {
      expect(kinds, kind).toContain(kind);
    }
    const namespaces = new Set(objs().filter((o) => o.kind !== 'Namespace').map((o) => o.metadata?.namespace));
    expect([...namespaces].filter((n) => n !== undefined).sort()).toEqual(['cert-manager', 'funlynk', 'istio-ingress']);
    const inCertManager = objs().filter((o) => o.metadata?.namespace === 'cert-manager').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(inCertManager.sort()).toEqual(['ExternalSecret/cloudflare-api-token', 'SecretStore/vault', 'ServiceAccount/vault-auth']);
    const cluster = objs().filter((o) => o.metadata?.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(cluster.sort()).toEqual(['ClusterIssuer/letsencrypt', 'Namespace/funlynk', 'Namespace/istio-ingress']);
  });

  it('leaves replicas to the HPA of every autoscaled Deployment, with the container it measures', () => {
    const hpas = objs().filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['admin-dashboard', 'backend']);
    for (const hpa of hpas) {
      const deployment = find(objs(), hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      expect(deployment.spec.replicas, `Deployment/${deployment.metadata.name}`).toBeUndefined();
      const names = deployment.spec.template.spec.containers.map((c: Obj) => c.name);
      for (const metric of hpa.spec.metrics) {
        expect(metric.type).toBe('ContainerResource');
        expect(names).toContain(metric.containerResource.container);
      }
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
  });

  it('keeps every PodDisruptionBudget satisfiable at the HPA minimum', () => {
    for (const pdb of objs().filter((o) => o.kind === 'PodDisruptionBudget')) {
      const workload = objs().find(
        (o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && matches(pdb.spec.selector.matchLabels, o.spec.template.metadata.labels),
      );
      expect(workload, `PodDisruptionBudget/${pdb.metadata.name}`).toBeDefined();
      const hpa = objs().find((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === workload?.metadata.name);
      const minimum = hpa ? hpa.spec.minReplicas : workload?.spec.replicas;
      expect(pdb.spec.minAvailable, `PodDisruptionBudget/${pdb.metadata.name}`).toBeLessThan(minimum);
    }
  });

  it('tags first-party images with an immutable release version', () => {
    const images = objs()
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .flatMap((o) => o.spec.template.spec.containers.map((c: Obj) => c.image as string));
    const own = images.filter((i) => i.startsWith('ghcr.io/funlynk/'));
    expect(own).toHaveLength(2);
    for (const image of own) expect(image).toMatch(/^ghcr\.io\/funlynk\/(backend|admin-dashboard):\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
    for (const image of images) expect(image).toMatch(/:[^:/]*\d[^:/]*(@sha256:[0-9a-f]{64})?$/);
  });

  it('points the ServiceMonitor at a port the backend Service has', () => {
    const monitor = find(objs(), 'ServiceMonitor', 'backend');
    const services = objs().filter((o) => o.kind === 'Service' && matches(monitor.spec.selector.matchLabels, o.metadata.labels));
    expect(services.map((s) => s.metadata.name)).toEqual(['backend']);
    const portNames = (services[0] as Obj).spec.ports.map((p: Obj) => p.name);
    for (const endpoint of monitor.spec.endpoints) expect(portNames).toContain(endpoint.port);
  });

  it('routes every VirtualService through the gateway to a rendered Service, one host each', () => {
    const gateway = find(objs(), 'Gateway', 'funlynk-gateway', 'istio-ingress');
    const gatewayHosts = new Set(gateway.spec.servers.flatMap((s: Obj) => s.hosts));
    const certificate = find(objs(), 'Certificate', 'funlynk-tls', 'istio-ingress');
    for (const vs of objs().filter((o) => o.kind === 'VirtualService')) {
      expect(vs.spec.hosts).toHaveLength(1);
      expect(gatewayHosts).toContain(`funlynk/${vs.spec.hosts[0]}`);
      expect(certificate.spec.dnsNames).toContain(vs.spec.hosts[0]);
      expect(vs.spec.gateways).toEqual(['istio-ingress/funlynk-gateway']);
      for (const route of vs.spec.http) {
        const host = route.route[0].destination.host as string;
        const [name, namespace] = host.split('.');
        expect(find(objs(), 'Service', name as string, namespace).spec.ports.map((p: Obj) => p.port)).toContain(route.route[0].destination.port.number);
      }
    }
    if (env !== 'prod') for (const host of gatewayHosts) expect(host).toMatch(new RegExp(`\\.${env}\\.funlynk\\.com$`));
  });
});

describe('overlays/local/compose.yaml', () => {
  const composeDir = path.join(REPO, 'overlays/local');
  const compose = parse(readFileSync(path.join(composeDir, 'compose.yaml'), 'utf8')) as Obj;

  it('builds only targets that exist in our Dockerfiles (checked out as funlynk-gitops beside the apps)', () => {
    const built = Object.entries(compose.services as Record<string, Obj>).filter(([, s]) => s.build);
    expect(built.map(([name]) => name).sort()).toEqual(['admin-dashboard', 'backend']);
    for (const [name, service] of built) {
      const context = path.resolve(composeDir, service.build.context);
      expect(path.dirname(context)).toBe(path.resolve(REPO, '..'));
      // `dockerfile` is relative to the context: ../<this repository>/base/<service>/Dockerfile.
      const [repoDir, ...rest] = path.relative(path.dirname(context), path.resolve(context, service.build.dockerfile)).split(path.sep);
      expect(repoDir).toBe('funlynk-gitops');
      expect(rest.join('/')).toBe(`base/${name}/Dockerfile`);
      const dockerfile = DockerfileParser.parse(readFileSync(path.join(REPO, ...rest), 'utf8'));
      const stages = dockerfile.getFROMs().map((f) => f.getBuildStage());
      expect(stages, `${name}: target ${service.build.target}`).toContain(service.build.target);
    }
  });

  it('mounts only files that exist in this repository and publishes only on 127.0.0.1', () => {
    for (const [name, service] of Object.entries(compose.services as Record<string, Obj>)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(path.resolve(composeDir, source)), `${name}: ${source}`).toBe(true);
      }
      for (const port of (service.ports ?? []) as string[]) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    for (const [name, secret] of Object.entries(compose.secrets as Record<string, Obj>)) {
      expect(existsSync(path.resolve(composeDir, `${secret.file}.example`)), `secret ${name}`).toBe(true);
    }
  });
});
