# METADATA
# title: Pods should not mount a service account token
# description: The pod spec sets automountServiceAccountToken to false; a pod that calls the Kubernetes API sets it true and gets a waiver.
# scope: package
# custom:
#   id: k8s/automount-token
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A mounted token is an API credential for anyone who gets code execution in the pod.
#   baseline: CIS 5.1.6; NSA/CISA Kubernetes Hardening Guide "service account tokens"
package k8s.automount_token

import rego.v1

import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	value := object.get(pss.spec(obj), "automountServiceAccountToken", null)
	value != false
	msg := sprintf("%s: %s; set automountServiceAccountToken: false in the pod spec unless the pod calls the Kubernetes API", [pss.name(obj), found(value)])
	field := sprintf("%s.automountServiceAccountToken", [pss.spec_path(obj)])
}

found(null) := "does not set automountServiceAccountToken, so the service account token is mounted"

found(value) := sprintf("sets automountServiceAccountToken: %v", [value]) if value != null
