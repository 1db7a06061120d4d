# The one entrypoint the gate evaluates (compiled to wasm as `main/findings`).
# Every rule is a package rules.<namespace>.<name> that defines `violation`, a set of objects
# (see docs/policy-authoring.md). This collects all of them, whatever their namespace, and names
# the package that produced each: a new rule registers itself by its package name alone.
package main

import rego.v1

findings contains object.union(v, {"policy": concat(".", [ns, name])}) if {
	some ns, name
	some v in data.rules[ns][name].violation
}
