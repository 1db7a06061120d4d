package rules.docker.copy_from_stage_test

import data.lib.docker_test as t
import data.rules.docker.copy_from_stage
import rego.v1

copy_from(ref) := t.insf("COPY", 4, sprintf("--from=%s /a /b", [ref]), {"from": ref}, ["/a", "/b"])

df(copy) := t.dockerfile([
	t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), []),
	t.stage(1, "production", t.image(3, "nginx", "1.27.3-alpine", null), [copy]),
])

test_stage_name_allowed if {
	count(copy_from_stage.violation) == 0 with input as df(copy_from("build"))
}

test_stage_index_allowed if {
	count(copy_from_stage.violation) == 0 with input as df(copy_from("0"))
}

test_image_reference_allowed if {
	count(copy_from_stage.violation) == 0 with input as df(copy_from("docker.io/library/busybox:1.37.0"))
}

test_unknown_stage_denied if {
	v := copy_from_stage.violation with input as df(copy_from("builder"))
	count(v) == 1
	some x in v
	x.line == 4
}

test_later_stage_denied if {
	count(copy_from_stage.violation) == 1 with input as df(copy_from("production"))
	count(copy_from_stage.violation) == 1 with input as df(copy_from("1"))
}
