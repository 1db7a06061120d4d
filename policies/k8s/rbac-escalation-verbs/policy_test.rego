package rules.k8s.rbac_escalation_verbs_test

import rego.v1

import data.rules.k8s.rbac_escalation_verbs

v(obj) := x if {
	x := rbac_escalation_verbs.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

test_plain_rules_allowed if {
	count(v(role([
		{"apiGroups": [""], "resources": ["nodes", "pods"], "verbs": ["get", "list"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["create", "get"]},
		{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["get"]},
		{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["create"]},
	]))) == 0
}

test_escalation_verbs_denied if {
	count(v(role([
		{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]},
		{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles"], "verbs": ["bind", "escalate", "get"]},
	]))) == 3
}

test_escalation_verb_message if {
	v(role([{"apiGroups": [""], "resources": ["serviceaccounts"], "verbs": ["get", "impersonate"]}])) == {{
		"msg": "ClusterRole/r: rule 0 grants the verb impersonate, which escalates privileges; remove it",
		"field": "rules[0].verbs[1]",
	}}
}

test_dangerous_resources_denied if {
	count(v(role([
		{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
		{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": ["update"]},
		{"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], "verbs": ["patch"]},
		{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]},
		{"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["*"]},
	]))) == 6
}

test_nodes_proxy_message if {
	v(role([{"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["*"]}])) == {{
		"msg": "ClusterRole/r: rule 0 grants create, delete, deletecollection, get, list, patch, update, watch on nodes/proxy, which reaches the kubelet API of every node (exec into any pod); remove it",
		"field": "rules[0].resources",
	}}
}

test_role_kind_also_checked if {
	count(v(object.union(role([{"apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"]}]), {"kind": "Role"}))) == 1
}
