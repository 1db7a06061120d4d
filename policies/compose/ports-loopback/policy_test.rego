package rules.compose.ports_loopback_test

import data.lib.docker_test as t
import data.rules.compose.ports_loopback
import rego.v1

test_loopback_allowed if {
	services := {"db": {"image": "postgres:17.2-alpine", "ports": ["127.0.0.1:5432:5432", "[::1]:5433:5432", {"target": 80, "host_ip": "127.0.0.1"}]}}
	count(ports_loopback.violation) == 0 with input as t.compose(services)
}

test_no_ports_allowed if {
	count(ports_loopback.violation) == 0 with input as t.compose({"db": {"image": "postgres:17.2-alpine"}})
}

test_datastore_on_all_interfaces_denied if {
	v := ports_loopback.violation with input as t.compose({"redis": {"image": "redis:7.4.1-alpine", "ports": ["6379:6379"]}})
	count(v) == 1
	some x in v
	x.severity == "error"
	x.field == "services.redis.ports[0]"
}

test_web_on_all_interfaces_warned if {
	v := ports_loopback.violation with input as t.compose({"nginx": {"image": "nginx:1.27.3-alpine", "ports": ["0.0.0.0:80:8080", 443]}})
	count(v) == 2
	{x.severity | some x in v} == {"warning"}
}
