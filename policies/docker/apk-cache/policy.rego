# METADATA
# title: Package manager layers are clean and current
# description: >-
#   `apk update` / `apt-get update` alone in a RUN caches a stale index in its own layer (a later
#   install reuses it); install in the same RUN. `rm -rf /var/cache/apk` after `apk add --no-cache`
#   removes nothing and only adds a layer.
# scope: package
# custom:
#   id: docker/apk-cache
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: A cached update layer installs outdated packages; useless layers make images larger and slower to pull.
#   baseline: 'CIS Docker 4.7; REVIEW #8'
package rules.docker.apk_cache

import data.lib.docker as dlib
import rego.v1

update_pattern := `^(apk|apt-get|apt) update\b`

install_pattern := `^(apk (add|upgrade)|(apt-get|apt) (install|upgrade|dist-upgrade))\b`

violation contains {"msg": msg, "field": null, "line": run.line} if {
	some stage in dlib.resource.stages
	some run in dlib.instructions(stage, "RUN")
	cmds := dlib.commands(run.raw)
	some cmd in cmds
	regex.match(update_pattern, cmd)
	count([c | some c in cmds; regex.match(install_pattern, c)]) == 0
	msg := sprintf("RUN %s updates the package index in a layer of its own; update and install in one RUN", [cmd])
}

violation contains {"msg": msg, "field": null, "line": run.line} if {
	res := dlib.resource
	some stage in res.stages
	some run in dlib.instructions(stage, "RUN")
	regex.match(`rm\s+-[a-zA-Z]+\s+/var/cache/apk`, run.raw)
	some other in dlib.chain_instructions(res, stage)
	other.keyword == "RUN"
	other.line <= run.line
	regex.match(`apk add[^;&|]*--no-cache`, other.raw)
	msg := sprintf("%s: RUN %s is redundant after apk add --no-cache (no cache is written); remove it", [dlib.label(stage), run.raw])
}
