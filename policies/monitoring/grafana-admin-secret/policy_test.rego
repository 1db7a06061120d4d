package rules.monitoring.grafana_admin_secret_test

import rego.v1

import data.rules.monitoring.grafana_admin_secret

app(values) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "kube-prometheus-stack", "namespace": "argocd"},
	"spec": {"project": "platform", "source": {"repoURL": "https://prometheus-community.github.io/helm-charts", "chart": "kube-prometheus-stack", "targetRevision": "83.6.0", "helm": {"valuesObject": values}}},
}

violations(values) := v if {
	a := app(values)
	v := grafana_admin_secret.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": [a]}
}

test_generated_password_denied if {
	v := violations({"grafana": {"sidecar": {}}})
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.grafana.admin.existingSecret"
}

test_literal_password_denied if {
	v := violations({"grafana": {"adminPassword": "hunter2"}})
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.grafana.adminPassword"
}

test_existing_secret_allowed if {
	count(violations({"grafana": {"admin": {"existingSecret": "grafana-admin"}}})) == 0
}

test_grafana_disabled_allowed if {
	count(violations({"grafana": {"enabled": false}})) == 0
}
