package rules.k8s.rbac_pod_create_test

import rego.v1

import data.rules.k8s.rbac_pod_create

v(obj) := x if {
	x := rbac_pod_create.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "n"}, "rules": rules}

test_read_pods_allowed if {
	count(v(role([{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list"]}]))) == 0
}

test_create_other_resources_allowed if {
	count(v(role([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create"]}]))) == 0
}

test_create_pods_denied if {
	v(role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["create"]}])) == {{
		"msg": "Role/r: rule 0 grants create on pods; let a controller (Deployment, Job) create pods instead",
		"field": "rules[0].verbs",
	}}
}

test_star_verb_on_pods_denied if {
	count(v(role([{"apiGroups": ["*"], "resources": ["pods"], "verbs": ["*"]}]))) == 1
}
