# METADATA
# title: No top-level version in compose files
# description: The Compose Specification ignores the top-level version field; docker compose warns that it is obsolete.
# scope: package
# custom:
#   id: compose/obsolete-version
#   input: compose
#   severity: warning
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: The field suggests a file format that no longer exists and hides which features the file really uses.
#   baseline: 'Compose Specification ("version top-level element (obsolete)"); REVIEW #15'
package rules.compose.obsolete_version

import rego.v1

violation contains {"msg": msg, "field": "version"} if {
	input.kind == "compose"
	version := input.resource.version
	msg := sprintf("top-level version: '%v' is obsolete in the Compose Specification; remove it", [version])
}
