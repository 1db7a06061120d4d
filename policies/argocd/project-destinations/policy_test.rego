package rules.argocd.project_destinations_test

import rego.v1

import data.rules.argocd.project_destinations

project := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "platform", "namespace": "argocd"},
	"spec": {
		"sourceRepos": ["https://charts.jetstack.io"],
		"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "cert-manager"}],
		"clusterResourceWhitelist": [{"group": "rbac.authorization.k8s.io", "kind": "ClusterRole"}],
	},
}

app := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "cert-manager", "namespace": "argocd"},
	"spec": {
		"project": "platform",
		"source": {"repoURL": "https://charts.jetstack.io", "chart": "cert-manager", "targetRevision": "v1.20.1"},
		"destination": {"server": "https://kubernetes.default.svc", "namespace": "cert-manager"},
	},
}

deployed(kind, api, ns, by) := {"apiVersion": api, "kind": kind, "metadata": object.union(
	{"name": "x", "annotations": {"gitops.funlynk.com/application": by, "gitops.funlynk.com/chart": "cert-manager v1.20.1 from https://charts.jetstack.io (offline)"}},
	ns,
)}

violations(resources) := v if {
	v := project_destinations.violation with input as {"kind": "kubernetes", "index": 1, "resource": app}
		with data.target as {"name": "clusters/prod", "env": "prod", "resources": resources}
}

test_object_in_permitted_namespace_allowed if {
	count(violations([project, app, deployed("Role", "rbac.authorization.k8s.io/v1", {"namespace": "cert-manager"}, "argocd/cert-manager")])) == 0
}

test_object_in_other_namespace_denied if {
	v := violations([project, app, deployed("Role", "rbac.authorization.k8s.io/v1", {"namespace": "kube-system"}, "argocd/cert-manager")])
	count(v) == 1
	some f in v
	f.field == "spec.source.chart"
	contains(f.msg, "into namespace \"kube-system\"")
}

test_whitelisted_cluster_kind_allowed if {
	count(violations([project, app, deployed("ClusterRole", "rbac.authorization.k8s.io/v1", {}, "argocd/cert-manager")])) == 0
}

test_cluster_kind_not_whitelisted_denied if {
	v := violations([project, app, deployed("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", {}, "argocd/cert-manager")])
	count(v) == 1
	some f in v
	contains(f.msg, "admissionregistration.k8s.io/ValidatingWebhookConfiguration")
}

test_objects_of_other_applications_ignored if {
	count(violations([project, app, deployed("Role", "rbac.authorization.k8s.io/v1", {"namespace": "kube-system"}, "argocd/other")])) == 0
}

test_object_without_chart_points_at_destination if {
	obj := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "kube-system", "annotations": {"gitops.funlynk.com/application": "argocd/cert-manager"}}}
	v := violations([project, app, obj])
	count(v) == 1
	some f in v
	f.field == "spec.destination"
}
