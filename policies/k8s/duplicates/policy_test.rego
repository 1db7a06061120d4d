package rules.k8s.duplicates_test

import rego.v1

import data.rules.k8s.duplicates

cm(api, ns, name) := {"apiVersion": api, "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}}

violations(resources, i) := v if {
	v := duplicates.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_distinct_objects_allowed if {
	rs := [cm("v1", "a", "x"), cm("v1", "b", "x"), cm("v1", "a", "y")]
	count(violations(rs, 1)) == 0
	count(violations(rs, 2)) == 0
}

test_second_copy_denied if {
	rs := [cm("v1", "a", "x"), cm("v1", "a", "x"), cm("v1", "a", "x")]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 1
	count(violations(rs, 2)) == 2
}

test_same_group_other_version_denied if {
	rs := [
		{"apiVersion": "networking.istio.io/v1beta1", "kind": "Gateway", "metadata": {"name": "g", "namespace": "a"}},
		{"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "g", "namespace": "a"}},
	]
	count(violations(rs, 1)) == 1
}
