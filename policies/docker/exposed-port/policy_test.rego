package rules.docker.exposed_port_test

import data.lib.docker_test as t
import data.rules.docker.exposed_port
import rego.v1

df(instructions) := t.dockerfile([t.stage(0, null, t.image(1, "nginx", "1.27.3-alpine", null), instructions)])

test_high_port_allowed if {
	count(exposed_port.violation) == 0 with input as df([t.ins("EXPOSE", 2, "8080/tcp"), t.ins("USER", 3, "101:101")])
}

test_root_on_low_port_allowed if {
	count(exposed_port.violation) == 0 with input as df([t.ins("EXPOSE", 2, "80")])
}

test_non_root_on_low_port_denied if {
	v := exposed_port.violation with input as df([t.ins("EXPOSE", 2, "80 443/tcp 8080"), t.ins("USER", 3, "nginx")])
	count(v) == 2
	{x.line | some x in v} == {2}
}
