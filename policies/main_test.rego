package main_test

import rego.v1

import data.main

# Any package below data.rules is collected, whatever its namespace, and named in `policy`.
test_collects_every_namespace if {
	rules := {
		"alpha": {"one": {"violation": {{"msg": "a"}}}},
		"beta": {"two": {"violation": {{"msg": "b", "field": "x"}}}},
	}
	main.findings == {{"msg": "a", "policy": "alpha.one"}, {"msg": "b", "field": "x", "policy": "beta.two"}} with data.rules as rules
}
