# METADATA
# title: Containers must forbid privilege escalation
# description: Every container, init container and ephemeral container sets securityContext.allowPrivilegeEscalation to false explicitly (Windows pods are exempt).
# scope: package
# custom:
#   id: k8s/allow-privilege-escalation
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Unset means allowed; setuid binaries and file capabilities can then raise a process above the container's user.
#   baseline: PSS restricted "Privilege Escalation"; CIS 5.2.5
package rules.k8s.allow_privilege_escalation

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	some entry in kubernetes.containers(obj)
	value := object.get(pss.container_sc(entry), "allowPrivilegeEscalation", null)
	value != false
	msg := sprintf("%s: %s %s; set securityContext.allowPrivilegeEscalation: false", [pss.name(obj), pss.label(entry), found(value)])
	field := sprintf("%s.allowPrivilegeEscalation", [pss.container_sc_path(entry)])
}

found(null) := "does not set allowPrivilegeEscalation (unset means allowed)"

found(value) := sprintf("sets allowPrivilegeEscalation: %v", [value]) if value != null
