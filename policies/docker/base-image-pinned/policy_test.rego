package rules.docker.base_image_pinned_test

import data.lib.docker_test as t
import data.rules.docker.base_image_pinned
import rego.v1

one(from) := t.dockerfile([t.stage(0, null, from, [t.ins("USER", 2, "1000")])])

digest := "sha256:0000000000000000000000000000000000000000000000000000000000000000"

test_version_and_digest_allowed if {
	count(base_image_pinned.violation) == 0 with input as one(t.image(1, "node", "22.11.0-alpine", digest))
}

test_stage_reference_and_scratch_allowed if {
	df := t.dockerfile([
		t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", digest), []),
		t.stage(1, null, t.from_stage(2, "build", 0), []),
		t.stage(2, null, object.union(t.from_stage(3, "scratch", 0), {"stage": null}), []),
	])
	count(base_image_pinned.violation) == 0 with input as df
}

test_latest_denied if {
	v := base_image_pinned.violation with input as one(t.image(1, "node", "latest", null))
	count(v) == 1
	some x in v
	x.severity == "error"
	x.line == 1
}

test_untagged_denied if {
	v := base_image_pinned.violation with input as one(t.image(1, "nginx", null, null))
	count(v) == 1
	some x in v
	x.severity == "error"
}

test_latest_with_digest_only_warns_nothing if {
	count(base_image_pinned.violation) == 0 with input as one(t.image(1, "node", null, digest))
}

test_floating_tag_warned if {
	v := base_image_pinned.violation with input as one(t.image(1, "nginx", "alpine", null))
	count(v) == 1
	some x in v
	x.severity == "warning"
	contains(x.msg, "floating tag")
}

test_major_only_warned if {
	v := base_image_pinned.violation with input as one(t.image(1, "node", "22-alpine", null))
	count(v) == 1
	some x in v
	contains(x.msg, "floating tag")
}

test_missing_digest_warned if {
	v := base_image_pinned.violation with input as one(t.image(1, "postgres", "17.2-alpine", null))
	count(v) == 1
	some x in v
	contains(x.msg, "no digest")
}

test_unresolved_arg_warned if {
	v := base_image_pinned.violation with input as one(object.union(t.image(1, "node", "${NODE_VERSION}", null), {"raw": "node:${NODE_VERSION}"}))
	count(v) == 1
	some x in v
	contains(x.msg, "cannot be resolved")
}
