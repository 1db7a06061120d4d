package rules.istio.peer_authentication_strict_test

import rego.v1

import data.rules.istio.peer_authentication_strict

deployment := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

pa(ns, spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": ns}, "spec": spec}

strict := {"mtls": {"mode": "STRICT"}}

violations(resources, i) := v if {
	v := peer_authentication_strict.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_namespace_strict_allowed if count(violations([deployment, pa("app", strict)], 0)) == 0

test_mesh_wide_strict_allowed if count(violations([deployment, pa("istio-system", strict)], 0)) == 0

test_mesh_wide_strict_namespace_unset_allowed if count(violations([deployment, pa("istio-system", strict), pa("app", {})], 0)) == 0

test_no_peer_authentication_denied if {
	v := violations([deployment], 0)
	count(v) == 1
	some f in v
	f.field == "metadata.namespace"
}

test_namespace_permissive_overrides_mesh_denied if {
	count(violations([deployment, pa("istio-system", strict), pa("app", {"mtls": {"mode": "PERMISSIVE"}})], 0)) == 1
}

test_workload_selector_only_denied if {
	count(violations([deployment, pa("app", object.union(strict, {"selector": {"matchLabels": {"app": "api"}}}))], 0)) == 1
}

test_non_workload_not_evaluated if count(violations([pa("app", {})], 0)) == 0
