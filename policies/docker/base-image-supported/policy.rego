# METADATA
# title: Base images are still supported upstream
# description: >-
#   A FROM naming an official image whose major version has reached end of life (the table in
#   policies/lib/docker.rego: node below 22 and odd lines, postgres below 15, as of 2026-11) is an error.
# scope: package
# custom:
#   id: docker/base-image-supported
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: An end-of-life runtime receives no security fixes; its image is rebuilt with none.
#   baseline: CIS Docker 4.3 (keep images minimal and patched); Node.js and PostgreSQL release schedules
package rules.docker.base_image_supported

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": null, "line": stage.line} if {
	some stage in dlib.resource.stages
	dlib.is_image(stage.from)
	dlib.is_eol(stage.from)
	entry := dlib.eol[stage.from.repository]
	msg := sprintf(
		"%s: FROM %s is end of life (%s %d, see %s); use a supported major (%d or newer, even-numbered for node)",
		[dlib.label(stage), dlib.image_text(stage.from), stage.from.image, dlib.major(stage.from), entry.source, entry.below],
	)
}
