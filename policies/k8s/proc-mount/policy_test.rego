package rules.k8s.proc_mount_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.proc_mount

v(obj) := x if {
	x := proc_mount.violation with input as t.review(obj)
}

test_unset_and_default_allowed if {
	count(v(t.deployment({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"procMount": "Default"}}]}))) == 0
}

test_unmasked_denied_for_every_container_kind if {
	bad := {"securityContext": {"procMount": "Unmasked"}}
	spec := {
		"containers": [object.union({"name": "a"}, bad)],
		"initContainers": [object.union({"name": "i"}, bad)],
		"ephemeralContainers": [object.union({"name": "e"}, bad)],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_message_and_field if {
	v(t.pod({"ephemeralContainers": [{"name": "dbg", "securityContext": {"procMount": "Unmasked"}}]})) == {{
		"msg": "Pod/app: ephemeral container 'dbg' sets procMount: Unmasked; remove it or set Default",
		"field": "spec.ephemeralContainers[0].securityContext.procMount",
	}}
}
