/**
 * The catalogue of the rule ids the gate emits itself (not a Rego policy): the one place that says
 * each one's severity, whether it makes the run incomplete, its title and what it means. Read by
 * the summary and JUnit (incomplete), SARIF (rule descriptors) and the docs generator (the section
 * of docs/POLICIES.md that SARIF's help links point at). A test fails for an emitted id that is
 * not here.
 */
import type { Severity } from '../pipeline/types.js';

export interface GateRule {
  id: string;
  severity: Severity;
  /** The finding says a check could not run: the run is incomplete (exit 2). */
  incomplete: boolean;
  title: string;
  /** What it means and what to do, for the docs. */
  doc: string;
}

const input = (id: string, title: string, doc: string): GateRule => ({ id: `input/${id}`, severity: 'error', incomplete: true, title, doc });
const tool = (id: string, title: string, doc: string): GateRule => ({ id: `tool/${id}`, severity: 'error', incomplete: true, title, doc });
const schema = (id: string, title: string, doc: string): GateRule => ({ id: `schema/${id}`, severity: 'error', incomplete: false, title, doc });

const apiserver = (id: string, title: string, doc: string, severity: Severity = 'error'): GateRule => ({ id: `apiserver/${id}`, severity, incomplete: false, title, doc });

/** What the loopback kube-apiserver says (docs/gate.md, "API server"): one id per kind of rejection. */
const APISERVER_RULES: GateRule[] = [
  apiserver('invalid', 'The API server rejects a value', 'A field value the server refuses (FieldValueInvalid): a port name over 15 characters, a label value or object name that is not valid, a selector that does not match its template, a CEL rule (x-kubernetes-validations) of a CRD. The message is the server\'s.'),
  apiserver('immutable', 'An immutable field changes', 'Against the base revision (--since REF) an update changes a field the server never lets change (a Deployment selector, StatefulSet volumeClaimTemplates or serviceName, a Service clusterIP): delete and recreate, or keep the field.'),
  apiserver('required', 'The API server requires a field', 'A field the server requires is missing (FieldValueRequired).'),
  apiserver('duplicate', 'A duplicate value', 'A value that must be unique repeats (FieldValueDuplicate), e.g. two Service ports with one name.'),
  apiserver('not-supported', 'A value the server does not support', 'A value outside the allowed set (FieldValueNotSupported).'),
  apiserver('forbidden', 'The API server forbids it', 'A field or combination the server forbids (FieldValueForbidden, e.g. a PodDisruptionBudget with both minAvailable and maxUnavailable), or an admission plugin refuses the object.'),
  apiserver('too-long', 'A value is too long', 'A value over the server\'s length limit (FieldValueTooLong).'),
  apiserver('too-many', 'Too many items', 'A list over the server\'s limit (FieldValueTooMany).'),
  apiserver('type-invalid', 'A value of the wrong type', 'The server cannot decode a value as its type (FieldValueTypeInvalid).'),
  apiserver('not-found', 'Something the object needs does not exist', 'The object needs another that the cluster\'s state does not hold, e.g. its namespace.'),
  apiserver('bad-request', 'The API server cannot read the object', 'The request is malformed for the server (BadRequest), e.g. an unknown field under strict field validation.'),
  apiserver('conflict', 'A conflicting change', 'The server reports a conflict applying the object.'),
  apiserver('rejected', 'The API server rejects the object', 'A rejection of a kind not listed above; the message is the server\'s.'),
  apiserver('unknown-kind', 'The API server serves no such kind', 'Neither Kubernetes nor a pinned or declared CRD provides the object\'s kind and version on the server.'),
  apiserver('not-ready', 'Never became ready on the fake cluster', 'With --apiserver=apply, a Deployment was not Available, a StatefulSet not Ready or a claim not Bound within apiserver.readyTimeoutSeconds; the message gives the conditions and warning events (FailedScheduling, FailedCreate ...).'),
  apiserver('warning', 'The API server warns', 'The server accepted the object with a warning (deprecations, finalizer names, PodSecurity levels); listed, not counted.', 'info'),
  apiserver('readiness', 'Readiness on the fake cluster', 'With --apiserver=apply: how many Deployments, StatefulSets and claims of a cluster became ready.', 'info'),
  apiserver('base-not-rendered', 'The base revision could not be rendered', 'With --since REF a target does not render at REF, REF cannot be read, or objects of REF are not created on the server; immutable-field changes of those objects are not checked.', 'info'),
];

export const GATE_RULES: readonly GateRule[] = [
  input('path', 'A PATH argument does not exist', 'A file or folder named on the command line does not exist (or is a kustomize Component, which is only checked through an overlay that uses it).'),
  input('yaml', 'A YAML file does not parse', 'A syntax error, a duplicate key or another YAML problem, at the line and column of the problem. Nothing in the file can be checked until it parses.'),
  input('encoding', 'A file is not UTF-8', 'Bytes that are not UTF-8 (Latin-1, Windows-1252 ...), at the line and column of the first one. Kubernetes and kustomize read UTF-8 only; the rest of the file is still checked. Re-save it as UTF-8.'),
  input('unreadable', 'A file cannot be read', 'A file the run needs cannot be read (missing, a dangling link, no permission); the error code is in the message.'),
  input('not-an-object', 'A document is not a mapping', 'A manifest document (or a compose file) is a list or a scalar where a mapping with apiVersion and kind (or services) is expected.'),
  input('missing-kind', 'A manifest has no apiVersion or kind', 'Every Kubernetes manifest needs apiVersion and kind; without them its schema and policies cannot be chosen.'),
  input('kustomize', 'kustomize build fails', 'The target does not render; kustomize\'s cause is in the message (without the temporary wrapper\'s paths), at the kustomization entry it is about (the missing resource, patch or generator file), else at the target\'s kustomization.'),
  input('remote-resource', 'A kustomization references remote content', 'Remote bases and resources are never fetched (kustomize runs without network): reported at the URL\'s line, and the target is not rendered. Keep kustomizations local and reach upstream content through a pinned Argo CD Application.'),
  input('dockerfile', 'A Dockerfile does not parse', 'The first parse problem of the Dockerfile, at its line; later problems are usually its consequences.'),
  input('compose-build', 'A compose build cannot be resolved', 'A service\'s build context or Dockerfile cannot be found, so its build target and ports cannot be checked.'),
  input('waiver', 'A waiver is malformed', 'An entry of policies/waivers.yaml lacks rule, owner, reason or expires, has a bad date, or names neither a resource nor a file.'),
  tool('kustomize', 'kustomize is not available or crashed', 'Neither the pinned kustomize (.tools/bin) nor kubectl is installed (run npx gitops setup), or kustomize crashed while rendering (a Go panic, killed by a signal, an exit code other than 1): the tool failed, not the kustomization; the panic or signal is in the message.'),
  tool('kustomize-timeout', 'kustomize build timed out', 'The render took longer than render.timeoutSeconds in gitops.yaml; kustomize and every process it started were stopped.'),
  tool('kubeconform', 'kubeconform is missing or failed', 'kubeconform was asked for with --schema-engine but is not installed, or it failed on the target.'),
  tool('schemas', 'The schema store cannot be opened', 'schemas/ is missing or does not hold the pinned Kubernetes version: run npx gitops schemas sync.'),
  tool('schema', 'A schema does not compile', 'The JSON Schema of an object (or of the compose specification) could not be compiled, so the object was not checked.'),
  tool('policy-bundle', 'The policy bundle is missing or stale', 'policies/build does not match the sources under policies/: run npx gitops policy build and commit it.'),
  tool('policy', 'A policy failed to evaluate', 'The wasm bundle could not be loaded or an evaluation failed; the document it was evaluating is named.'),
  schema('unknown-field', 'Unknown field', 'A field the schema of the kind does not define (often a typo or a field at the wrong level).'),
  schema('type', 'Wrong type', 'A value of the wrong type (a string where a number or a list is expected, ...).'),
  schema('required', 'Required field missing', 'A field the schema requires is missing, or an object has neither metadata.name nor metadata.generateName.'),
  schema('enum', 'Value not allowed', 'A value outside the set the schema allows.'),
  schema('unknown-kind', 'Kind without a schema', 'A kind that is neither a Kubernetes API of the pinned version, nor in the schema store, nor defined by a CRD in the same target. A *.k8s.io group that Kubernetes does not serve (Gateway API, VPA, volume snapshots) is named as a CRD group.'),
  schema('invalid', 'Does not match its schema', 'Any other schema violation (pattern, format, bounds, ...).'),
  schema('crd', 'A CustomResourceDefinition cannot be used', 'A CRD of the target whose schema cannot be converted, so objects of its kinds cannot be checked against it.'),
  input('helm', 'helm template fails', 'A pinned Helm chart of an Application does not render with its values; the first lines of helm\'s error are in the message, located at the Application\'s chart line (docs/charts.md).'),
  input('charts-lock', 'charts.lock.json cannot be read', 'The charts lock is not JSON or lacks repoURL, chart, version or a complete offline source; no chart of the cluster can be resolved (docs/charts.md).'),
  { id: 'charts/unrendered', severity: 'warning', incomplete: false, title: 'Helm chart not rendered', doc: 'A pinned chart of an Application is neither pulled nor available from its offline source in .cache/charts, so its objects are not checked; the message says why and what to run (gitops setup, gitops charts fetch --pull). An error, and the run incomplete, with --require-charts.' },
  { id: 'charts/not-locked', severity: 'error', incomplete: false, title: 'Helm chart version not in charts.lock.json', doc: 'An Application pins a chart version that charts.lock.json has no entry for: add the entry (source and content hash, docs/charts.md) with the version bump.' },
  { id: 'charts/values', severity: 'error', incomplete: false, title: 'Helm value file cannot be used', doc: 'A value file of a Helm source names a $ref no source declares, another repository or a URL, or does not exist; Argo CD would fail to render it.' },
  { id: 'remote/helm-chart', severity: 'info', incomplete: false, title: 'Helm chart not rendered offline', doc: 'An Argo CD Application deploys a Helm chart: listed so that what the gate does not render is visible, never skipped silently.' },
  { id: 'remote/git', severity: 'info', incomplete: false, title: 'Foreign git source not rendered offline', doc: 'An Argo CD Application deploys from another git repository than this one (gitops.yaml policy.argocd.repoUrls).' },
  tool('apiserver', 'The API server stage could not run', 'validate --apiserver needs etcd and kube-apiserver (and for =apply kube-controller-manager, kube-scheduler, kwok) in .tools/bin and the pinned CRDs in .tools/apiserver-crds.json (npx gitops setup --for apiserver), or the control plane failed to start; the message quotes its log.'),
  tool('apiserver-timeout', 'The API server stage ran out of time', 'Start, CRDs, every cluster and readiness took longer than apiserver.timeoutSeconds in gitops.yaml; every process of the stage was stopped.'),
  ...APISERVER_RULES,
  { id: 'waiver/expired', severity: 'error', incomplete: false, title: 'Waiver expired', doc: 'A waiver\'s expiry date has passed: fix the finding or renew the waiver with a new reason.' },
  { id: 'waiver/unused', severity: 'warning', incomplete: false, title: 'Waiver matches nothing', doc: 'A waiver matches no finding of a whole-repository run: remove it.' },
];

const BY_ID = new Map(GATE_RULES.map((r) => [r.id, r]));

export function gateRule(id: string): GateRule | undefined {
  return BY_ID.get(id);
}

/**
 * Whether findings of this rule say a check could not run. An id missing from the catalogue (a
 * test forbids it) still counts as incomplete when it is `input/` or `tool/`: never a silent pass.
 */
export function isIncompleteRule(id: string): boolean {
  const rule = BY_ID.get(id);
  return rule !== undefined ? rule.incomplete : id.startsWith('input/') || id.startsWith('tool/');
}
