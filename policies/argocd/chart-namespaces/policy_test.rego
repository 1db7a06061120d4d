package rules.argocd.chart_namespaces_test

import rego.v1

import data.rules.argocd.chart_namespaces

project := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "platform", "namespace": "argocd"},
	"spec": {"destinations": [
		{"server": "https://kubernetes.default.svc", "namespace": "cert-manager"},
		{"server": "https://kubernetes.default.svc", "namespace": "monitoring"},
	]},
}

app(chart, ns, values) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": chart, "namespace": "argocd"},
	"spec": {
		"project": "platform",
		"source": {"repoURL": "https://charts.example.org", "chart": chart, "targetRevision": "1.0.0", "helm": {"valuesObject": values}},
		"destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
	},
}

violations(resources) := v if {
	v := chart_namespaces.violation with input as {"kind": "kubernetes", "index": 1, "resource": resources[1]}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": resources}
}

test_cert_manager_default_leader_election_denied if {
	v := violations([project, app("cert-manager", "cert-manager", {"crds": {"enabled": true}})])
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.global.leaderElection.namespace"
	contains(f.msg, "\"kube-system\"")
}

test_cert_manager_leader_election_in_release_namespace_allowed if {
	count(violations([project, app("cert-manager", "cert-manager", {"global": {"leaderElection": {"namespace": "cert-manager"}}})])) == 0
}

test_kube_prometheus_stack_components_denied if {
	v := violations([project, app("kube-prometheus-stack", "monitoring", {"kubeEtcd": {"enabled": false}})])
	count(v) == 4
	some f in v
	f.field == "spec.source.helm.valuesObject.coreDns.enabled"
}

test_kube_prometheus_stack_components_disabled_allowed if {
	values := {c: {"enabled": false} | some c in ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy", "coreDns"]}
	count(violations([project, app("kube-prometheus-stack", "monitoring", values)])) == 0
}

test_other_chart_not_checked if {
	count(violations([project, app("loki", "observability", {})])) == 0
}

test_without_project_not_checked if {
	a := app("cert-manager", "cert-manager", {})
	count(violations([a, a])) == 0
}

test_metrics_server_auth_reader_in_kube_system_denied if {
	v := violations([project, app("metrics-server", "monitoring", {})])
	count(v) == 1
	some f in v
	f.field == "spec.source.helm.valuesObject.rbac.create"
}
