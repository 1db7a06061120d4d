package rules.k8s.run_as_non_root_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.run_as_non_root

v(obj) := x if {
	x := run_as_non_root.violation with input as t.review(obj)
}

nonroot(value) := {"securityContext": {"runAsNonRoot": value}}

all_kinds := {
	"containers": [{"name": "a"}],
	"initContainers": [{"name": "i"}],
	"ephemeralContainers": [{"name": "e"}],
}

test_pod_level_true_covers_every_container if {
	every _, obj in t.workloads(object.union(all_kinds, nonroot(true))) {
		count(v(obj)) == 0
	}
}

test_every_container_true_allowed if {
	count(v(t.deployment({
		"containers": [object.union({"name": "a"}, nonroot(true))],
		"initContainers": [object.union({"name": "i"}, nonroot(true))],
	}))) == 0
}

test_containers_true_override_pod_false_but_pod_false_reported if {
	count(v(t.deployment({
		"securityContext": {"runAsNonRoot": false},
		"containers": [object.union({"name": "a"}, nonroot(true))],
	}))) == 1
}

test_missing_everywhere_denied_per_container if {
	every _, obj in t.workloads(all_kinds) {
		count(v(obj)) == 3
	}
}

test_missing_message_points_at_pod if {
	v(t.deployment({"containers": [{"name": "api"}]})) == {{
		"msg": "Deployment/app: container 'api' may run as root (runAsNonRoot is set neither on it nor on the pod); set securityContext.runAsNonRoot: true on the pod",
		"field": "spec.template.spec.securityContext.runAsNonRoot",
	}}
}

test_container_false_under_pod_true_denied if {
	v(t.pod({"securityContext": {"runAsNonRoot": true}, "initContainers": [object.union({"name": "i"}, nonroot(false))]})) == {{
		"msg": "Pod/app: init container 'i' sets securityContext.runAsNonRoot: false; set it to true",
		"field": "spec.initContainers[0].securityContext.runAsNonRoot",
	}}
}

test_pod_false_and_container_unset if {
	# pod false is reported, and the unset container is not covered
	count(v(t.cronjob({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}))) == 2
}

test_run_as_user_zero_pod_and_container if {
	count(v(t.deployment({
		"securityContext": {"runAsNonRoot": true, "runAsUser": 0},
		"containers": [{"name": "a", "securityContext": {"runAsUser": 0}}, {"name": "b", "securityContext": {"runAsUser": 1000}}],
		"ephemeralContainers": [{"name": "e", "securityContext": {"runAsUser": 0}}],
	}))) == 3
}

test_run_as_user_zero_message if {
	v(t.pod({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a", "securityContext": {"runAsUser": 0}}]})) == {{
		"msg": "Pod/app: container 'a' sets securityContext.runAsUser: 0 (root); use a non-zero uid such as 10001",
		"field": "spec.containers[0].securityContext.runAsUser",
	}}
}

test_non_workload_ignored if count(v({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})) == 0
