# METADATA
# title: RBAC rules must not read Secrets broadly
# description: No Role or ClusterRole rule grants get, list or watch on secrets (core group) unless resourceNames restricts it to named Secrets.
# scope: package
# custom:
#   id: k8s/rbac-secrets-access
#   input: kubernetes
#   severity: error
#   kinds: [Role, ClusterRole]
#   rationale: Reading Secrets yields every credential of the namespace (or cluster), service account tokens included.
#   baseline: CIS 5.1.2
package rules.k8s.rbac_secrets_access

import rego.v1

import data.lib.pss
import data.lib.rbac

violation contains {"msg": msg, "field": field} if {
	obj := rbac.role
	some i, rule in rbac.rules(obj)
	not rbac.scoped(rule)
	rbac.has_group(rule, "")
	rbac.names_resource(rule, "secrets")
	verbs := rbac.granted_verbs(rule, {"get", "list", "watch"})
	count(verbs) > 0
	msg := sprintf("%s: rule %d grants %s on secrets; remove them, or restrict the rule to named Secrets with resourceNames", [pss.name(obj), i, concat(", ", sort(verbs))])
	field := sprintf("rules[%d].verbs", [i])
}
