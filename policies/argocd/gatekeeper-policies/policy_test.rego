package rules.argocd.gatekeeper_policies_test

import rego.v1

import data.rules.argocd.gatekeeper_policies

gatekeeper := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"metadata": {"name": "gatekeeper", "namespace": "argocd", "annotations": {"argocd.argoproj.io/sync-wave": "-2"}},
	"spec": {"project": "platform", "source": {"repoURL": "https://open-policy-agent.github.io/gatekeeper/charts", "chart": "gatekeeper", "targetRevision": "3.21.1"}},
}

policies(wave, source) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
	"metadata": {"name": "gatekeeper-policies", "namespace": "argocd", "annotations": {"argocd.argoproj.io/sync-wave": wave}},
	"spec": {"project": "platform", "source": source},
}

own := {"repoURL": "https://github.com/funlynk/funlynk-gitops.git", "targetRevision": "main", "path": "clusters/dev/gatekeeper-policies"}

violations(resources, i) := v if {
	v := gatekeeper_policies.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "clusters/dev", "env": "dev", "resources": resources}
}

test_gatekeeper_without_policies_denied if {
	v := violations([gatekeeper], 0)
	count(v) == 1
	some f in v
	f.field == "metadata.name"
}

test_gatekeeper_with_policies_allowed if {
	resources := [gatekeeper, policies("-1", own)]
	count(violations(resources, 0)) == 0
	count(violations(resources, 1)) == 0
}

test_policies_same_wave_denied if {
	v := violations([gatekeeper, policies("-2", own)], 1)
	count(v) == 1
	some f in v
	f.field == "metadata.annotations[\"argocd.argoproj.io/sync-wave\"]"
}

test_policies_remote_source_denied if {
	v := violations([gatekeeper, policies("0", {"repoURL": "https://example.org/charts", "chart": "x", "targetRevision": "1.0.0"})], 1)
	count(v) == 1
	some f in v
	f.field == "spec.source"
}

test_no_gatekeeper_not_checked if {
	count(violations([policies("-5", {"repoURL": "https://example.org/charts", "chart": "x"})], 0)) == 0
}
