package rules.istio.destinationrule_tls_test

import rego.v1

import data.rules.istio.destinationrule_tls

dr(spec) := {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "api", "namespace": "app"}, "spec": object.union({"host": "api"}, spec)}

violations(r) := v if {
	v := destinationrule_tls.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_istio_mutual_allowed if count(violations(dr({"trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}}))) == 0

test_no_traffic_policy_allowed if count(violations(dr({}))) == 0

test_disable_everywhere_denied if {
	v := violations(dr({
		"trafficPolicy": {"tls": {"mode": "DISABLE"}, "portLevelSettings": [{"port": {"number": 80}, "tls": {"mode": "DISABLE"}}]},
		"subsets": [{"name": "v1", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}],
	}))
	{f.field | some f in v} == {
		"spec.trafficPolicy.tls.mode",
		"spec.trafficPolicy.portLevelSettings[0].tls.mode",
		"spec.subsets[0].trafficPolicy.tls.mode",
	}
}
