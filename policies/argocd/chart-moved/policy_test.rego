package rules.argocd.chart_moved_test

import rego.v1

import data.rules.argocd.chart_moved

app(repo, chart) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": chart, "namespace": "argocd"},
	"spec": {"project": "platform", "source": {"repoURL": repo, "chart": chart, "targetRevision": "1.0.0"}},
}

violations(a) := v if {
	v := chart_moved.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": [a]}
}

test_tempo_old_home_denied if {
	v := violations(app("https://grafana.github.io/helm-charts/", "tempo"))
	count(v) == 1
	some f in v
	f.field == "spec.source.repoURL"
	contains(f.msg, "grafana-community")
}

test_new_home_allowed if {
	count(violations(app("https://grafana-community.github.io/helm-charts", "loki"))) == 0
}

test_other_chart_of_old_home_allowed if {
	count(violations(app("https://grafana.github.io/helm-charts", "k6-operator"))) == 0
}
