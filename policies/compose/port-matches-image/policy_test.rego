package rules.compose.port_matches_image_test

import data.lib.docker_test as t
import data.rules.compose.port_matches_image
import rego.v1

dockerfile := {"file": "base/admin-dashboard/Dockerfile", "resource": t.dockerfile([
	t.stage(0, "development", t.image(1, "node", "22.11.0-alpine", null), [t.ins("EXPOSE", 2, "3000")]),
	t.stage(1, "production", t.image(5, "nginx", "1.27.3-alpine", null), [t.ins("EXPOSE", 6, "8080")]),
]).resource}

input_for(build, ports) := t.compose_with({"admin": {"build": build, "ports": ports}}, {"admin": dockerfile}, {})

test_last_stage_port_allowed if {
	count(port_matches_image.violation) == 0 with input as input_for(".", ["127.0.0.1:3001:8080"])
}

test_target_stage_port_allowed if {
	count(port_matches_image.violation) == 0 with input as input_for({"target": "development"}, [{"target": 3000, "published": 3001}])
}

test_no_expose_not_judged if {
	d := {"file": "Dockerfile", "resource": t.dockerfile([t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), [])]).resource}
	count(port_matches_image.violation) == 0 with input as t.compose_with({"a": {"build": ".", "ports": ["1:2"]}}, {"a": d}, {})
}

test_wrong_port_denied if {
	v := port_matches_image.violation with input as input_for(".", ["8080:8080", "3001:3000"])
	count(v) == 1
	some x in v
	x.field == "services.admin.ports[1]"
}

test_unknown_target_falls_back_to_last_stage_denied if {
	count(port_matches_image.violation) == 1 with input as input_for({"target": "dev"}, ["3001:3000"])
}
