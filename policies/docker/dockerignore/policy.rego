# METADATA
# title: Copying the whole build context needs a .dockerignore
# description: >-
#   COPY . / ADD . without a .dockerignore (beside the Dockerfile as <Dockerfile>.dockerignore, or
#   at the context root) is an error; a .dockerignore that does not exclude .git, .env and
#   node_modules is a warning.
# scope: package
# custom:
#   id: docker/dockerignore
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: Without it, .env files, the git history and the host's node_modules enter the image and its build cache.
#   baseline: 'CIS Docker 4.10 (no secrets in images); REVIEW #9'
package rules.docker.dockerignore

import data.lib.docker as dlib
import rego.v1

required := [".git", ".env", "node_modules"]

context_copies contains i if {
	some stage in dlib.resource.stages
	some i in stage.instructions
	i.keyword in {"COPY", "ADD"}
	not i.flags.from
	some k, a in i.args
	k < count(i.args) - 1
	a in {".", "./"}
}

clean(p) := trim_suffix(trim_prefix(trim_prefix(p, "./"), "/"), "/")

excluded(name) if {
	some p in dlib.resource.dockerignore.patterns
	not startswith(p, "!")
	glob.match(clean(p), ["/"], name)
}

excluded(name) if {
	some p in dlib.resource.dockerignore.patterns
	startswith(p, "**/")
	glob.match(clean(substring(p, 3, -1)), ["/"], name)
}

violation contains {"msg": msg, "field": null, "line": i.line} if {
	not dlib.resource.dockerignore.exists
	some i in context_copies
	msg := sprintf("%s %s copies the whole build context but there is no .dockerignore; add one excluding %s", [i.keyword, i.raw, concat(", ", required)])
}

violation contains {"msg": msg, "field": null, "line": i.line, "severity": "warning"} if {
	dlib.resource.dockerignore.exists
	missing := [r | some r in required; not excluded(r)]
	count(missing) > 0
	some i in context_copies
	msg := sprintf("%s %s copies the whole build context and .dockerignore does not exclude %s; add them", [i.keyword, i.raw, concat(", ", missing)])
}
