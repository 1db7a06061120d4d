# METADATA
# title: Containers may add only baseline capabilities
# description: securityContext.capabilities.add may name only the capabilities the PSS baseline allows.
# scope: package
# custom:
#   id: k8s/capabilities-baseline
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Capabilities beyond the container runtime's default set (NET_ADMIN, SYS_ADMIN, ...) are known routes to the node.
#   baseline: PSS baseline "Capabilities"
package rules.k8s.capabilities_baseline

import rego.v1

import data.lib.kubernetes
import data.lib.pss

# The PSS baseline list (the container runtime's default set), compared as written.
allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, cap in object.get(pss.container_sc(entry), ["capabilities", "add"], [])
	not cap in allowed
	msg := sprintf("%s: %s adds capability %v, which the baseline does not allow; remove it (allowed: %s)", [pss.name(obj), pss.label(entry), cap, concat(", ", sort(allowed))])
	field := sprintf("%s.capabilities.add[%d]", [pss.container_sc_path(entry), j])
}
