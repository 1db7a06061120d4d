package rules.k8s.host_namespaces_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.host_namespaces

v(obj) := x if {
	x := host_namespaces.violation with input as t.review(obj)
}

test_unset_allowed_in_every_kind if {
	every _, obj in t.workloads({"containers": [{"name": "a"}]}) {
		count(v(obj)) == 0
	}
}

test_explicit_false_allowed if {
	count(v(t.deployment({"hostNetwork": false, "hostPID": false, "hostIPC": false, "containers": []}))) == 0
}

test_each_true_denied_in_every_kind if {
	every _, obj in t.workloads({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": []}) {
		count(v(obj)) == 3
	}
}

test_deployment_hostnetwork_message_and_field if {
	v(t.deployment({"hostNetwork": true})) == {{
		"msg": "Deployment/app: sets hostNetwork: true, sharing the node's network namespace; remove it",
		"field": "spec.template.spec.hostNetwork",
	}}
}

test_cronjob_hostpid_field if {
	some x in v(t.cronjob({"hostPID": true}))
	x.field == "spec.jobTemplate.spec.template.spec.hostPID"
}

test_service_ignored if {
	count(v({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"hostNetwork": true}})) == 0
}
