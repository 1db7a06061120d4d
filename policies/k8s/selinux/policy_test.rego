package rules.k8s.selinux_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.selinux

v(obj) := x if {
	x := selinux.violation with input as t.review(obj)
}

se(opts) := {"seLinuxOptions": opts}

test_allowed_types_and_level if {
	count(v(t.deployment({
		"securityContext": se({"type": "container_t", "level": "s0:c1,c2"}),
		"containers": [
			{"name": "a", "securityContext": se({"type": "container_init_t"})},
			{"name": "b", "securityContext": se({"type": "container_kvm_t", "user": "", "role": ""})},
			{"name": "c"},
		],
	}))) == 0
}

test_spc_t_denied_everywhere if {
	bad := se({"type": "spc_t"})
	spec := {
		"securityContext": bad,
		"containers": [{"name": "a", "securityContext": bad}],
		"initContainers": [{"name": "i", "securityContext": bad}],
		"ephemeralContainers": [{"name": "e", "securityContext": bad}],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 4
	}
}

test_user_and_role_denied if {
	count(v(t.pod({"containers": [{"name": "a", "securityContext": se({"user": "system_u", "role": "system_r"})}]}))) == 2
}

test_message_and_field if {
	v(t.cronjob({"initContainers": [{"name": "i", "securityContext": se({"type": "unconfined_t"})}]})) == {{
		"msg": "CronJob/app: init container 'i' sets seLinuxOptions.type: unconfined_t; use container_t (or leave it unset)",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].securityContext.seLinuxOptions.type",
	}}
}
