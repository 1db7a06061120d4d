# METADATA
# title: npm installs from the lockfile with current flags
# description: >-
#   RUN uses npm ci (not npm install, which may rewrite the lockfile and resolve other versions) and
#   --omit=dev instead of the deprecated --only=production / --production (npm 7+).
# scope: package
# custom:
#   id: docker/npm-flags
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: npm ci installs exactly the lockfile, so the image has the dependencies that were reviewed; deprecated flags are ignored by newer npm.
#   baseline: 'CIS Docker 4.11 (lockfile); REVIEW #8'
package rules.docker.npm_flags

import data.lib.docker as dlib
import rego.v1

runs contains run if {
	some stage in dlib.resource.stages
	some run in dlib.instructions(stage, "RUN")
}

npm_commands(run) := [ws |
	some cmd in dlib.commands(run.raw)
	ws := dlib.words(cmd)
	ws[0] == "npm"
]

violation contains {"msg": msg, "field": null, "line": run.line} if {
	some run in runs
	some ws in npm_commands(run)
	some w in ws
	regex.match(`^--(only=prod(uction)?|production)$`, w)
	msg := sprintf("npm %s uses the deprecated %s; use --omit=dev", [ws[1], w])
}

violation contains {"msg": msg, "field": null, "line": run.line} if {
	some run in runs
	some ws in npm_commands(run)
	ws[1] in {"install", "i", "add"}
	not "-g" in ws
	not "--global" in ws
	msg := sprintf("npm %s does not install from the lockfile; use npm ci", [ws[1]])
}
