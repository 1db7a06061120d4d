package rules.docker.base_image_supported_test

import data.lib.docker_test as t
import data.rules.docker.base_image_supported
import rego.v1

one(name, tag) := t.dockerfile([t.stage(0, null, t.image(3, name, tag, null), [])])

test_node_22_allowed if {
	count(base_image_supported.violation) == 0 with input as one("node", "22.11.0-alpine")
}

test_unknown_image_allowed if {
	count(base_image_supported.violation) == 0 with input as one("redis", "7.4.1-alpine")
}

test_node_18_denied if {
	v := base_image_supported.violation with input as one("node", "18-alpine")
	count(v) == 1
	some x in v
	x.line == 3
	contains(x.msg, "node 18")
}

test_node_20_denied if {
	count(base_image_supported.violation) == 1 with input as one("node", "20.18.1-slim")
}

test_node_odd_line_denied if {
	count(base_image_supported.violation) == 1 with input as one("node", "25.1.0")
}

test_postgres_14_denied if {
	count(base_image_supported.violation) == 1 with input as one("postgres", "14.15-alpine")
}

test_every_stage_checked if {
	df := t.dockerfile([
		t.stage(0, "build", t.image(1, "node", "18-alpine", null), []),
		t.stage(1, null, t.image(5, "nginx", "1.27.3-alpine", null), []),
	])
	count(base_image_supported.violation) == 1 with input as df
}
