package rules.k8s.read_only_root_filesystem_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.read_only_root_filesystem

v(obj) := x if {
	x := read_only_root_filesystem.violation with input as t.review(obj)
}

ro(value) := {"securityContext": {"readOnlyRootFilesystem": value}}

test_true_allowed_everywhere if {
	spec := {
		"containers": [object.union({"name": "a"}, ro(true))],
		"initContainers": [object.union({"name": "i"}, ro(true))],
		"ephemeralContainers": [object.union({"name": "e"}, ro(true))],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 0
	}
}

test_missing_denied_for_every_container_kind if {
	every _, obj in t.workloads({"containers": [{"name": "a"}], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}) {
		count(v(obj)) == 3
	}
}

test_missing_message if {
	v(t.deployment({"containers": [{"name": "a"}]})) == {{
		"msg": "Deployment/app: container 'a' does not set readOnlyRootFilesystem (unset means writable); set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes",
		"field": "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
	}}
}

test_false_message if {
	v(t.cronjob({"containers": [object.union({"name": "a"}, ro(false))]})) == {{
		"msg": "CronJob/app: container 'a' sets readOnlyRootFilesystem: false; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes",
		"field": "spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
	}}
}
