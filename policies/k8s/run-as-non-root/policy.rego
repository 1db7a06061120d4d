# METADATA
# title: Containers must not run as root
# description: runAsNonRoot is true on the pod or on every container, and false nowhere; runAsUser is never 0 (pod or container).
# scope: package
# custom:
#   id: k8s/run-as-non-root
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A root process escapes more easily and owns whatever it can write; runAsNonRoot makes the kubelet refuse images whose user is root.
#   baseline: PSS restricted "Running as Non-root" and "Running as Non-root user"; CIS 5.2.6
package rules.k8s.run_as_non_root

import rego.v1

import data.lib.kubernetes
import data.lib.pss

pod_non_root(obj) if pss.pod_sc(obj).runAsNonRoot == true

# The pod sets runAsNonRoot: false.
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	pss.pod_sc(obj).runAsNonRoot == false
	msg := sprintf("%s: pod sets securityContext.runAsNonRoot: false; set it to true", [pss.name(obj)])
	field := sprintf("%s.runAsNonRoot", [pss.pod_sc_path(obj)])
}

# A container sets runAsNonRoot: false (never allowed, even under a pod-level true).
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	pss.container_sc(entry).runAsNonRoot == false
	msg := sprintf("%s: %s sets securityContext.runAsNonRoot: false; set it to true", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.runAsNonRoot", [pss.container_sc_path(entry)])
}

# A container leaves runAsNonRoot unset and the pod does not set it to true.
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pod_non_root(obj)
	some entry in kubernetes.containers(obj)
	object.get(pss.container_sc(entry), "runAsNonRoot", null) == null
	msg := sprintf("%s: %s may run as root (runAsNonRoot is set neither on it nor on the pod); set securityContext.runAsNonRoot: true on the pod", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.runAsNonRoot", [pss.pod_sc_path(obj)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	pss.pod_sc(obj).runAsUser == 0
	msg := sprintf("%s: pod sets securityContext.runAsUser: 0 (root); use a non-zero uid such as 10001", [pss.name(obj)])
	field := sprintf("%s.runAsUser", [pss.pod_sc_path(obj)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	pss.container_sc(entry).runAsUser == 0
	msg := sprintf("%s: %s sets securityContext.runAsUser: 0 (root); use a non-zero uid such as 10001", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.runAsUser", [pss.container_sc_path(entry)])
}
