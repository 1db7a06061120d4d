package rules.k8s.privileged_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.privileged

v(obj) := x if {
	x := privileged.violation with input as t.review(obj)
}

priv := {"securityContext": {"privileged": true}}

test_unset_and_false_allowed if {
	count(v(t.deployment({"containers": [{"name": "a"}, {"name": "b", "securityContext": {"privileged": false}}]}))) == 0
}

test_every_container_kind_denied if {
	spec := {
		"containers": [object.union({"name": "a"}, priv)],
		"initContainers": [object.union({"name": "i"}, priv)],
		"ephemeralContainers": [object.union({"name": "e"}, priv)],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_init_container_message if {
	v(t.pod({"initContainers": [object.union({"name": "tuner"}, priv)]})) == {{
		"msg": "Pod/app: init container 'tuner' sets privileged: true; remove it",
		"field": "spec.initContainers[0].securityContext.privileged",
	}}
}

test_ephemeral_container_field if {
	some x in v(t.cronjob({"ephemeralContainers": [object.union({"name": "dbg"}, priv)]}))
	x.field == "spec.jobTemplate.spec.template.spec.ephemeralContainers[0].securityContext.privileged"
}
