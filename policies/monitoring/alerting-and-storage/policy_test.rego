package rules.monitoring.alerting_and_storage_test

import rego.v1

import data.rules.monitoring.alerting_and_storage

app(values) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "kube-prometheus-stack", "namespace": "argocd"},
	"spec": {"project": "platform", "source": {"repoURL": "https://prometheus-community.github.io/helm-charts", "chart": "kube-prometheus-stack", "targetRevision": "83.6.0", "helm": {"valuesObject": values}}},
}

storage := {"prometheus": {"prometheusSpec": {"storageSpec": {"volumeClaimTemplate": {"spec": {"resources": {"requests": {"storage": "50Gi"}}}}}}}}

oncall := {"alertmanager": {"config": {
	"route": {"receiver": "oncall"},
	"receivers": [{"name": "null"}, {"name": "oncall", "slack_configs": [{"api_url_file": "/etc/alertmanager/secrets/x/url"}]}],
}}}

violations(values) := v if {
	a := app(values)
	v := alerting_and_storage.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": [a]}
}

test_chart_defaults_denied if {
	v := violations({})
	count(v) == 2
	fields := {f.field | some f in v}
	fields == {"spec.source.helm.valuesObject.alertmanager.config.route.receiver", "spec.source.helm.valuesObject.prometheus.prometheusSpec.storageSpec"}
}

test_receiver_and_storage_allowed if {
	count(violations(object.union(storage, oncall))) == 0
}

test_receiver_without_notifier_denied if {
	values := object.union(storage, {"alertmanager": {"config": {"route": {"receiver": "oncall"}, "receivers": [{"name": "oncall"}]}}})
	v := violations(values)
	count(v) == 1
	some f in v
	contains(f.msg, "'oncall'")
}

test_alertmanager_disabled_only_storage_checked if {
	count(violations(object.union(storage, {"alertmanager": {"enabled": false}}))) == 0
	count(violations({"alertmanager": {"enabled": false}})) == 1
}
