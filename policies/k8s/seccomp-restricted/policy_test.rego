package rules.k8s.seccomp_restricted_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.seccomp_restricted

v(obj) := x if {
	x := seccomp_restricted.violation with input as t.review(obj)
}

sc(type) := {"seccompProfile": {"type": type}}

all_kinds := {
	"containers": [{"name": "a"}],
	"initContainers": [{"name": "i"}],
	"ephemeralContainers": [{"name": "e"}],
}

test_pod_runtime_default_covers_all if {
	every _, obj in t.workloads(object.union(all_kinds, {"securityContext": sc("RuntimeDefault")})) {
		count(v(obj)) == 0
	}
}

test_each_container_profile_allowed if {
	count(v(t.deployment({
		"containers": [{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}],
		"initContainers": [{"name": "i", "securityContext": sc("RuntimeDefault")}],
	}))) == 0
}

test_missing_denied_per_container if {
	every _, obj in t.workloads(all_kinds) {
		count(v(obj)) == 3
	}
}

test_missing_message if {
	v(t.deployment({"containers": [{"name": "api"}]})) == {{
		"msg": "Deployment/app: container 'api' has no seccomp profile (set neither on it nor on the pod); set securityContext.seccompProfile.type: RuntimeDefault on the pod",
		"field": "spec.template.spec.securityContext.seccompProfile.type",
	}}
}

test_container_unconfined_under_pod_default_denied if {
	v(t.cronjob({"securityContext": sc("RuntimeDefault"), "containers": [{"name": "a", "securityContext": sc("Unconfined")}]})) == {{
		"msg": "CronJob/app: container 'a' sets seccompProfile.type: Unconfined; use RuntimeDefault or Localhost",
		"field": "spec.jobTemplate.spec.template.spec.containers[0].securityContext.seccompProfile.type",
	}}
}

test_pod_unconfined_denied_once if {
	# the pod's own type is wrong; the containers are not reported again
	count(v(t.pod({"securityContext": sc("Unconfined"), "containers": [{"name": "a"}, {"name": "b"}]}))) == 1
}

test_localhost_without_profile_denied if {
	count(v(t.pod({"securityContext": sc("Localhost"), "containers": [{"name": "a", "securityContext": sc("Localhost")}]}))) == 2
}

test_windows_pod_exempt if count(v(t.pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}))) == 0
