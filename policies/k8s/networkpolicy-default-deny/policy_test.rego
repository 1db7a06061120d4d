package rules.k8s.networkpolicy_default_deny_test

import rego.v1

import data.rules.k8s.networkpolicy_default_deny

deployment := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

np(selector, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny", "namespace": "app"}, "spec": object.union({"podSelector": selector}, spec)}

violations(resources, i) := v if {
	v := networkpolicy_default_deny.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_default_deny_both_allowed if {
	count(violations([deployment, np({}, {"policyTypes": ["Ingress", "Egress"]})], 0)) == 0
}

test_default_deny_split_allowed if {
	count(violations([deployment, np({}, {"policyTypes": ["Ingress"]}), np({}, {"egress": [{"to": []}]})], 0)) == 0
}

test_default_deny_missing_denied if {
	v := violations([deployment], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "Egress and Ingress")
}

test_default_deny_ingress_only_denied if {
	v := violations([deployment, np({}, {})], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "for Egress;")
}

test_selective_policy_is_not_default_deny if {
	count(violations([deployment, np({"matchLabels": {"app": "a"}}, {"policyTypes": ["Ingress", "Egress"]})], 0)) == 1
}
