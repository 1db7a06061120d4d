package rules.argocd.appproject_least_privilege_test

import rego.v1

import data.rules.argocd.appproject_least_privilege

project(spec) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "p", "namespace": "argocd"}, "spec": spec}

exact := {
	"sourceRepos": ["https://github.com/funlynk/funlynk-gitops.git"],
	"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "funlynk"}],
	"clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
}

violations(obj) := v if {
	v := appproject_least_privilege.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "t", "env": "dev", "resources": [obj]}
}

test_exact_project_allowed if {
	count(violations(project(exact))) == 0
}

test_wildcard_source_repo_denied if {
	v := violations(project(object.union(exact, {"sourceRepos": ["*"]})))
	count(v) == 1
	some f in v
	f.field == "spec.sourceRepos[0]"
}

test_wildcard_destinations_denied if {
	count(violations(project(object.union(exact, {"destinations": [{"server": "*", "namespace": "*"}]})))) == 2
	count(violations(project(object.union(exact, {"destinations": [{"name": "in-cluster", "namespace": "team-*"}]})))) == 1
}

test_wildcard_cluster_kinds_denied if {
	v := violations(project(object.union(exact, {"clusterResourceWhitelist": [{"group": "*", "kind": "*"}]})))
	count(v) == 2
}

test_applications_ignored if {
	count(violations({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"}, "spec": {"sourceRepos": ["*"]}})) == 0
}
