# METADATA
# title: Containers must not be privileged
# description: securityContext.privileged must be unset or false on every container, init container and ephemeral container.
# scope: package
# custom:
#   id: k8s/privileged
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A privileged container has every capability and all host devices; it is root on the node.
#   baseline: PSS baseline "Privileged Containers"; CIS 5.2.2
package rules.k8s.privileged

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	pss.container_sc(entry).privileged == true
	msg := sprintf("%s: %s sets privileged: true; remove it", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.privileged", [pss.container_sc_path(entry)])
}
