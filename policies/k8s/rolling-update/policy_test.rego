package rules.k8s.rolling_update_test

import rego.v1

import data.rules.k8s.rolling_update

spread := {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}]}

deployment(replicas, strategy, pod) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"replicas": replicas, "strategy": strategy, "template": {"metadata": {"labels": {"app": "api"}}, "spec": object.union(pod, {"containers": [{"name": "api"}]})}},
}

zero := {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}

one := {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}

budget := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "api", "namespace": "app"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "api"}}}}

violations(resources, i) := v if {
	v := rolling_update.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_deployment_surge_only_spread_allowed if count(violations([deployment(3, zero, spread)], 0)) == 0

# Rolling updates are not limited by PodDisruptionBudgets, so a budget does not excuse maxUnavailable.
test_deployment_max_unavailable_with_budget_denied if {
	v := violations([deployment(3, one, spread), budget], 0)
	count(v) == 1
	some f in v
	f.msg == "Deployment/api: maxUnavailable 1 takes down 1 of its 3 minimum replicas during each rollout (a PodDisruptionBudget does not limit rollouts); set maxUnavailable: 0 with maxSurge: 1"
}

test_deployment_anti_affinity_allowed if {
	count(violations([deployment(2, zero, {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}})], 0)) == 0
}

test_deployment_default_strategy_small_allowed if count(violations([deployment(3, {}, spread)], 0)) == 0

test_deployment_max_unavailable_one_denied if {
	v := violations([deployment(3, one, spread)], 0)
	count(v) == 1
	some f in v
	f.field == "spec.strategy.rollingUpdate.maxUnavailable"
}

test_deployment_not_spread_denied if {
	v := violations([deployment(3, zero, {})], 0)
	count(v) == 1
	some f in v
	f.field == "spec.template.spec.topologySpreadConstraints"
}

test_single_replica_recreate_allowed if count(violations([deployment(1, {"type": "Recreate"}, {})], 0)) == 0
