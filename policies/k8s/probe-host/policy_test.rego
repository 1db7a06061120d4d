package rules.k8s.probe_host_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.probe_host

v(obj) := x if {
	x := probe_host.violation with input as t.review(obj)
}

test_no_host_allowed if {
	count(v(t.deployment({"containers": [{
		"name": "a",
		"readinessProbe": {"httpGet": {"path": "/", "port": 80}},
		"livenessProbe": {"tcpSocket": {"port": 80, "host": ""}},
		"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}},
	}]}))) == 0
}

test_every_handler_denied if {
	c := {
		"name": "a",
		"livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
		"readinessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 80}},
		"startupProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}},
		"lifecycle": {
			"postStart": {"httpGet": {"host": "10.0.0.1", "port": 80}},
			"preStop": {"tcpSocket": {"host": "10.0.0.1", "port": 80}},
		},
	}
	every _, obj in t.workloads({"containers": [c]}) {
		count(v(obj)) == 5
	}
}

test_init_and_ephemeral_denied if {
	h := {"livenessProbe": {"httpGet": {"host": "example.com", "port": 80}}}
	count(v(t.pod({
		"initContainers": [object.union({"name": "i"}, h)],
		"ephemeralContainers": [object.union({"name": "e"}, h)],
	}))) == 2
}

test_message_and_field if {
	v(t.pod({"containers": [{"name": "a", "lifecycle": {"preStop": {"httpGet": {"host": "169.254.169.254", "port": 80}}}}]})) == {{
		"msg": "Pod/app: container 'a' lifecycle.preStop.httpGet.host is 169.254.169.254; remove host so the kubelet probes the pod itself",
		"field": "spec.containers[0].lifecycle.preStop.httpGet.host",
	}}
}
