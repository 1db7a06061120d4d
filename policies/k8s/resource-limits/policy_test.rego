package rules.k8s.resource_limits_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.resource_limits

v(obj) := x if {
	x := resource_limits.violation with input as t.review(obj)
		with data.units as t.units
}

full := {"resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}}

test_full_resources_allowed_everywhere if {
	spec := {"containers": [object.union({"name": "a"}, full)], "initContainers": [object.union({"name": "i"}, full)]}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 0
	}
}

test_equal_and_numeric_quantities_allowed if {
	count(v(t.deployment({"containers": [{"name": "a", "resources": {
		"requests": {"cpu": "0.5", "memory": "1Gi"},
		"limits": {"cpu": 1, "memory": "1Gi"},
	}}]}))) == 0
}

test_ephemeral_containers_not_required if {
	count(v(t.pod({"containers": [object.union({"name": "a"}, full)], "ephemeralContainers": [{"name": "e"}]}))) == 0
}

test_missing_resources_denied_four_times_per_container if {
	every _, obj in t.workloads({"containers": [{"name": "a"}], "initContainers": [{"name": "i", "resources": {}}]}) {
		count(v(obj)) == 8
	}
}

test_missing_limit_message if {
	v(t.deployment({"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m"}}}]})) == {{
		"msg": "Deployment/app: container 'a' has no resources.limits.memory; set it",
		"field": "spec.template.spec.containers[0].resources.limits.memory",
	}}
}

test_request_above_limit_denied if {
	v(t.cronjob({"initContainers": [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "128Mi"}}}]})) == {{
		"msg": "CronJob/app: init container 'i' requests cpu 1, more than its limit 500m; lower the request or raise the limit",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].resources.requests.cpu",
	}}
}

test_memory_request_above_limit_denied if {
	count(v(t.deployment({"containers": [{"name": "a", "resources": {"requests": {"cpu": "100m", "memory": "512Mi"}, "limits": {"cpu": "100m", "memory": "256Mi"}}}]}))) == 1
}

test_unparseable_quantity_denied if {
	v(t.pod({"containers": [{"name": "a", "resources": {"requests": {"cpu": "lots", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}}]})) == {{
		"msg": "Pod/app: container 'a' resources.requests.cpu is lots, which is not a cpu quantity; write it like 250m",
		"field": "spec.containers[0].resources.requests.cpu",
	}}
}
