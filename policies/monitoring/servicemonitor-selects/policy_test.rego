package rules.monitoring.servicemonitor_selects_test

import rego.v1

import data.rules.monitoring.servicemonitor_selects

service(ns) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": ns, "labels": {"app": "api"}}, "spec": {"ports": [{"name": "http", "port": 80}, {"port": 9090}]}}

sm(spec) := {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "api", "namespace": "monitoring"}, "spec": object.union({"selector": {"matchLabels": {"app": "api"}}, "endpoints": [{"port": "http"}]}, spec)}

violations(resources, i) := v if {
	v := servicemonitor_selects.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_match_names_allowed if count(violations([sm({"namespaceSelector": {"matchNames": ["app"]}}), service("app")], 0)) == 0

test_any_namespace_allowed if count(violations([sm({"namespaceSelector": {"any": true}}), service("app")], 0)) == 0

test_own_namespace_allowed if count(violations([sm({}), service("monitoring")], 0)) == 0

test_own_namespace_only_denied if {
	v := violations([sm({}), service("app")], 0)
	count(v) == 1
	some f in v
	f.field == "spec.selector"
	contains(f.msg, "namespace monitoring")
}

test_other_match_names_denied if {
	v := violations([sm({"namespaceSelector": {"matchNames": ["web"]}}), service("app")], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "namespaces web")
}

test_no_service_any_denied if {
	v := violations([sm({"namespaceSelector": {"any": true}})], 0)
	count(v) == 1
	some f in v
	contains(f.msg, "any namespace")
}

test_unknown_port_name_denied if {
	v := violations([sm({"endpoints": [{"port": "metrics"}, {"port": "http"}, {"targetPort": 9090}]}), service("monitoring")], 0)
	count(v) == 1
	some f in v
	f.field == "spec.endpoints[0].port"
}
