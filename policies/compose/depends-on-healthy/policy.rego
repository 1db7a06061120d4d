# METADATA
# title: depends_on waits for healthy dependencies
# description: >-
#   depends_on in list form (or condition service_started) only waits for the container to be
#   created, not for it to accept connections: use condition service_healthy (or
#   service_completed_successfully for one-shot jobs). A service_healthy dependency without a
#   healthcheck (in compose, or a HEALTHCHECK in the Dockerfile it builds) never becomes healthy
#   and is an error.
# scope: package
# custom:
#   id: compose/depends-on-healthy
#   input: compose
#   severity: warning
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: A backend that starts before its database is ready crashes or retries at random on every docker compose up.
#   baseline: 'Compose Specification (depends_on long syntax); REVIEW #15'
package rules.compose.depends_on_healthy

import data.lib.docker as dlib
import rego.v1

ready_conditions := {"service_healthy", "service_completed_successfully"}

violation contains {"msg": msg, "field": sprintf("services.%s.depends_on[%d]", [name, i])} if {
	some name, svc in dlib.services
	some i, dep in svc.depends_on
	is_array(svc.depends_on)
	msg := sprintf("service '%s' depends on '%s' without a condition, so it starts before '%s' is ready; use depends_on: {%s: {condition: service_healthy}}", [name, dep, dep, dep])
}

violation contains {"msg": msg, "field": sprintf("services.%s.depends_on.%s.condition", [name, dep])} if {
	some name, svc in dlib.services
	is_object(svc.depends_on)
	some dep, spec in svc.depends_on
	condition := object.get(spec, "condition", "service_started")
	not condition in ready_conditions
	msg := sprintf("service '%s' depends on '%s' with condition %s; use service_healthy", [name, dep, condition])
}

violation contains {"msg": msg, "field": sprintf("services.%s.depends_on.%s.condition", [name, dep]), "severity": "error"} if {
	some name, svc in dlib.services
	is_object(svc.depends_on)
	some dep, spec in svc.depends_on
	spec.condition == "service_healthy"
	not has_healthcheck(dep)
	msg := sprintf("service '%s' waits for '%s' to be healthy, but '%s' has no healthcheck; add one to '%s'", [name, dep, dep, dep])
}

has_healthcheck(dep) if {
	hc := dlib.services[dep].healthcheck
	not hc.disable == true
}

# The image built for the service declares a HEALTHCHECK (other than NONE).
has_healthcheck(dep) if {
	not dlib.services[dep].healthcheck
	df := input.dockerfiles[dep]
	df != null
	stage := dlib.target_stage(df.resource, dlib.services[dep])
	hcs := [i | some i in dlib.chain_instructions(df.resource, stage); i.keyword == "HEALTHCHECK"]
	count(hcs) > 0
	upper(hcs[count(hcs) - 1].args[0]) == "CMD"
}
