/**
 * A throwaway Kubernetes control plane on loopback: etcd and kube-apiserver (and, to apply for
 * real, kube-controller-manager, kube-scheduler and kwok for fake nodes). Everything listens on
 * 127.0.0.1 only, the Service CIDR is on loopback, endpoints are never reconciled to a routable
 * address, and the token, keys, certificates and etcd data live in one temp folder outside the
 * repository that is removed on stop.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ToolError } from '../util/errors.js';
import { KubeClient } from './client.js';
import { startService, type Service } from '../util/services.js';
import { removeTempDir, tempDir } from '../util/process.js';

/** The binaries of tools/versions.json a control plane needs. */
export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  /** Only to apply for real. */
  kubeControllerManager?: string;
  kubeScheduler?: string;
  kwok?: string;
}

export interface ControlPlaneOptions {
  binaries: ControlPlaneBinaries;
  /** Start the controllers and kwok too (apply for real). */
  controllers: boolean;
  /** Give up when the API server is not ready after this long. */
  startTimeoutMs: number;
  /** kwok configuration (stages) to hand to kwok, as YAML. */
  kwokConfig?: string;
  progress?: (line: string) => void;
}

/** Service CIDR on loopback: ClusterIPs the dry-runs allocate can never route off the machine. */
export const SERVICE_CIDR = '127.0.0.0/16';

export class ControlPlane {
  private constructor(
    readonly dir: string,
    readonly client: KubeClient,
    readonly services: Service[],
    readonly kubeconfig: string,
    readonly logFile: string,
  ) {}

  /** Starts etcd and kube-apiserver (and the controllers) and waits until /readyz answers ok. */
  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const dir = tempDir('gitops-apiserver-');
    const services: Service[] = [];
    const logFile = path.join(dir, 'control-plane.log');
    const logFd = openSync(logFile, 'a');
    const stopAll = async (): Promise<void> => {
      await Promise.all(services.map((s) => s.stop()));
    };
    try {
      const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
      const etcdDir = path.join(dir, 'etcd');
      const certDir = path.join(dir, 'certs');
      mkdirSync(etcdDir, { mode: 0o700 });
      mkdirSync(certDir, { mode: 0o700 });

      const token = randomBytes(24).toString('hex');
      const tokens = path.join(dir, 'tokens.csv');
      writeFileSync(tokens, `${token},gitops-admin,gitops-admin,"system:masters"\n`, { mode: 0o600 });
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const saKey = path.join(dir, 'sa.key');
      const saPub = path.join(dir, 'sa.pub');
      writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));

      opts.progress?.(`apiserver: starting etcd and kube-apiserver on 127.0.0.1 (${dir})`);
      const etcdUrl = `http://127.0.0.1:${etcdClient}`;
      const peerUrl = `http://127.0.0.1:${etcdPeer}`;
      services.push(startService('etcd', opts.binaries.etcd, [
        '--name=gitops',
        `--data-dir=${etcdDir}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=gitops=${peerUrl}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ], { logFd, cleanupDir: dir }));

      services.push(startService('kube-apiserver', opts.binaries.kubeApiserver, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokens}`,
        '--authorization-mode=RBAC',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--endpoint-reconciler-type=none',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${saPub}`,
        `--service-account-signing-key-file=${saKey}`,
        // Real clusters allow privileged containers; the policies judge them, not this flag.
        '--allow-privileged=true',
        '--profiling=false',
        '--enable-priority-and-fairness=false',
        '--v=0',
      ], { logFd, cleanupDir: dir }));

      const server = `https://127.0.0.1:${apiPort}`;
      const caFile = path.join(certDir, 'apiserver.crt');
      const deadline = Date.now() + opts.startTimeoutMs;
      await waitFor(deadline, services, async () => existsSync(caFile), 'kube-apiserver to write its certificate', opts.startTimeoutMs);
      const client = new KubeClient(server, readFileSync(caFile, 'utf8'), token);
      await waitFor(deadline, services, async () => (await client.raw('GET', '/readyz')).status === 200, 'kube-apiserver to become ready', opts.startTimeoutMs);

      const kubeconfig = path.join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigText(server, caFile, token), { mode: 0o600 });
      const plane = new ControlPlane(dir, client, services, kubeconfig, logFile);
      if (opts.controllers) await plane.startControllers(opts, saKey, caFile);
      return plane;
    } catch (err) {
      await stopAll();
      const log = tail(logFile);
      removeTempDir(dir);
      if (err instanceof ToolError) throw new ToolError(err.tool, err.message, log);
      throw err;
    } finally {
      // Services keep their own descriptor of the log.
      closeSync(logFd);
    }
  }

  private async startControllers(opts: ControlPlaneOptions, saKey: string, caFile: string): Promise<void> {
    const b = opts.binaries;
    if (!b.kubeControllerManager || !b.kubeScheduler || !b.kwok) {
      throw new ToolError('kube-controller-manager', 'applying for real needs kube-controller-manager, kube-scheduler and kwok');
    }
    const logFd = openSync(this.logFile, 'a');
    try {
      opts.progress?.('apiserver: starting kube-controller-manager, kube-scheduler and kwok');
      this.services.push(startService('kube-controller-manager', b.kubeControllerManager, [
        `--kubeconfig=${this.kubeconfig}`,
        '--secure-port=0',
        '--leader-elect=false',
        `--service-account-private-key-file=${saKey}`,
        `--root-ca-file=${caFile}`,
        '--use-service-account-credentials=false',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--allocate-node-cidrs=false',
        // Nothing outside answers here: cloud and IPAM controllers have nothing to do.
        '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
        '--v=0',
      ], { logFd, cleanupDir: this.dir }));
      this.services.push(startService('kube-scheduler', b.kubeScheduler, [
        `--kubeconfig=${this.kubeconfig}`,
        '--secure-port=0',
        '--leader-elect=false',
        '--v=0',
      ], { logFd, cleanupDir: this.dir }));
      const kwokConfig = path.join(this.dir, 'kwok.yaml');
      writeFileSync(kwokConfig, opts.kwokConfig ?? '');
      const [kwokPort] = await freePorts(1);
      this.services.push(startService('kwok', b.kwok, [
        `--kubeconfig=${this.kubeconfig}`,
        `--config=${kwokConfig}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        `--server-address=127.0.0.1:${kwokPort}`,
        '--node-ip=127.0.0.1',
        '--cidr=127.1.0.0/16',
        '--node-lease-duration-seconds=40',
      ], { logFd, cleanupDir: this.dir, env: { HOME: this.dir } }));
      // Whether they work shows once the fake nodes are Ready (index.ts, waitUntil).
    } finally {
      closeSync(logFd);
    }
  }

  /**
   * Waits until `ready()` holds, failing with the service that stopped meanwhile, or after
   * `timeoutMs`; the failure carries the end of the control plane's log, as a failed start does.
   */
  async waitUntil(ready: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
    try {
      await waitFor(Date.now() + timeoutMs, this.services, ready, what, timeoutMs);
    } catch (err) {
      if (err instanceof ToolError) throw new ToolError(err.tool, err.message, err.stderr || tail(this.logFile));
      throw err;
    }
  }

  /** Stops every service (the whole process group of each) and removes the temp folder. */
  async stop(): Promise<void> {
    this.client.close();
    await Promise.all([...this.services].reverse().map((s) => s.stop()));
    removeTempDir(this.dir);
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function kubeconfigText(server: string, caFile: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: gitops\n  cluster:\n    server: ${server}\n    certificate-authority: ${caFile}`,
    'users:',
    `- name: gitops-admin\n  user:\n    token: ${token}`,
    'contexts:',
    '- name: gitops\n  context:\n    cluster: gitops\n    user: gitops-admin',
    'current-context: gitops',
    '',
  ].join('\n');
}

/** Ports that were free on 127.0.0.1 a moment ago. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Polls `ready` every 200 ms until it holds; a service that exits or the deadline ends the wait. */
async function waitFor(deadline: number, services: Service[], ready: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  for (;;) {
    const dead = services.find((s) => !s.running);
    if (dead) {
      const exit = await dead.exited;
      const how = exit.startError ?? (exit.signal ? `killed by ${exit.signal}` : `exited ${exit.exitCode}`);
      throw new ToolError(dead.name, `${dead.name} stopped while waiting for ${what}: ${how}`);
    }
    try {
      if (await ready()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      // Each wait has a cap of its own below the stage's limit: no settings key to name here.
      throw new ToolError('apiserver-timeout', `timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
