# METADATA
# title: Workloads should use a dedicated service account
# description: The pod spec sets serviceAccountName to an account other than default.
# scope: package
# custom:
#   id: k8s/default-service-account
#   input: kubernetes
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Permissions granted to default reach every pod of the namespace; a dedicated account keeps grants per workload.
#   baseline: CIS 5.1.5
package rules.k8s.default_service_account

import rego.v1

import data.lib.pss

# serviceAccount is the deprecated alias of serviceAccountName.
account(spec) := object.get(spec, "serviceAccountName", object.get(spec, "serviceAccount", ""))

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	name := account(pss.spec(obj))
	name in {"", "default"}
	msg := sprintf("%s: %s; create a ServiceAccount for it and set serviceAccountName", [pss.name(obj), found(name)])
	field := sprintf("%s.serviceAccountName", [pss.spec_path(obj)])
}

found("") := "sets no serviceAccountName, so it runs as the service account default"

found("default") := "runs as the service account default"
