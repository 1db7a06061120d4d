# METADATA
# title: COPY --from names an earlier stage or an image
# description: >-
#   COPY --from=<x> must name a stage defined before it (by name or index) or a full image
#   reference with a tag or digest; a bare word that is no stage is pulled from Docker Hub as
#   <x>:latest, usually a typo of a stage name.
# scope: package
# custom:
#   id: docker/copy-from-stage
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: A misspelt stage silently becomes a pull of an unrelated image or fails the build.
#   baseline: Dockerfile reference (COPY --from)
package rules.docker.copy_from_stage

import data.lib.docker as dlib
import rego.v1

image_like(ref) if regex.match(`[:/@]`, ref)

earlier(res, stage, ref) if {
	some s in res.stages
	s.index < stage.index
	s.name == lower(ref)
}

earlier(_, stage, ref) if {
	regex.match(`^[0-9]+$`, ref)
	to_number(ref) < stage.index
}

violation contains {"msg": msg, "field": null, "line": i.line} if {
	res := dlib.resource
	some stage in res.stages
	some i in stage.instructions
	i.keyword in {"COPY", "ADD"}
	ref := i.flags.from
	is_string(ref)
	not earlier(res, stage, ref)
	not image_like(ref)
	msg := sprintf("%s: %s --from=%s names no earlier stage; name a stage defined above or a full image reference with a tag", [dlib.label(stage), i.keyword, ref])
}
