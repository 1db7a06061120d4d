# METADATA
# title: Pods must not share the node's namespaces
# description: hostNetwork, hostPID and hostIPC must be unset or false in every pod spec.
# scope: package
# custom:
#   id: k8s/host-namespaces
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A pod in the node's network, PID or IPC namespace sees and can disturb every process and socket of the node.
#   baseline: PSS baseline "Host Namespaces"
package rules.k8s.host_namespaces

import rego.v1

import data.lib.pss

shared := {"hostNetwork": "network", "hostPID": "process", "hostIPC": "IPC"}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some key, what in shared
	pss.spec(obj)[key] == true
	msg := sprintf("%s: sets %s: true, sharing the node's %s namespace; remove it", [pss.name(obj), key, what])
	field := sprintf("%s.%s", [pss.spec_path(obj), key])
}
