# METADATA
# title: Workloads reference only objects that exist
# description: >-
#   serviceAccountName, configMap/secret/projected/PVC volumes, envFrom, env valueFrom and
#   imagePullSecrets must name objects of the workload's namespace that the target declares, or
#   that it produces (a Secret from an ExternalSecret's spec.target.name (default its name), a
#   SealedSecret, or a cert-manager Certificate's spec.secretName), or names listed in
#   policy.external.{secrets,configMaps,serviceAccounts} of gitops.yaml. Optional references are skipped.
# scope: package
# custom:
#   id: k8s/references
#   input: kubernetes
#   severity: error
#   kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A missing ServiceAccount blocks pod creation; a missing ConfigMap, Secret or claim leaves pods in ContainerCreating or CreateContainerConfigError while every object applies cleanly.
#   baseline: 'Kubernetes object references; seed review #22'
package rules.k8s.references

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

w := kubernetes.resource if kubernetes.is_workload(kubernetes.resource)

ns := kubernetes.namespace_of(w)

spec_path := kubernetes.pod_spec_path(w)

spec := kubernetes.pod_spec(w)

external(kind) := {n | some n in object.get(data.config, ["external", kind], [])}

# Names of each referenced kind that exist once the target is applied.
available("ServiceAccount") := wiring.names("ServiceAccount", ns) | external("serviceAccounts")

available("ConfigMap") := wiring.names("ConfigMap", ns) | external("configMaps")

available("Secret") := wiring.produced_secrets(ns) | external("secrets")

available("PersistentVolumeClaim") := wiring.names("PersistentVolumeClaim", ns)

# refs: {"kind", "name", "field", "what"} for every non-optional reference.
refs contains {"kind": "ServiceAccount", "name": spec.serviceAccountName, "field": sprintf("%s.serviceAccountName", [spec_path]), "what": "serviceAccountName"}

refs contains {"kind": "Secret", "name": s.name, "field": concat("", [kubernetes.item_path(spec_path, "imagePullSecrets", i), ".name"]), "what": "imagePullSecrets"} if {
	some i, s in object.get(spec, "imagePullSecrets", [])
}

refs contains {"kind": "ConfigMap", "name": v.configMap.name, "field": concat("", [kubernetes.item_path(spec_path, "volumes", i), ".configMap.name"]), "what": sprintf("volume '%s'", [v.name])} if {
	some i, v in object.get(spec, "volumes", [])
	not v.configMap.optional
}

refs contains {"kind": "Secret", "name": v.secret.secretName, "field": concat("", [kubernetes.item_path(spec_path, "volumes", i), ".secret.secretName"]), "what": sprintf("volume '%s'", [v.name])} if {
	some i, v in object.get(spec, "volumes", [])
	not v.secret.optional
}

refs contains {"kind": "PersistentVolumeClaim", "name": v.persistentVolumeClaim.claimName, "field": concat("", [kubernetes.item_path(spec_path, "volumes", i), ".persistentVolumeClaim.claimName"]), "what": sprintf("volume '%s'", [v.name])} if {
	some i, v in object.get(spec, "volumes", [])
}

projected_kinds := {"configMap": "ConfigMap", "secret": "Secret"}

refs contains {"kind": kind, "name": src[key].name, "field": sprintf("%s.volumes[%d].projected.sources[%d].%s.name", [spec_path, i, j, key]), "what": sprintf("volume '%s'", [v.name])} if {
	some i, v in object.get(spec, "volumes", [])
	some j, src in v.projected.sources
	some key, kind in projected_kinds
	not src[key].optional
}

env_from_kinds := {"configMapRef": "ConfigMap", "secretRef": "Secret"}

refs contains {"kind": kind, "name": e[key].name, "field": concat("", [kubernetes.item_path(c.path, "envFrom", i), ".", key, ".name"]), "what": sprintf("container '%s' envFrom", [c.container.name])} if {
	some c in kubernetes.containers(w)
	some i, e in object.get(c.container, "envFrom", [])
	some key, kind in env_from_kinds
	not e[key].optional
}

env_kinds := {"configMapKeyRef": "ConfigMap", "secretKeyRef": "Secret"}

refs contains {"kind": kind, "name": e.valueFrom[key].name, "field": concat("", [kubernetes.item_path(c.path, "env", i), ".valueFrom.", key, ".name"]), "what": sprintf("container '%s' env %s", [c.container.name, e.name])} if {
	some c in kubernetes.containers(w)
	some i, e in object.get(c.container, "env", [])
	some key, kind in env_kinds
	not e.valueFrom[key].optional
}

producers := {
	"ServiceAccount": "no ServiceAccount",
	"ConfigMap": "no ConfigMap",
	"Secret": "no Secret, ExternalSecret, SealedSecret or Certificate",
	"PersistentVolumeClaim": "no PersistentVolumeClaim",
}

config_key := {"ServiceAccount": "serviceAccounts", "ConfigMap": "configMaps", "Secret": "secrets"}

hint(kind) := sprintf("; declare it or, when a controller creates it at runtime, list it in policy.external.%s of gitops.yaml", [config_key[kind]])

hint("PersistentVolumeClaim") := "; declare the claim or use volumeClaimTemplates"

resolves(r) if r.name in available(r.kind)

violation contains {"msg": msg, "field": r.field} if {
	some r in refs
	not resolves(r)
	msg := sprintf(
		"%s: %s references %s '%s', but %s in the target creates it in namespace %s%s",
		[kubernetes.display(w), r.what, r.kind, r.name, producers[r.kind], wiring.ns_display(ns), hint(r.kind)],
	)
}
