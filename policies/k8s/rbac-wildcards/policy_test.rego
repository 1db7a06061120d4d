package rules.k8s.rbac_wildcards_test

import rego.v1

import data.rules.k8s.rbac_wildcards

v(obj) := x if {
	x := rbac_wildcards.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

test_explicit_rules_allowed if {
	count(v(role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]))) == 0
}

test_no_rules_allowed if count(v({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "agg"}, "aggregationRule": {}})) == 0

test_each_wildcard_denied if {
	every kind in ["Role", "ClusterRole"] {
		count(v(role(kind, [{"apiGroups": ["*"], "resources": ["pods", "*"], "verbs": ["get", "*"]}]))) == 3
	}
}

test_message_and_field if {
	v(role("Role", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}])) == {{
		"msg": "Role/r: rule 1 grants \"*\" in verbs; list the verbs it needs",
		"field": "rules[1].verbs[0]",
	}}
}

test_binding_ignored if count(v({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"}, "rules": [{"verbs": ["*"]}]})) == 0
