# METADATA
# title: Containers must declare CPU and memory requests and limits
# description: Every container and init container sets resources.requests and resources.limits for cpu and memory, each a valid quantity, and no request exceeds its limit.
# scope: package
# custom:
#   id: k8s/resource-limits
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Without requests the scheduler overcommits nodes; without limits one pod starves its neighbours, and a ResourceQuota rejects the pod outright.
#   baseline: NSA/CISA Kubernetes Hardening Guide "resource policies"; CIS 5.7 (general)
package rules.k8s.resource_limits

import rego.v1

import data.lib.kubernetes
import data.lib.pss
import data.lib.quantity

resources := ["cpu", "memory"]

amount("cpu", q) := quantity.cpu_millis(q)

amount("memory", q) := quantity.memory_bytes(q)

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.runtime_containers(obj)
	some section in ["requests", "limits"]
	some res in resources
	object.get(entry.container, ["resources", section, res], null) == null
	msg := sprintf("%s: %s has no resources.%s.%s; set it", [pss.name(obj), pss.label(entry), section, res])
	field := sprintf("%s.resources.%s.%s", [entry.path, section, res])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.runtime_containers(obj)
	some section in ["requests", "limits"]
	some res in resources
	q := object.get(entry.container, ["resources", section, res], null)
	q != null
	not amount(res, q)
	msg := sprintf("%s: %s resources.%s.%s is %v, which is not a %s quantity; write it like %s", [pss.name(obj), pss.label(entry), section, res, q, res, example[res]])
	field := sprintf("%s.resources.%s.%s", [entry.path, section, res])
}

example := {"cpu": "250m", "memory": "256Mi"}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.runtime_containers(obj)
	some res in resources
	request := entry.container.resources.requests[res]
	limit := entry.container.resources.limits[res]
	amount(res, request) > amount(res, limit)
	msg := sprintf("%s: %s requests %s %v, more than its limit %v; lower the request or raise the limit", [pss.name(obj), pss.label(entry), res, request, limit])
	field := sprintf("%s.resources.requests.%s", [entry.path, res])
}
