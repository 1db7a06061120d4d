# METADATA
# title: Every stage is used
# description: >-
#   A stage that is not the last and that no later FROM, COPY --from or RUN --mount from= refers to
#   is dead code (warning). Stages named development, dev or test are build targets for
#   `docker build --target` / compose and are exempt.
# scope: package
# custom:
#   id: docker/unused-stage
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: An unused stage is maintained, scanned and (with the classic builder) built for nothing, and misleads readers about what ships.
#   baseline: 'REVIEW #8'
package rules.docker.unused_stage

import data.lib.docker as dlib
import rego.v1

targets := {"development", "dev", "test"}

refers(res, stage) if {
	some s in res.stages
	s.from.stage == stage.index
}

refers(res, stage) if {
	some s in res.stages
	some i in s.instructions
	ref := from_ref(i)
	dlib.stage_named(res, ref).index == stage.index
}

from_ref(i) := i.flags.from if is_string(i.flags.from)

from_ref(i) := m[0][1] if {
	is_string(i.flags.mount)
	m := regex.find_all_string_submatch_n(`(?:^|,)from=([^,]+)`, i.flags.mount, 1)
	count(m) == 1
}

violation contains {"msg": msg, "field": null, "line": stage.line} if {
	res := dlib.resource
	some stage in res.stages
	not dlib.is_final(res, stage)
	not stage.name in targets
	not refers(res, stage)
	msg := sprintf("%s (FROM %s) is never used by a later stage; remove it or COPY --from it", [dlib.label(stage), stage.from.raw])
}
