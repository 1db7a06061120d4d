# METADATA
# title: The final stage declares a HEALTHCHECK
# description: >-
#   The final stage (or a stage it builds on) has a HEALTHCHECK; HEALTHCHECK NONE states that the
#   check is deliberately left to the orchestrator (Kubernetes probes) and passes.
# scope: package
# custom:
#   id: docker/healthcheck-present
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: docker and compose only know a container is healthy when the image says how to check it (depends_on condition service_healthy).
#   baseline: CIS Docker 4.6
package rules.docker.healthcheck_present

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": null, "line": final.line} if {
	res := dlib.resource
	final := dlib.final_stage(res)
	count([i | some i in dlib.chain_instructions(res, final); i.keyword == "HEALTHCHECK"]) == 0
	msg := sprintf("final %s has no HEALTHCHECK; add one (or HEALTHCHECK NONE when only Kubernetes probes check it)", [dlib.label(final)])
}
