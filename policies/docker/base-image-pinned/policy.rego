# METADATA
# title: Base images are pinned to a version and a digest
# description: >-
#   Every FROM that names an image has a tag other than latest; a floating tag (major only,
#   nginx:alpine) or a missing digest is a warning (Renovate's pinDigests adds digests in pull
#   requests). ARG-templated bases are judged after substituting the global ARG defaults.
# scope: package
# custom:
#   id: docker/base-image-pinned
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: >-
#     latest and floating tags change under the same name, so builds are not reproducible and a
#     rollback does not roll the base back; a digest names exactly one image.
#   baseline: CIS Docker 4.2
package rules.docker.base_image_pinned

import data.lib.docker as dlib
import rego.v1

# Images whose version has two parts (postgres 17.2); every other image needs major.minor.patch.
two_part_versions := {"library/postgres"}

image_stages contains stage if {
	some stage in dlib.resource.stages
	dlib.is_image(stage.from)
}

unresolved(from) if contains(from.image, "$")

unresolved(from) if contains(object.get(from, "tag", ""), "$")

full_version(from) if regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+`, from.tag)

full_version(from) if {
	from.repository in two_part_versions
	regex.match(`^[0-9]+\.[0-9]+`, from.tag)
}

violation contains {"msg": msg, "field": null, "line": stage.line, "severity": "warning"} if {
	some stage in image_stages
	unresolved(stage.from)
	msg := sprintf("%s: FROM %s cannot be resolved; give the ARG a default in the global scope", [dlib.label(stage), stage.from.raw])
}

violation contains {"msg": msg, "field": null, "line": stage.line, "severity": "error"} if {
	some stage in image_stages
	not unresolved(stage.from)
	stage.from.tag in {null, "latest"}
	stage.from.digest == null
	msg := sprintf("%s: FROM %s uses the mutable latest tag; pin a version tag (and a digest)", [dlib.label(stage), dlib.image_text(stage.from)])
}

violation contains {"msg": msg, "field": null, "line": stage.line, "severity": "warning"} if {
	some stage in image_stages
	not unresolved(stage.from)
	not stage.from.tag in {null, "latest"}
	stage.from.digest == null
	not full_version(stage.from)
	msg := sprintf("%s: FROM %s uses a floating tag; pin an exact version (major.minor.patch) and a digest", [dlib.label(stage), dlib.image_text(stage.from)])
}

violation contains {"msg": msg, "field": null, "line": stage.line, "severity": "warning"} if {
	some stage in image_stages
	not unresolved(stage.from)
	stage.from.digest == null
	full_version(stage.from)
	msg := sprintf("%s: FROM %s has no digest; Renovate (pinDigests) adds it, or write @sha256:... from the registry", [dlib.label(stage), dlib.image_text(stage.from)])
}
