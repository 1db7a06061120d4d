# METADATA
# title: Probes and lifecycle hooks must not name a host
# description: httpGet.host and tcpSocket.host of liveness, readiness and startup probes and of postStart/preStop hooks must be unset or empty.
# scope: package
# custom:
#   id: k8s/probe-host
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: The kubelet performs these requests from the node; a host turns them into node-side requests to arbitrary addresses.
#   baseline: PSS baseline "Host Probes / Lifecycle Hooks"
package rules.k8s.probe_host

import rego.v1

import data.lib.kubernetes
import data.lib.pss

handlers := [
	["livenessProbe"], ["readinessProbe"], ["startupProbe"],
	["lifecycle", "postStart"], ["lifecycle", "preStop"],
]

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some handler in handlers
	some action in ["httpGet", "tcpSocket"]
	host := object.get(entry.container, array.concat(handler, [action, "host"]), "")
	host != ""
	where := concat(".", handler)
	msg := sprintf("%s: %s %s.%s.host is %v; remove host so the kubelet probes the pod itself", [pss.name(obj), pss.label(entry), where, action, host])
	field := sprintf("%s.%s.%s.host", [entry.path, where, action])
}
