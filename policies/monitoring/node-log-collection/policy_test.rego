package rules.monitoring.node_log_collection_test

import rego.v1

import data.rules.monitoring.node_log_collection

app(name, chart, values) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": name, "namespace": "argocd"},
	"spec": {"project": "platform", "source": {"repoURL": "https://charts.example.org", "chart": chart, "targetRevision": "1.0.0", "helm": {"valuesObject": values}}},
}

loki := app("loki", "loki", {})

violations(resources) := v if {
	v := node_log_collection.violation with input as {"kind": "kubernetes", "index": 0, "resource": resources[0]}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": resources}
}

test_loki_without_agent_denied if {
	v := violations([loki])
	count(v) == 1
	some f in v
	f.field == "metadata.name"
}

test_otel_daemonset_with_logs_allowed if {
	count(violations([loki, app("node-logs", "opentelemetry-collector", {"mode": "daemonset", "presets": {"logsCollection": {"enabled": true}}})])) == 0
}

test_otel_deployment_denied if {
	count(violations([loki, app("otel", "opentelemetry-collector", {"mode": "deployment", "presets": {"logsCollection": {"enabled": true}}})])) == 1
}

test_fluent_bit_allowed if {
	count(violations([loki, app("fluent-bit", "fluent-bit", {})])) == 0
}

test_no_log_backend_not_checked if {
	count(violations([app("tempo", "tempo", {})])) == 0
}
