package rules.docker.unused_stage_test

import data.lib.docker_test as t
import data.rules.docker.unused_stage
import rego.v1

node := t.image(1, "node", "22.11.0-alpine", null)

df(final) := t.dockerfile([
	t.stage(0, "base", node, []),
	t.stage(1, "development", t.image(3, "node", "22.11.0-alpine", null), []),
	t.stage(2, "production", t.image(5, "node", "22.11.0-alpine", null), final),
])

test_copy_from_name_allowed if {
	count(unused_stage.violation) == 0 with input as df([t.insf("COPY", 6, "--from=base /a /a", {"from": "base"}, ["/a", "/a"])])
}

test_copy_from_index_allowed if {
	count(unused_stage.violation) == 0 with input as df([t.insf("COPY", 6, "--from=0 /a /a", {"from": "0"}, ["/a", "/a"])])
}

test_run_mount_from_allowed if {
	run := t.insf("RUN", 6, "--mount=type=bind,from=base,target=/src ls", {"mount": "type=bind,from=base,target=/src"}, ["ls"])
	count(unused_stage.violation) == 0 with input as df([run])
}

test_from_stage_allowed if {
	d := t.dockerfile([t.stage(0, "base", node, []), t.stage(1, null, t.from_stage(3, "base", 0), [])])
	count(unused_stage.violation) == 0 with input as d
}

test_unused_denied if {
	v := unused_stage.violation with input as df([t.ins("RUN", 6, "npm ci")])
	count(v) == 1
	some x in v
	x.line == 1
	contains(x.msg, "stage 'base'")
}
