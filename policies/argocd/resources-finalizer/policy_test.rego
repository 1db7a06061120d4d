package rules.argocd.resources_finalizer_test

import rego.v1

import data.rules.argocd.resources_finalizer

app(meta) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": object.union({"name": "a", "namespace": "argocd"}, meta), "spec": {}}

violations(obj) := v if {
	v := resources_finalizer.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "t", "env": "dev", "resources": [obj]}
}

test_finalizer_present_allowed if {
	count(violations(app({"finalizers": ["resources-finalizer.argocd.argoproj.io"]}))) == 0
	count(violations(app({"finalizers": ["resources-finalizer.argocd.argoproj.io/background"]}))) == 0
}

test_finalizer_missing_denied if {
	v := violations(app({}))
	count(v) == 1
	some f in v
	f.field == "metadata.finalizers"
}

test_finalizer_empty_or_other_denied if {
	count(violations(app({"finalizers": []}))) == 1
	count(violations(app({"finalizers": ["kubernetes"]}))) == 1
}

test_other_kinds_ignored if {
	count(violations({"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "p"}})) == 0
}
