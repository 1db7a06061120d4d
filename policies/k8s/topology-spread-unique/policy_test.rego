package rules.k8s.topology_spread_unique_test

import rego.v1

import data.lib.testing
import data.rules.k8s.topology_spread_unique

spread(key, when) := {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when}

violations(constraints) := v if {
	d := testing.deployment({"containers": [{"name": "a", "image": "x"}], "topologySpreadConstraints": constraints})
	v := topology_spread_unique.violation with input as {"kind": "kubernetes", "index": 0, "resource": d}
}

test_soft_and_hard_on_same_key_warning if {
	v := violations([spread("topology.kubernetes.io/zone", "DoNotSchedule"), spread("topology.kubernetes.io/zone", "ScheduleAnyway"), spread("kubernetes.io/hostname", "ScheduleAnyway")])
	count(v) == 1
	some f in v
	f.severity == "warning"
	f.field == "spec.template.spec.topologySpreadConstraints[1]"
}

test_exact_duplicate_error if {
	v := violations([spread("kubernetes.io/hostname", "ScheduleAnyway"), spread("kubernetes.io/hostname", "ScheduleAnyway")])
	count(v) == 1
	some f in v
	not f.severity
}

test_distinct_keys_allowed if {
	count(violations([spread("topology.kubernetes.io/zone", "DoNotSchedule"), spread("kubernetes.io/hostname", "ScheduleAnyway")])) == 0
}
