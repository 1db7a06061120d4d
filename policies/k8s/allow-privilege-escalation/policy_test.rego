package rules.k8s.allow_privilege_escalation_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.allow_privilege_escalation

v(obj) := x if {
	x := allow_privilege_escalation.violation with input as t.review(obj)
}

ape(value) := {"securityContext": {"allowPrivilegeEscalation": value}}

test_explicit_false_allowed if {
	spec := {
		"containers": [object.union({"name": "a"}, ape(false))],
		"initContainers": [object.union({"name": "i"}, ape(false))],
		"ephemeralContainers": [object.union({"name": "e"}, ape(false))],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 0
	}
}

test_missing_denied_for_every_container_kind if {
	spec := {"containers": [{"name": "a"}], "initContainers": [{"name": "i", "securityContext": {}}], "ephemeralContainers": [{"name": "e"}]}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_missing_message if {
	v(t.deployment({"containers": [{"name": "api"}]})) == {{
		"msg": "Deployment/app: container 'api' does not set allowPrivilegeEscalation (unset means allowed); set securityContext.allowPrivilegeEscalation: false",
		"field": "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
	}}
}

test_true_message if {
	v(t.cronjob({"initContainers": [object.union({"name": "i"}, ape(true))]})) == {{
		"msg": "CronJob/app: init container 'i' sets allowPrivilegeEscalation: true; set securityContext.allowPrivilegeEscalation: false",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation",
	}}
}

test_windows_pod_exempt if count(v(t.pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}))) == 0
