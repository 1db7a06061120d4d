# RBAC rule matching for Role and ClusterRole policies.
package lib.rbac

import rego.v1

import data.lib.kubernetes

# The Role or ClusterRole under evaluation.
role := obj if {
	obj := kubernetes.resource
	obj.kind in {"Role", "ClusterRole"}
}

# rules(obj) are the role's rules with their index.
rules(obj) := object.get(obj, "rules", [])

# A rule with resourceNames applies to the named objects only.
scoped(rule) if count(object.get(rule, "resourceNames", [])) > 0

has_group(rule, group) if {
	some g in object.get(rule, "apiGroups", [])
	g in {"*", group}
}

# explicit: the resource is named (a wildcard is rbac-wildcards' finding).
names_resource(rule, resource) if resource in object.get(rule, "resources", [])

# The verbs of wanted that the rule grants, "*" counting as all of them.
granted_verbs(rule, wanted) := wanted if "*" in object.get(rule, "verbs", [])

granted_verbs(rule, wanted) := {v | some v in object.get(rule, "verbs", []); v in wanted} if not "*" in object.get(rule, "verbs", [])
