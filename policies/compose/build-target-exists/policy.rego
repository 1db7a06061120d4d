# METADATA
# title: build.target names a stage of the service's Dockerfile
# description: A compose service's build.target must be a stage name (FROM ... AS <name>) of the Dockerfile it builds.
# scope: package
# custom:
#   id: compose/build-target-exists
#   input: compose
#   severity: error
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: docker compose build fails with "target stage could not be found" when the stage does not exist.
#   baseline: 'REVIEW #3'
package rules.compose.build_target_exists

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": sprintf("services.%s.build.target", [name])} if {
	some name, svc in dlib.services
	target := dlib.build_target(svc)
	df := input.dockerfiles[name]
	df != null
	not dlib.stage_named(df.resource, target)
	stages := [s.name | some s in df.resource.stages; s.name != null]
	msg := sprintf("service '%s' builds target '%s', which %s does not define (stages: %s)", [name, target, df.file, concat(", ", stages)])
}
