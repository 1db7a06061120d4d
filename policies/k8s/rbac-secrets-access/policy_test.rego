package rules.k8s.rbac_secrets_access_test

import rego.v1

import data.rules.k8s.rbac_secrets_access

v(obj) := x if {
	x := rbac_secrets_access.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

test_other_resources_allowed if {
	count(v(role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]))) == 0
}

test_write_only_secrets_allowed if {
	count(v(role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "update"]}]))) == 0
}

test_named_secret_get_allowed if {
	count(v(role([{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"]}]))) == 0
}

test_other_group_allowed if {
	count(v(role([{"apiGroups": ["example.io"], "resources": ["secrets"], "verbs": ["get"]}]))) == 0
}

test_read_secrets_denied if {
	v(role([{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["list", "get"]}])) == {{
		"msg": "ClusterRole/r: rule 0 grants get, list on secrets; remove them, or restrict the rule to named Secrets with resourceNames",
		"field": "rules[0].verbs",
	}}
}

test_star_verbs_and_group_denied if {
	v(role([{"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["*"]}])) == {{
		"msg": "ClusterRole/r: rule 0 grants get, list, watch on secrets; remove them, or restrict the rule to named Secrets with resourceNames",
		"field": "rules[0].verbs",
	}}
}

test_role_kind_denied if {
	count(v(object.union(role([{"apiGroups": [""], "resources": ["secrets"], "verbs": ["watch"]}]), {"kind": "Role"}))) == 1
}
