package rules.compose.build_target_exists_test

import data.lib.docker_test as t
import data.rules.compose.build_target_exists
import rego.v1

dockerfile := {"file": "base/admin-dashboard/Dockerfile", "resource": t.dockerfile([
	t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), []),
	t.stage(1, "production", t.image(5, "nginx", "1.27.3-alpine", null), []),
]).resource}

svc(build) := {"admin": {"build": build}}

test_existing_target_allowed if {
	count(build_target_exists.violation) == 0 with input as t.compose_with(svc({"context": ".", "target": "production"}), {"admin": dockerfile}, {})
}

test_no_target_allowed if {
	count(build_target_exists.violation) == 0 with input as t.compose_with(svc("."), {"admin": dockerfile}, {})
}

test_unknown_dockerfile_allowed if {
	count(build_target_exists.violation) == 0 with input as t.compose_with(svc({"target": "development"}), {"admin": null}, {})
}

test_missing_target_denied if {
	v := build_target_exists.violation with input as t.compose_with(svc({"context": ".", "target": "development"}), {"admin": dockerfile}, {})
	count(v) == 1
	some x in v
	x.field == "services.admin.build.target"
	contains(x.msg, "stages: build, production")
}
