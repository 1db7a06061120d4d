# METADATA
# title: AppArmor must not be disabled
# description: appArmorProfile.type (pod and container) and the legacy container.apparmor.security.beta.kubernetes.io annotations may only select RuntimeDefault or a Localhost profile.
# scope: package
# custom:
#   id: k8s/apparmor
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Unconfined turns off the runtime's AppArmor profile, a layer that blocks known container escapes.
#   baseline: PSS baseline "AppArmor"
package rules.k8s.apparmor

import rego.v1

import data.lib.kubernetes
import data.lib.pss

allowed_types := {"RuntimeDefault", "Localhost"}

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	type := pss.pod_sc(obj).appArmorProfile.type
	not type in allowed_types
	msg := sprintf("%s: pod sets appArmorProfile.type: %v; use RuntimeDefault or Localhost", [pss.name(obj), type])
	field := sprintf("%s.appArmorProfile.type", [pss.pod_sc_path(obj)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	type := pss.container_sc(entry).appArmorProfile.type
	not type in allowed_types
	msg := sprintf("%s: %s sets appArmorProfile.type: %v; use RuntimeDefault or Localhost", [pss.name(obj), pss.label(entry), type])
	field := sprintf("%s.appArmorProfile.type", [pss.container_sc_path(entry)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some key, value in kubernetes.pod_annotations(obj)
	startswith(key, annotation_prefix)
	not allowed_annotation(value)
	msg := sprintf("%s: annotation %s is %v; use runtime/default or localhost/<profile> (or appArmorProfile in securityContext)", [pss.name(obj), key, value])
	field := sprintf("%s.annotations%s", [concat(".", kubernetes.pod_meta_paths[obj.kind]), pss.field_key(key)])
}

allowed_annotation("runtime/default")

allowed_annotation(value) if startswith(value, "localhost/")
