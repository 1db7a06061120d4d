package rules.k8s.host_ports_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.host_ports

v(obj) := x if {
	x := host_ports.violation with input as t.review(obj)
}

ported(ports) := {"name": "a", "ports": ports}

test_container_port_only_allowed if {
	count(v(t.deployment({"containers": [ported([{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0}])]}))) == 0
}

test_host_port_denied_in_every_kind if {
	every _, obj in t.workloads({"containers": [ported([{"containerPort": 8080, "hostPort": 8080}])]}) {
		count(v(obj)) == 1
	}
}

test_init_and_ephemeral_denied if {
	count(v(t.pod({
		"initContainers": [ported([{"containerPort": 1, "hostPort": 1}])],
		"ephemeralContainers": [ported([{"containerPort": 2, "hostPort": 2}])],
	}))) == 2
}

test_message_and_field if {
	v(t.pod({"containers": [ported([{"containerPort": 80}, {"containerPort": 8080, "hostPort": 8080}])]})) == {{
		"msg": "Pod/app: container 'a' binds hostPort 8080; remove hostPort and expose the port through a Service",
		"field": "spec.containers[0].ports[1].hostPort",
	}}
}
