package rules.k8s.capabilities_baseline_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.capabilities_baseline

v(obj) := x if {
	x := capabilities_baseline.violation with input as t.review(obj)
}

adds(caps) := {"name": "a", "securityContext": {"capabilities": {"add": caps}}}

test_baseline_caps_allowed if {
	count(v(t.deployment({"containers": [adds(["NET_BIND_SERVICE", "CHOWN", "KILL"])]}))) == 0
}

test_no_add_allowed if {
	count(v(t.deployment({"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}))) == 0
}

test_net_admin_denied_in_every_kind if {
	every _, obj in t.workloads({"containers": [adds(["NET_ADMIN", "CHOWN", "SYS_ADMIN"])]}) {
		count(v(obj)) == 2
	}
}

test_init_and_ephemeral_denied if {
	count(v(t.pod({"initContainers": [adds(["NET_RAW"])], "ephemeralContainers": [adds(["SYS_PTRACE"])]}))) == 2
}

test_field_points_at_capability if {
	some x in v(t.pod({"containers": [adds(["CHOWN", "NET_ADMIN"])]}))
	x.field == "spec.containers[0].securityContext.capabilities.add[1]"
	startswith(x.msg, "Pod/app: container 'a' adds capability NET_ADMIN, which the baseline does not allow")
}
