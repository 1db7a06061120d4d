package rules.compose.depends_on_healthy_test

import data.lib.docker_test as t
import data.rules.compose.depends_on_healthy
import rego.v1

postgres := {"image": "postgres:17.2-alpine", "healthcheck": {"test": ["CMD", "pg_isready", "-U", "postgres"]}}

test_healthy_condition_allowed if {
	services := {"db": postgres, "api": {"depends_on": {"db": {"condition": "service_healthy"}}}}
	count(depends_on_healthy.violation) == 0 with input as t.compose(services)
}

test_completed_job_allowed if {
	services := {"migrate": {"image": "x:1.0.0"}, "api": {"depends_on": {"migrate": {"condition": "service_completed_successfully"}}}}
	count(depends_on_healthy.violation) == 0 with input as t.compose(services)
}

test_healthcheck_from_dockerfile_allowed if {
	df := {"file": "Dockerfile", "resource": t.dockerfile([t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), [t.ins("HEALTHCHECK", 2, "CMD node healthcheck.js")])]).resource}
	services := {"api": {"build": "."}, "web": {"depends_on": {"api": {"condition": "service_healthy"}}}}
	count(depends_on_healthy.violation) == 0 with input as t.compose_with(services, {"api": df}, {})
}

test_list_form_denied if {
	services := {"db": postgres, "redis": {"image": "redis:7.4.1-alpine"}, "api": {"depends_on": ["db", "redis"]}}
	v := depends_on_healthy.violation with input as t.compose(services)
	count(v) == 2
	{x.field | some x in v} == {"services.api.depends_on[0]", "services.api.depends_on[1]"}
}

test_started_condition_denied if {
	services := {"db": postgres, "api": {"depends_on": {"db": {"restart": true}}}}
	v := depends_on_healthy.violation with input as t.compose(services)
	count(v) == 1
	some x in v
	x.field == "services.api.depends_on.db.condition"
}

test_healthy_without_healthcheck_denied if {
	services := {
		"db": object.union(postgres, {"healthcheck": {"disable": true}}),
		"api": {"depends_on": {"db": {"condition": "service_healthy"}}},
	}
	v := depends_on_healthy.violation with input as t.compose(services)
	count(v) == 1
	some x in v
	x.severity == "error"
}
