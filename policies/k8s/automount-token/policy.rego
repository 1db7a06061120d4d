# METADATA
# title: Pods should not mount a service account token
# description: >-
#   The pod spec sets automountServiceAccountToken to false, or leaves it unset while its
#   ServiceAccount (serviceAccountName, else default), declared in the same target and namespace,
#   sets it to false (a pod inherits the ServiceAccount's setting unless it sets its own). A pod that
#   calls the Kubernetes API sets it true and gets a waiver.
# scope: package
# custom:
#   id: k8s/automount-token
#   input: kubernetes
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   reads: [ServiceAccount]
#   rationale: A mounted token is an API credential for anyone who gets code execution in the pod.
#   baseline: CIS 5.1.6; NSA/CISA Kubernetes Hardening Guide "service account tokens"
package rules.k8s.automount_token

import rego.v1

import data.lib.kubernetes
import data.lib.pss
import data.lib.wiring

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	value := object.get(pss.spec(obj), "automountServiceAccountToken", null)
	value != false
	not disabled_by_service_account(obj, value)
	msg := sprintf("%s: %s; set automountServiceAccountToken: false in the pod spec unless the pod calls the Kubernetes API", [pss.name(obj), found(value)])
	field := sprintf("%s.automountServiceAccountToken", [pss.spec_path(obj)])
}

found(null) := "does not set automountServiceAccountToken, so the service account token is mounted"

found(value) := sprintf("sets automountServiceAccountToken: %v", [value]) if value != null

# A pod spec without the field inherits it from its ServiceAccount.
disabled_by_service_account(obj, null) if {
	some sa in wiring.objects("ServiceAccount", kubernetes.namespace_of(obj))
	sa.metadata.name == service_account(obj)
	sa.automountServiceAccountToken == false
}

service_account(obj) := object.get(pss.spec(obj), "serviceAccountName", object.get(pss.spec(obj), "serviceAccount", "default"))
