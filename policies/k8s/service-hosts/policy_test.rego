package rules.k8s.service_hosts_test

import rego.v1

import data.lib.testing
import data.rules.k8s.service_hosts

service(ns, name) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": {}}

config(data_) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "backend-config", "namespace": "funlynk"}, "data": data_}

violations(obj, others) := v if {
	v := service_hosts.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "overlays/dev", "env": "dev", "resources": array.concat([obj], others)}
}

test_service_in_other_namespace_denied if {
	v := violations(config({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability.svc.cluster.local:4318"}), [service("funlynk", "otel-collector")])
	count(v) == 1
	some f in v
	f.field == "data.OTEL_EXPORTER_OTLP_ENDPOINT"
	contains(f.msg, "use otel-collector.funlynk.svc.cluster.local")
}

test_service_in_its_namespace_allowed if {
	count(violations(config({"E": "http://otel-collector.funlynk.svc.cluster.local:4318"}), [service("funlynk", "otel-collector")])) == 0
	count(violations(config({"E": "otel-collector.funlynk.svc:4317"}), [service("funlynk", "otel-collector")])) == 0
}

test_unknown_namespace_not_judged if {
	count(violations(config({"LOKI": "http://loki.observability.svc.cluster.local:3100/otlp"}), [service("funlynk", "otel-collector")])) == 0
}

test_declared_namespace_without_service_denied if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "funlynk"}}
	v := violations(config({"REDIS": "redis://cache.funlynk.svc:6379"}), [ns])
	count(v) == 1
	some f in v
	contains(f.msg, "declares no Service cache")
}

test_container_env_denied if {
	d := testing.deployment({"containers": [{"name": "app", "image": "x", "env": [{"name": "OTEL", "value": "http://otel-collector.observability.svc:4318"}]}]})
	v := violations(d, [service("funlynk", "otel-collector")])
	count(v) == 1
	some f in v
	f.field == "spec.template.spec.containers[0].env[0].value"
}
