package rules.k8s.limitrange_present_test

import rego.v1

import data.rules.k8s.limitrange_present

namespace := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}}

deployment(name) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "app"}, "spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}

limit_range := {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l", "namespace": "app"}, "spec": {"limits": []}}

quota := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "app"}, "spec": {"hard": {}}}

violations(resources, i) := v if {
	v := limitrange_present.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_namespace_with_both_allowed if {
	rs := [namespace, deployment("a"), limit_range, quota]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 0
}

test_namespace_without_both_denied_on_namespace if {
	rs := [deployment("a"), namespace, deployment("b")]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 2
	count(violations(rs, 2)) == 0
}

test_undeclared_namespace_denied_on_first_workload if {
	rs := [limit_range, deployment("a"), deployment("b")]
	count(violations(rs, 1)) == 1
	count(violations(rs, 2)) == 0
}

test_namespace_without_workloads_allowed if count(violations([namespace], 0)) == 0
