package rules.compose.obsolete_version_test

import data.lib.docker_test as t
import data.rules.compose.obsolete_version
import rego.v1

test_no_version_allowed if {
	count(obsolete_version.violation) == 0 with input as t.compose({"a": {"image": "nginx:1.27.3-alpine"}})
}

test_version_denied if {
	v := obsolete_version.violation with input as object.union(t.compose({}), {"resource": {"version": "3.8"}})
	count(v) == 1
	some x in v
	x.field == "version"
}
