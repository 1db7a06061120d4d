package rules.istio.gateway_injection_test

import rego.v1

import data.rules.istio.gateway_injection

namespace(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-ingress", "labels": labels}}

gateway := {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "funlynk-gateway", "namespace": "istio-ingress"}, "spec": {}}

violations(resources) := v if {
	v := gateway_injection.violation with input as {"kind": "kubernetes", "index": 0, "resource": resources[0]}
		with data.target as {"name": "overlays/dev", "env": "dev", "resources": resources}
}

test_gateway_namespace_injection_disabled_denied if {
	v := violations([namespace({"istio-injection": "disabled"}), gateway])
	count(v) == 1
	some f in v
	f.field == "metadata.labels.istio-injection"
	contains(f.msg, "funlynk-gateway")
}

test_gateway_namespace_without_label_allowed if {
	count(violations([namespace({}), gateway])) == 0
}

test_gateway_namespace_injection_enabled_allowed if {
	count(violations([namespace({"istio-injection": "enabled"}), gateway])) == 0
}

test_namespace_without_gateway_allowed if {
	count(violations([namespace({"istio-injection": "disabled"})])) == 0
}
