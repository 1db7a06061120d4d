# METADATA
# title: Published ports reach a port the image exposes
# description: >-
#   For a service built from a Dockerfile, the container side of every ports mapping must be a
#   port the built stage (build.target, else the last stage) EXPOSEs. Dockerfiles without EXPOSE
#   are not judged.
# scope: package
# custom:
#   id: compose/port-matches-image
#   input: compose
#   severity: error
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: A mapping to a port nothing listens on publishes a dead port; the service looks up but answers nothing.
#   baseline: 'REVIEW #4'
package rules.compose.port_matches_image

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": sprintf("services.%s.ports[%d]", [name, i])} if {
	some name, svc in dlib.services
	df := input.dockerfiles[name]
	df != null
	stage := dlib.target_stage(df.resource, svc)
	exposed := dlib.exposed_ports(df.resource, stage)
	count(exposed) > 0
	some i, p in svc.ports
	target := dlib.port_mapping(p).target
	not target in exposed
	msg := sprintf(
		"service '%s' maps container port %v, but %s of %s exposes %s; map to an exposed port",
		[name, target, dlib.label(stage), df.file, concat(", ", [sprintf("%v", [e]) | some e in exposed])],
	)
}
