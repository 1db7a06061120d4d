package rules.k8s.hpa_metrics_server_test

import rego.v1

import data.rules.k8s.hpa_metrics_server

hpa(metric_type) := {
	"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "backend", "namespace": "funlynk"},
	"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "backend"}, "maxReplicas": 4, "metrics": [{"type": metric_type}]},
}

app(chart) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": chart}, "spec": {"source": {"repoURL": "https://charts.example.org", "chart": chart, "targetRevision": "1.0.0"}}}

violations(obj, environment) := v if {
	v := hpa_metrics_server.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "overlays/dev", "env": "dev", "resources": [obj]}
		with data.environment as {"resources": environment}
}

test_cluster_without_metrics_server_denied if {
	v := violations(hpa("ContainerResource"), [app("loki")])
	count(v) == 1
	some f in v
	f.field == "spec.metrics[0]"
}

test_cluster_with_metrics_server_allowed if {
	count(violations(hpa("Resource"), [app("loki"), app("metrics-server")])) == 0
}

test_external_metrics_not_checked if {
	count(violations(hpa("External"), [app("loki")])) == 0
}

test_cluster_not_in_run_not_judged if {
	count(violations(hpa("Resource"), [])) == 0
	git_app := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "app"}, "spec": {"source": {"repoURL": "https://github.com/funlynk/funlynk-gitops.git", "path": "overlays/dev"}}}
	count(violations(hpa("Resource"), [git_app])) == 0
}
