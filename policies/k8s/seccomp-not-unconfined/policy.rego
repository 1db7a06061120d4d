# METADATA
# title: Seccomp must not be disabled
# description: seccompProfile.type must not be Unconfined, neither on the pod nor on any container.
# scope: package
# custom:
#   id: k8s/seccomp-not-unconfined
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Unconfined lets a container make every system call, including those used in known kernel escapes.
#   baseline: PSS baseline "Seccomp"
package rules.k8s.seccomp_not_unconfined

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	pss.pod_sc(obj).seccompProfile.type == "Unconfined"
	msg := sprintf("%s: pod sets seccompProfile.type: Unconfined; use RuntimeDefault", [pss.name(obj)])
	field := sprintf("%s.seccompProfile.type", [pss.pod_sc_path(obj)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	pss.container_sc(entry).seccompProfile.type == "Unconfined"
	msg := sprintf("%s: %s sets seccompProfile.type: Unconfined; use RuntimeDefault", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.seccompProfile.type", [pss.container_sc_path(entry)])
}
