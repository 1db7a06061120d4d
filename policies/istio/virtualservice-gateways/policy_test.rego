package rules.istio.virtualservice_gateways_test

import rego.v1

import data.rules.istio.virtualservice_gateways

gateway(ns, hosts) := {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": ns}, "spec": {"servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": hosts}]}}

vs(hosts, gateways) := {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "api", "namespace": "app"}, "spec": {"hosts": hosts, "gateways": gateways}}

violations(resources, i) := v if {
	v := virtualservice_gateways.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_same_namespace_gateway_allowed if count(violations([vs(["api.example.com"], ["gw", "mesh"]), gateway("app", ["api.example.com"])], 0)) == 0

test_cross_namespace_gateway_wildcard_allowed if {
	count(violations([vs(["api.example.com"], ["ingress/gw"]), gateway("ingress", ["app/*.example.com"])], 0)) == 0
	count(violations([vs(["api.example.com"], ["ingress/gw"]), gateway("ingress", ["*/api.example.com"])], 0)) == 0
}

test_dot_namespace_allowed if count(violations([vs(["api.example.com"], ["gw"]), gateway("app", ["./api.example.com"])], 0)) == 0

test_mesh_only_allowed if count(violations([vs(["api"], ["mesh"])], 0)) == 0

test_missing_gateway_denied if {
	v := violations([vs(["api.example.com"], ["funlynk-gateway"]), gateway("ingress", ["api.example.com"])], 0)
	count(v) == 1
	some f in v
	f.field == "spec.gateways[0]"
}

test_host_not_served_denied if {
	v := violations([vs(["api.example.com", "admin.example.com"], ["ingress/gw"]), gateway("ingress", ["api.example.com"])], 0)
	count(v) == 1
	some f in v
	f.field == "spec.hosts[1]"
}

test_host_namespace_restricted_denied if {
	count(violations([vs(["api.example.com"], ["ingress/gw"]), gateway("ingress", ["./api.example.com"])], 0)) == 1
	count(violations([vs(["api.example.com"], ["ingress/gw"]), gateway("ingress", ["other/api.example.com"])], 0)) == 1
}
