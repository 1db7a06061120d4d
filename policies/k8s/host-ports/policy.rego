# METADATA
# title: Containers must not bind host ports
# description: ports[].hostPort must be unset or 0 on every container.
# scope: package
# custom:
#   id: k8s/host-ports
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A host port bypasses Services and NetworkPolicies, pins the pod to nodes with that port free, and exposes it on the node's address.
#   baseline: PSS baseline "Host Ports"
package rules.k8s.host_ports

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, port in object.get(entry.container, "ports", [])
	port.hostPort != 0
	msg := sprintf("%s: %s binds hostPort %v; remove hostPort and expose the port through a Service", [pss.name(obj), pss.label(entry), port.hostPort])
	field := sprintf("%s.ports[%d].hostPort", [entry.path, j])
}
