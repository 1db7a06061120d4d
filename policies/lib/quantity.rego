# Quantities, normalised by the gate (the wasm runtime has no units.parse): see docs/policy-authoring.md.
package lib.quantity

import rego.v1

key(q) := q if is_string(q)

key(q) := format_int(q, 10) if {
	is_number(q)
	q == floor(q)
}

key(q) := sprintf("%v", [q]) if {
	is_number(q)
	q != floor(q)
}

# cpu_millis("250m") == 250; cpu_millis("1") == 1000. Undefined when the value is not a quantity.
cpu_millis(q) := data.units.cpu[key(q)]

# memory_bytes("512Mi") == 536870912. Undefined when the value is not a quantity.
memory_bytes(q) := data.units.memory[key(q)]
