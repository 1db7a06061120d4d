# METADATA
# title: Containers must drop ALL capabilities
# description: Every container, init container and ephemeral container drops ALL capabilities and adds back at most NET_BIND_SERVICE (Windows pods are exempt).
# scope: package
# custom:
#   id: k8s/capabilities-restricted
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: The runtime's default capability set (CHOWN, DAC_OVERRIDE, SETUID, ...) is more than an application needs.
#   baseline: PSS restricted "Capabilities"; CIS 5.2.7-5.2.9
package rules.k8s.capabilities_restricted

import rego.v1

import data.lib.kubernetes
import data.lib.pss

drops_all(entry) if "ALL" in object.get(pss.container_sc(entry), ["capabilities", "drop"], [])

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	some entry in kubernetes.containers(obj)
	not drops_all(entry)
	drop := object.get(pss.container_sc(entry), ["capabilities", "drop"], [])
	msg := sprintf("%s: %s does not drop ALL capabilities (%s); set securityContext.capabilities.drop: [ALL]", [pss.name(obj), pss.label(entry), dropped(drop)])
	field := sprintf("%s.capabilities.drop", [pss.container_sc_path(entry)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	some entry in kubernetes.containers(obj)
	some j, cap in object.get(pss.container_sc(entry), ["capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
	msg := sprintf("%s: %s adds capability %v; only NET_BIND_SERVICE may be added back, remove it", [pss.name(obj), pss.label(entry), cap])
	field := sprintf("%s.capabilities.add[%d]", [pss.container_sc_path(entry), j])
}

dropped(drop) := "it drops none" if count(drop) == 0

dropped(drop) := sprintf("drop: [%s]", [concat(", ", [sprintf("%v", [d]) | some d in drop])]) if count(drop) > 0
