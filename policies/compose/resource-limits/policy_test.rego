package rules.compose.resource_limits_test

import data.lib.docker_test as t
import data.rules.compose.resource_limits
import rego.v1

test_deploy_limits_allowed if {
	services := {"api": {"image": "x:1.0.0", "deploy": {"resources": {"limits": {"memory": "512m", "pids": 200}}}}}
	count(resource_limits.violation) == 0 with input as t.compose(services)
}

test_service_level_limits_allowed if {
	count(resource_limits.violation) == 0 with input as t.compose({"api": {"image": "x:1.0.0", "mem_limit": "512m", "pids_limit": 200}})
}

test_missing_pids_denied if {
	v := resource_limits.violation with input as t.compose({"api": {"image": "x:1.0.0", "mem_limit": "512m"}})
	count(v) == 1
	some x in v
	x.field == "services.api.deploy.resources.limits"
	contains(x.msg, "pids")
}

test_missing_both_denied if {
	v := resource_limits.violation with input as t.compose({"api": {"image": "x:1.0.0"}, "db": {"image": "y:1.0.0", "pids_limit": 100}})
	count(v) == 2
}
