# METADATA
# title: RBAC rules must not create pods
# description: No Role or ClusterRole rule grants create on pods (core group).
# scope: package
# custom:
#   id: k8s/rbac-pod-create
#   input: kubernetes
#   severity: error
#   kinds: [Role, ClusterRole]
#   rationale: Whoever creates pods can mount any Secret and run as any service account of the namespace.
#   baseline: CIS 5.1.4
package rules.k8s.rbac_pod_create

import rego.v1

import data.lib.pss
import data.lib.rbac

violation contains {"msg": msg, "field": field} if {
	obj := rbac.role
	some i, rule in rbac.rules(obj)
	rbac.has_group(rule, "")
	rbac.names_resource(rule, "pods")
	count(rbac.granted_verbs(rule, {"create"})) > 0
	msg := sprintf("%s: rule %d grants create on pods; let a controller (Deployment, Job) create pods instead", [pss.name(obj), i])
	field := sprintf("rules[%d].verbs", [i])
}
