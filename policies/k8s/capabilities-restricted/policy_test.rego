package rules.k8s.capabilities_restricted_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.capabilities_restricted

v(obj) := x if {
	x := capabilities_restricted.violation with input as t.review(obj)
}

caps(c) := {"securityContext": {"capabilities": c}}

test_drop_all_add_net_bind_allowed_everywhere if {
	good := caps({"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})
	spec := {
		"containers": [object.union({"name": "a"}, good)],
		"initContainers": [object.union({"name": "i"}, good)],
		"ephemeralContainers": [object.union({"name": "e"}, good)],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 0
	}
}

test_missing_drop_denied_for_every_container_kind if {
	spec := {"containers": [{"name": "a"}], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_drop_without_all_message if {
	v(t.deployment({"containers": [object.union({"name": "a"}, caps({"drop": ["NET_RAW", "MKNOD"]}))]})) == {{
		"msg": "Deployment/app: container 'a' does not drop ALL capabilities (drop: [NET_RAW, MKNOD]); set securityContext.capabilities.drop: [ALL]",
		"field": "spec.template.spec.containers[0].securityContext.capabilities.drop",
	}}
}

test_add_other_than_net_bind_denied if {
	v(t.pod({"initContainers": [object.union({"name": "i"}, caps({"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]}))]})) == {{
		"msg": "Pod/app: init container 'i' adds capability CHOWN; only NET_BIND_SERVICE may be added back, remove it",
		"field": "spec.initContainers[0].securityContext.capabilities.add[1]",
	}}
}

test_windows_pod_exempt if count(v(t.pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]}))) == 0

test_no_drop_message if {
	v(t.job({"containers": [{"name": "a"}]})) == {{
		"msg": "Job/app: container 'a' does not drop ALL capabilities (it drops none); set securityContext.capabilities.drop: [ALL]",
		"field": "spec.template.spec.containers[0].securityContext.capabilities.drop",
	}}
}
