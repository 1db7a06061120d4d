package rules.argocd.project_permits_test

import rego.v1

import data.rules.argocd.project_permits

own := "https://github.com/funlynk/funlynk-gitops.git"

project := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "funlynk", "namespace": "argocd"},
	"spec": {
		"sourceRepos": [own],
		"destinations": [
			{"server": "https://kubernetes.default.svc", "namespace": "funlynk"},
			{"server": "https://kubernetes.default.svc", "namespace": "istio-ingress"},
		],
	},
}

app(spec) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "funlynk-dev", "namespace": "argocd"},
	"spec": object.union(
		{
			"project": "funlynk",
			"source": {"repoURL": own, "targetRevision": "main", "path": "overlays/dev"},
			"destination": {"server": "https://kubernetes.default.svc", "namespace": "funlynk"},
		},
		spec,
	),
}

violations(resources, i) := v if {
	v := project_permits.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": resources}
}

test_application_inside_project_allowed if {
	count(violations([project, app({})], 1)) == 0
}

test_application_repo_url_spelling_allowed if {
	count(violations([project, app({"source": {"repoURL": "https://github.com/funlynk/funlynk-gitops", "path": "overlays/dev"}})], 1)) == 0
}

test_destination_namespace_outside_project_denied if {
	v := violations([project, app({"destination": {"server": "https://kubernetes.default.svc", "namespace": "kube-system"}})], 1)
	count(v) == 1
	some f in v
	f.field == "spec.destination"
	contains(f.msg, "\"kube-system\"")
}

test_destination_other_cluster_denied if {
	v := violations([project, app({"destination": {"server": "https://10.0.0.1:6443", "namespace": "funlynk"}})], 1)
	count(v) == 1
}

test_source_repo_outside_project_denied if {
	v := violations([project, app({"source": {"repoURL": "https://github.com/someone/else.git", "targetRevision": "v1.0.0", "path": "x"}})], 1)
	count(v) == 1
	some f in v
	f.field == "spec.source.repoURL"
}

test_multi_source_second_repo_denied if {
	sources := [
		{"repoURL": own, "targetRevision": "main", "path": "overlays/dev"},
		{"repoURL": "https://charts.example.org", "chart": "x", "targetRevision": "1.0.0"},
	]
	v := violations([project, app({"sources": sources, "source": null})], 1)
	count(v) == 1
	some f in v
	f.field == "spec.sources[1].repoURL"
}

test_default_project_denied if {
	v := violations([project, app({"project": "default"})], 1)
	count(v) == 1
	some f in v
	f.field == "spec.project"
}

test_missing_project_in_target_with_projects_denied if {
	v := violations([project, app({"project": "platform"})], 1)
	count(v) == 1
	some f in v
	contains(f.msg, "\"platform\" is not defined")
}

test_target_without_projects_not_checked if {
	count(violations([app({"project": "platform"})], 0)) == 0
}

test_wildcard_namespace_pattern_allowed if {
	p := object.union(project, {"spec": {"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "team-*"}]}})
	count(violations([p, app({"destination": {"server": "https://kubernetes.default.svc", "namespace": "team-a"}})], 1)) == 0
	count(violations([p, app({"destination": {"server": "https://kubernetes.default.svc", "namespace": "other"}})], 1)) == 1
}

test_destination_by_cluster_name_allowed if {
	p := object.union(project, {"spec": {"destinations": [{"name": "in-cluster", "namespace": "funlynk"}]}})
	count(violations([p, app({"destination": {"name": "in-cluster", "namespace": "funlynk"}})], 1)) == 0
}

with_destination(dest) := object.union(object.remove(app({}), ["spec"]), {"spec": object.union(object.remove(app({}).spec, ["destination"]), {"destination": dest})})

test_destination_messages_name_the_cluster if {
	some f in violations([project, with_destination({"name": "other", "namespace": "funlynk"})], 1)
	contains(f.msg, "destination cluster other namespace")
	some g in violations([project, with_destination({"namespace": "funlynk"})], 1)
	contains(g.msg, "destination (no cluster) namespace")
}
