package rules.k8s.networkpolicy_namespace_labels_test

import rego.v1

import data.rules.k8s.networkpolicy_namespace_labels

np(selector) := {
	"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np", "namespace": "app"},
	"spec": {
		"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
		"ingress": [{"from": [{"namespaceSelector": selector}]}],
		"egress": [{"to": [{"namespaceSelector": selector, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]}],
	},
}

namespace := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "istio-system", "labels": {"team": "mesh"}}}

violations(resources, i) := v if {
	v := networkpolicy_namespace_labels.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_metadata_name_label_allowed if {
	count(violations([np({"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}})], 0)) == 0
}

test_declared_namespace_label_allowed if {
	count(violations([np({"matchExpressions": [{"key": "team", "operator": "In", "values": ["mesh"]}]}), namespace], 0)) == 0
}

test_name_label_denied if {
	v := violations([np({"matchLabels": {"name": "istio-system"}})], 0)
	count(v) == 2
	{f.field | some f in v} == {"spec.ingress[0].from[0].namespaceSelector", "spec.egress[0].to[0].namespaceSelector"}
}

test_undeclared_expression_key_denied if {
	count(violations([np({"matchExpressions": [{"key": "team", "operator": "Exists"}]})], 0)) == 2
}

test_name_label_of_other_namespace_denied if {
	own := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": {"name": "app"}}}
	count(violations([np({"matchLabels": {"name": "istio-system"}}), own], 0)) == 2
}
