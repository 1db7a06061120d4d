package rules.k8s.pdb_test

import rego.v1

import data.rules.k8s.pdb

deployment(replicas) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"replicas": replicas, "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api"}]}}},
}

budget(spec) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "api", "namespace": "app"}, "spec": spec}

hpa_min(n) := {
	"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": n, "maxReplicas": 6},
}

selector := {"matchLabels": {"app": "api"}}

violations(resources, i) := v if {
	v := pdb.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_budget_max_unavailable_one_allowed if {
	rs := [deployment(3), budget({"selector": selector, "maxUnavailable": 1})]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 0
}

test_budget_min_available_below_replicas_allowed if {
	count(violations([deployment(3), budget({"selector": selector, "minAvailable": 2})], 1)) == 0
	count(violations([deployment(3), budget({"selector": selector, "minAvailable": "50%"})], 1)) == 0
}

test_budget_selecting_nothing_denied if {
	v := violations([deployment(3), budget({"selector": {"matchLabels": {"app": "web"}}, "maxUnavailable": 1})], 1)
	count(v) == 1
}

test_budget_min_available_all_denied if {
	count(violations([deployment(3), budget({"selector": selector, "minAvailable": 3})], 1)) == 1
	count(violations([deployment(3), budget({"selector": selector, "minAvailable": "100%"})], 1)) == 1
}

test_budget_min_available_against_hpa_min_denied if {
	rs := [object.remove(deployment(3), ["spec"]), budget({"selector": selector, "minAvailable": 2}), hpa_min(2)]
	count(violations(rs, 1)) == 1
}

test_budget_max_unavailable_zero_denied if {
	count(violations([deployment(3), budget({"selector": selector, "maxUnavailable": 0})], 1)) == 1
	count(violations([deployment(3), budget({"selector": selector, "maxUnavailable": "0%"})], 1)) == 1
}

test_replicated_deployment_without_budget_warning if {
	v := violations([deployment(2)], 0)
	count(v) == 1
	some f in v
	f.severity == "warning"
}

test_single_replica_without_budget_allowed if count(violations([deployment(1)], 0)) == 0
