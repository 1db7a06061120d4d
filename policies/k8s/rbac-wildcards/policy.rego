# METADATA
# title: RBAC rules must not use wildcards
# description: No rule of a Role or ClusterRole lists "*" in apiGroups, resources or verbs.
# scope: package
# custom:
#   id: k8s/rbac-wildcards
#   input: kubernetes
#   severity: error
#   kinds: [Role, ClusterRole]
#   rationale: A wildcard grants every current and future resource or verb, including secrets, escalate and impersonate.
#   baseline: CIS 5.1.3
package rules.k8s.rbac_wildcards

import rego.v1

import data.lib.pss
import data.lib.rbac

violation contains {"msg": msg, "field": field} if {
	obj := rbac.role
	some i, rule in rbac.rules(obj)
	some key in ["apiGroups", "resources", "verbs"]
	some j, value in object.get(rule, key, [])
	value == "*"
	msg := sprintf("%s: rule %d grants \"*\" in %s; list the %s it needs", [pss.name(obj), i, key, key])
	field := sprintf("rules[%d].%s[%d]", [i, key, j])
}
