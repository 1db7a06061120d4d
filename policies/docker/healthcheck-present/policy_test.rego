package rules.docker.healthcheck_present_test

import data.lib.docker_test as t
import data.rules.docker.healthcheck_present
import rego.v1

df(build, final) := t.dockerfile([
	t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), build),
	t.stage(1, null, t.from_stage(5, "build", 0), final),
])

test_healthcheck_in_final_allowed if {
	count(healthcheck_present.violation) == 0 with input as df([], [t.ins("HEALTHCHECK", 6, "CMD node healthcheck.js")])
}

test_healthcheck_inherited_allowed if {
	count(healthcheck_present.violation) == 0 with input as df([t.ins("HEALTHCHECK", 2, "NONE")], [])
}

test_missing_denied if {
	v := healthcheck_present.violation with input as df([t.ins("RUN", 2, "npm ci")], [t.ins("USER", 6, "1000")])
	count(v) == 1
	some x in v
	x.line == 5
}

test_healthcheck_in_unrelated_stage_denied if {
	d := t.dockerfile([
		t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), [t.ins("HEALTHCHECK", 2, "NONE")]),
		t.stage(1, null, t.image(3, "nginx", "1.27.3-alpine", null), []),
	])
	count(healthcheck_present.violation) == 1 with input as d
}
