package rules.docker.non_root_user_test

import data.lib.docker_test as t
import data.rules.docker.non_root_user
import rego.v1

final_with(instructions) := t.dockerfile([
	t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), [t.ins("USER", 2, "root")]),
	t.stage(1, "production", t.image(3, "node", "22.11.0-alpine", null), instructions),
])

test_numeric_user_allowed if {
	count(non_root_user.violation) == 0 with input as final_with([t.ins("USER", 4, "1000:1000")])
}

test_missing_user_denied if {
	v := non_root_user.violation with input as final_with([t.ins("RUN", 4, "npm ci")])
	count(v) == 1
	some x in v
	x.line == 3
	contains(x.msg, "sets no USER")
}

test_root_user_denied if {
	v := non_root_user.violation with input as final_with([t.ins("USER", 4, "1000"), t.ins("USER", 5, "0:0")])
	count(v) == 1
	some x in v
	x.line == 5
}

test_user_name_denied if {
	v := non_root_user.violation with input as final_with([t.ins("USER", 4, "nodejs")])
	count(v) == 1
	some x in v
	contains(x.msg, "USER nodejs by name")
}

test_user_inherited_from_parent_stage_allowed if {
	df := t.dockerfile([
		t.stage(0, "base", t.image(1, "node", "22.11.0-alpine", null), [t.ins("USER", 2, "1000")]),
		t.stage(1, "production", t.from_stage(3, "base", 0), [t.ins("CMD", 4, "node server.js")]),
	])
	count(non_root_user.violation) == 0 with input as df
}

test_compose_input_ignored if {
	count(non_root_user.violation) == 0 with input as t.compose({})
}

distroless(tag) := {
	"raw": "gcr.io/distroless/nodejs22-debian12", "image": "gcr.io/distroless/nodejs22-debian12",
	"registry": "gcr.io", "repository": "distroless/nodejs22-debian12", "tag": tag,
	"digest": null, "stage": null, "line": 1,
}

test_distroless_nonroot_allowed if {
	count(non_root_user.violation) == 0 with input as t.dockerfile([t.stage(0, null, distroless("nonroot"), [])])
	count(non_root_user.violation) == 0 with input as t.dockerfile([t.stage(0, null, distroless("debug-nonroot"), [])])
}

test_distroless_root_tag_denied if {
	count(non_root_user.violation) == 1 with input as t.dockerfile([t.stage(0, null, distroless("latest"), [])])
}
