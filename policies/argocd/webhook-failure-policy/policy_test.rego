package rules.argocd.webhook_failure_policy_test

import rego.v1

import data.rules.argocd.webhook_failure_policy

app(repo, chart, values) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": chart, "namespace": "argocd"},
	"spec": {"project": "platform", "source": {"repoURL": repo, "chart": chart, "targetRevision": "1.0.0", "helm": {"valuesObject": values}}},
}

istio := "https://istio-release.storage.googleapis.com/charts"

prom := "https://prometheus-community.github.io/helm-charts"

violations(a) := v if {
	v := webhook_failure_policy.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": [a]}
}

test_istio_base_unset_denied if {
	v := violations(app(istio, "base", {"defaultRevision": "default"}))
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.base.validationFailurePolicy"
}

test_istiod_fail_allowed if {
	count(violations(app(istio, "istiod", {"base": {"validationFailurePolicy": "Fail"}}))) == 0
}

test_kube_prometheus_stack_default_denied if {
	count(violations(app(prom, "kube-prometheus-stack", {}))) == 1
	count(violations(app(prom, "kube-prometheus-stack", {"prometheusOperator": {"admissionWebhooks": {"failurePolicy": "IgnoreOnInstallOnly"}}}))) == 1
}

test_kube_prometheus_stack_fail_allowed if {
	count(violations(app(prom, "kube-prometheus-stack", {"prometheusOperator": {"admissionWebhooks": {"failurePolicy": "Fail"}}}))) == 0
	count(violations(app(prom, "kube-prometheus-stack", {"prometheusOperator": {"admissionWebhooks": {"enabled": false}}}))) == 0
}

test_other_base_chart_not_checked if {
	count(violations(app("https://charts.example.org", "base", {}))) == 0
}
