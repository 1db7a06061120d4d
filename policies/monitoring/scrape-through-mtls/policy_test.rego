package rules.monitoring.scrape_through_mtls_test

import rego.v1

import data.rules.monitoring.scrape_through_mtls

pa(ns) := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": ns}, "spec": {"mtls": {"mode": "STRICT"}}}

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "app", "labels": {"app": "api"}}, "spec": {"ports": [{"name": "http", "port": 80}, {"name": "http-merged", "port": 15020, "targetPort": 15020}]}}

sm(spec, endpoints) := {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "api", "namespace": "monitoring"}, "spec": object.union({"selector": {"matchLabels": {"app": "api"}}, "namespaceSelector": {"matchNames": ["app"]}, "endpoints": endpoints}, spec)}

violations(resources) := v if {
	v := scrape_through_mtls.violation with input as {"kind": "kubernetes", "index": 0, "resource": resources[0]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_plaintext_without_strict_allowed if count(violations([sm({}, [{"port": "http"}]), service])) == 0

test_merged_port_allowed if count(violations([sm({}, [{"port": "http-merged", "path": "/stats/prometheus"}, {"port": "http-merged"}]), service, pa("app")])) == 0

test_tls_config_allowed if {
	count(violations([sm({}, [{"port": "http", "scheme": "https", "tlsConfig": {"caFile": "/etc/prom-certs/root-cert.pem"}}]), service, pa("app")])) == 0
	count(violations([sm({}, [{"port": "http", "scheme": "https"}]), service, pa("istio-system")])) == 0
}

test_plaintext_under_strict_warning if {
	v := violations([sm({}, [{"port": "http"}]), service, pa("app")])
	count(v) == 1
	some f in v
	f.field == "spec.endpoints[0]"
}

test_any_namespace_mesh_wide_warning if count(violations([sm({"namespaceSelector": {"any": true}}, [{"port": "http"}]), service, pa("istio-system")])) == 1

test_own_namespace_scope if {
	own := object.union(sm({}, [{"port": "http"}]), {"metadata": {"namespace": "app"}, "spec": {"namespaceSelector": {}}})
	count(violations([own, service, pa("app")])) == 1
}
