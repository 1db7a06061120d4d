# METADATA
# title: Containers must keep the default /proc mask
# description: securityContext.procMount must be unset or Default on every container.
# scope: package
# custom:
#   id: k8s/proc-mount
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Unmasked /proc exposes kernel interfaces the runtime hides to prevent information leaks and escapes.
#   baseline: PSS baseline "/proc Mount Type"
package rules.k8s.proc_mount

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	mount := pss.container_sc(entry).procMount
	mount != "Default"
	msg := sprintf("%s: %s sets procMount: %v; remove it or set Default", [pss.name(obj), pss.label(entry), mount])
	field := sprintf("%s.procMount", [pss.container_sc_path(entry)])
}
