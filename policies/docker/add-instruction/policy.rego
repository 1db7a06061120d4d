# METADATA
# title: COPY rather than ADD
# description: >-
#   ADD of a local file that is not a tar archive should be COPY; ADD of a URL downloads without
#   verification unless it has --checksum.
# scope: package
# custom:
#   id: docker/add-instruction
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: ADD unpacks archives and fetches URLs implicitly; COPY does only what it says, and a download needs a checksum to be reproducible.
#   baseline: CIS Docker 4.9
package rules.docker.add_instruction

import data.lib.docker as dlib
import rego.v1

archive := `\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$`

adds contains [add, src] if {
	some stage in dlib.resource.stages
	some add in dlib.instructions(stage, "ADD")
	some k, src in add.args
	k < count(add.args) - 1
}

violation contains {"msg": msg, "field": null, "line": add.line} if {
	some [add, src] in adds
	regex.match(`^https?://`, src)
	not add.flags.checksum
	msg := sprintf("ADD %s downloads without verification; add --checksum=sha256:<digest> or download and verify in a RUN", [src])
}

violation contains {"msg": msg, "field": null, "line": add.line} if {
	some [add, src] in adds
	not regex.match(`^(https?|git)://|^git@`, src)
	not regex.match(archive, src)
	msg := sprintf("ADD %s copies a local file; use COPY (ADD only to unpack a tar archive)", [src])
}
