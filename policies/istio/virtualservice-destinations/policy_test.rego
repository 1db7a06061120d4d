package rules.istio.virtualservice_destinations_test

import rego.v1

import data.rules.istio.virtualservice_destinations

service(name, ns) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": {"ports": [{"name": "http", "port": 80}]}}

vs(spec) := {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "api", "namespace": "app"}, "spec": object.union({"hosts": ["api.example.com"]}, spec)}

route(host, port) := {"destination": {"host": host, "port": {"number": port}}}

violations(resources, i) := v if {
	v := virtualservice_destinations.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_all_host_forms_resolve_allowed if {
	rs := [
		vs({
			"http": [{"route": [route("api", 80), route("web.other", 80), route("web.other.svc", 80)], "mirror": {"host": "api"}}],
			"tcp": [{"route": [route("web.other.svc.cluster.local", 80)]}],
		}),
		service("api", "app"), service("web", "other"),
	]
	count(violations(rs, 0)) == 0
}

test_external_and_service_entry_hosts_allowed if {
	se := {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry", "metadata": {"name": "x", "namespace": "app"}, "spec": {"hosts": ["payments"]}}
	count(violations([vs({"http": [{"route": [route("api.stripe.com", 443), route("payments", 443)]}]}), se], 0)) == 0
}

test_missing_service_denied if {
	v := violations([vs({"http": [{"route": [route("admin-dashboard-service", 80)]}]}), service("api", "app")], 0)
	count(v) == 1
	some f in v
	f.field == "spec.http[0].route[0].destination.host"
}

test_service_in_other_namespace_denied if {
	v := violations([vs({"tls": [{"route": [route("api.app2.svc.cluster.local", 80)]}]}), service("api", "app")], 0)
	count(v) == 1
}

test_wrong_port_denied if {
	v := violations([vs({"http": [{"route": [route("api", 8080)]}]}), service("api", "app")], 0)
	count(v) == 1
	some f in v
	f.field == "spec.http[0].route[0].destination.port.number"
}
