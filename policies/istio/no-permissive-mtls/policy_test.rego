package rules.istio.no_permissive_mtls_test

import rego.v1

import data.rules.istio.no_permissive_mtls

pa(spec) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "app"}, "spec": spec}

violations(r) := v if {
	v := no_permissive_mtls.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_strict_allowed if count(violations(pa({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"8080": {"mode": "STRICT"}}}))) == 0

test_unset_allowed if count(violations(pa({}))) == 0

test_permissive_denied if {
	v := violations(pa({"mtls": {"mode": "PERMISSIVE"}}))
	count(v) == 1
	some f in v
	f.field == "spec.mtls.mode"
}

test_port_level_disable_denied if {
	v := violations(pa({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"9090": {"mode": "DISABLE"}, "8080": {"mode": "PERMISSIVE"}}}))
	{f.field | some f in v} == {"spec.portLevelMtls.9090.mode", "spec.portLevelMtls.8080.mode"}
}
