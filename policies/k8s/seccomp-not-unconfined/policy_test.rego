package rules.k8s.seccomp_not_unconfined_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.seccomp_not_unconfined

v(obj) := x if {
	x := seccomp_not_unconfined.violation with input as t.review(obj)
}

sc(type) := {"seccompProfile": {"type": type}}

test_unset_allowed if count(v(t.deployment({"containers": [{"name": "a"}]}))) == 0

test_runtime_default_and_localhost_allowed if {
	count(v(t.deployment({
		"securityContext": sc("RuntimeDefault"),
		"containers": [{"name": "a", "securityContext": sc("Localhost")}],
	}))) == 0
}

test_unconfined_denied_everywhere if {
	spec := {
		"securityContext": sc("Unconfined"),
		"containers": [{"name": "a", "securityContext": sc("Unconfined")}],
		"initContainers": [{"name": "i", "securityContext": sc("Unconfined")}],
		"ephemeralContainers": [{"name": "e", "securityContext": sc("Unconfined")}],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 4
	}
}

test_pod_message if {
	v(t.cronjob({"securityContext": sc("Unconfined")})) == {{
		"msg": "CronJob/app: pod sets seccompProfile.type: Unconfined; use RuntimeDefault",
		"field": "spec.jobTemplate.spec.template.spec.securityContext.seccompProfile.type",
	}}
}
