package rules.k8s.probes_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.probes

v(obj) := x if {
	x := probes.violation with input as t.review(obj)
}

probed := {
	"name": "a",
	"ports": [{"name": "http", "containerPort": 8080}, {"containerPort": 9090}],
	"readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
	"livenessProbe": {"tcpSocket": {"port": 9090}},
	"startupProbe": {"grpc": {"port": 8080}},
}

test_probes_on_declared_ports_allowed if {
	every _, obj in t.workloads({"containers": [probed], "initContainers": [{"name": "i"}]}) {
		count(v(obj)) == 0
	}
}

test_exec_probes_allowed if {
	count(v(t.deployment({"containers": [{
		"name": "a",
		"readinessProbe": {"exec": {"command": ["true"]}},
		"livenessProbe": {"exec": {"command": ["true"]}},
	}]}))) == 0
}

test_missing_probes_warned_for_long_running_kinds if {
	spec := {"containers": [{"name": "a"}]}
	count(v(t.deployment(spec))) == 2
	count(v(t.statefulset(spec))) == 2
	count(v(t.daemonset(spec))) == 2
	count(v(t.pod(spec))) == 2
	count(v(t.pod(object.union(spec, {"restartPolicy": "Always"})))) == 2
}

test_jobs_and_run_once_pods_need_no_probes if {
	spec := {"containers": [{"name": "a"}], "restartPolicy": "Never"}
	count(v(t.job(spec))) == 0
	count(v(t.cronjob(spec))) == 0
	count(v(t.pod(spec))) == 0
}

test_init_and_ephemeral_need_no_probes if {
	count(v(t.deployment({"containers": [probed], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}))) == 0
}

test_missing_readiness_message if {
	v(t.deployment({"containers": [object.remove(probed, ["readinessProbe"])]})) == {{
		"msg": "Deployment/app: container 'a' has no readinessProbe; add one (httpGet on a health endpoint, or tcpSocket)",
		"field": "spec.template.spec.containers[0].readinessProbe",
		"severity": "warning",
	}}
}

test_undeclared_port_name_denied if {
	bad := object.union(probed, {"livenessProbe": {"httpGet": {"path": "/", "port": "health"}}})
	v(t.statefulset({"containers": [bad]})) == {{
		"msg": "StatefulSet/app: container 'a' livenessProbe.httpGet.port health is not a port the container declares (8080/http, 9090); use one of them or declare it under ports",
		"field": "spec.template.spec.containers[0].livenessProbe.httpGet.port",
	}}
}

test_undeclared_port_number_denied_also_for_jobs if {
	c := {"name": "a", "startupProbe": {"tcpSocket": {"port": 8080}}}
	v(t.cronjob({"containers": [c]})) == {{
		"msg": "CronJob/app: container 'a' startupProbe.tcpSocket.port 8080 is not a port the container declares (none); use one of them or declare it under ports",
		"field": "spec.jobTemplate.spec.template.spec.containers[0].startupProbe.tcpSocket.port",
	}}
}

test_numeric_string_is_a_name if {
	c := object.union(probed, {"readinessProbe": {"httpGet": {"path": "/", "port": "8080"}}})
	count(v(t.deployment({"containers": [c]}))) == 1
}
