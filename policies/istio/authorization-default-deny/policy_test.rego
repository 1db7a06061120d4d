package rules.istio.authorization_default_deny_test

import rego.v1

import data.rules.istio.authorization_default_deny

deployment := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

ap(ns, spec) := {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": "p", "namespace": ns}, "spec": spec}

violations(resources, i) := v if {
	v := authorization_default_deny.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_empty_spec_allowed if count(violations([deployment, ap("app", {})], 0)) == 0

test_allow_without_rules_allowed if count(violations([deployment, ap("app", {"action": "ALLOW"})], 0)) == 0

test_mesh_wide_allowed if count(violations([deployment, ap("istio-system", {})], 0)) == 0

test_missing_denied if {
	v := violations([deployment], 0)
	count(v) == 1
}

test_selective_or_ruled_policies_denied if {
	rs := [
		deployment,
		ap("app", {"selector": {"matchLabels": {"app": "api"}}}),
		ap("app", {"rules": [{"from": [{"source": {"namespaces": ["x"]}}]}]}),
		ap("app", {"action": "DENY"}),
		ap("app", {"targetRefs": [{"kind": "Gateway", "name": "g"}]}),
	]
	count(violations(rs, 0)) == 1
}
