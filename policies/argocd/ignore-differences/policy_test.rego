package rules.argocd.ignore_differences_test

import rego.v1

import data.rules.argocd.ignore_differences

replicas(name) := {"group": "apps", "kind": "Deployment", "name": name, "jsonPointers": ["/spec/replicas"]}

app(entries, options) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"},
	"spec": {"ignoreDifferences": entries, "syncPolicy": {"automated": {"prune": true, "selfHeal": true}, "syncOptions": options}},
}

respect := ["RespectIgnoreDifferences=true"]

violations(obj) := v if {
	v := ignore_differences.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "t", "env": "dev", "resources": [obj]}
}

test_hpa_replicas_allowed if {
	count(violations(app([replicas("backend"), replicas("admin-dashboard")], respect))) == 0
}

test_no_ignore_differences_allowed if {
	count(violations(app([], []))) == 0
}

test_other_pointer_denied if {
	e := object.union(replicas("backend"), {"jsonPointers": ["/spec/template"]})
	v := violations(app([e], respect))
	count(v) == 1
	some f in v
	f.field == "spec.ignoreDifferences[0]"
}

test_extra_pointer_denied if {
	count(violations(app([object.union(replicas("backend"), {"jsonPointers": ["/spec/replicas", "/metadata/labels"]})], respect))) == 1
}

test_unnamed_deployment_denied if {
	count(violations(app([object.remove(replicas("backend"), ["name"])], respect))) == 1
}

test_other_kind_denied if {
	count(violations(app([object.union(replicas("x"), {"kind": "StatefulSet"})], respect))) == 1
	count(violations(app([{"group": "*", "kind": "*", "jsonPointers": ["/spec/replicas"]}], respect))) == 1
}

test_jq_and_managers_denied if {
	count(violations(app([object.union(replicas("backend"), {"jqPathExpressions": [".spec"]})], respect))) == 1
	count(violations(app([object.union(replicas("backend"), {"managedFieldsManagers": ["kube-controller-manager"]})], respect))) == 1
}

test_without_respect_option_denied if {
	v := violations(app([replicas("backend")], []))
	count(v) == 1
	some f in v
	f.field == "spec.syncPolicy.syncOptions"
}
