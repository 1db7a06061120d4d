package rules.istio.tracing_providers_test

import rego.v1

import data.rules.istio.tracing_providers

istiod(mesh) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "istiod", "namespace": "argocd"},
	"spec": {
		"project": "platform",
		"source": {"repoURL": "https://istio-release.storage.googleapis.com/charts", "chart": "istiod", "targetRevision": "1.29.2", "helm": {"valuesObject": {"meshConfig": mesh}}},
		"destination": {"server": "https://kubernetes.default.svc", "namespace": "istio-system"},
	},
}

telemetry := {"apiVersion": "telemetry.istio.io/v1", "kind": "Telemetry", "metadata": {"name": "default", "namespace": "funlynk"}, "spec": {"tracing": [{"providers": [{"name": "otel-tracing"}]}]}}

otel := {"name": "otel-tracing", "opentelemetry": {"service": "otel-collector.funlynk.svc.cluster.local", "port": 4317}}

violations(app, environment) := v if {
	v := tracing_providers.violation with input as {"kind": "kubernetes", "index": 0, "resource": app}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": [app]}
		with data.environment as {"resources": environment}
}

test_telemetry_provider_undefined_denied if {
	v := violations(istiod({"enableTracing": true}), [telemetry])
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.meshConfig.extensionProviders"
	contains(f.msg, "Telemetry funlynk/default")
	contains(f.msg, "(defined: none)")
}

test_default_provider_undefined_denied if {
	count(violations(istiod({"defaultProviders": {"tracing": ["zipkin"]}, "extensionProviders": [otel]}), [])) == 1
}

test_telemetry_provider_defined_allowed if {
	count(violations(istiod({"extensionProviders": [otel]}), [telemetry])) == 0
}

test_no_telemetry_allowed if {
	count(violations(istiod({}), [])) == 0
}
