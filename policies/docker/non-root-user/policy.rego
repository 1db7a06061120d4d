# METADATA
# title: The final stage runs as a numeric non-root user
# description: >-
#   The last USER in effect in the final stage (its own or one of the stages it builds on) exists,
#   is not root or 0, and is numeric uid[:gid].
# scope: package
# custom:
#   id: docker/non-root-user
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: >-
#     Without USER the container runs as root. A user name cannot be verified by Kubernetes'
#     runAsNonRoot (the kubelet needs a numeric uid), and a name the image does not define fails at start.
#   baseline: CIS Docker 4.1
package rules.docker.non_root_user

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": null, "line": stage.line} if {
	res := dlib.resource
	stage := dlib.final_stage(res)
	not dlib.effective_user(res, stage)
	not nonroot_base(dlib.root_from(res, stage))
	msg := sprintf("final %s (FROM %s) sets no USER, so it runs as root; add USER <uid>:<gid>", [dlib.label(stage), stage.from.raw])
}

# distroless :nonroot tags set USER 65532 in the image config
# (README of https://github.com/GoogleContainerTools/distroless, "nonroot" tags).
nonroot_base(from) if {
	from.registry == "gcr.io"
	startswith(from.repository, "distroless/")
	regex.match(`(^|-)nonroot$`, from.tag)
}

violation contains {"msg": msg, "field": null, "line": user.line} if {
	res := dlib.resource
	stage := dlib.final_stage(res)
	user := dlib.effective_user(res, stage)
	dlib.is_root_user(user)
	msg := sprintf("final %s runs as root (USER %s); use a numeric non-root USER <uid>:<gid>", [dlib.label(stage), user.raw])
}

violation contains {"msg": msg, "field": null, "line": user.line} if {
	res := dlib.resource
	stage := dlib.final_stage(res)
	user := dlib.effective_user(res, stage)
	not dlib.is_root_user(user)
	not dlib.is_numeric_user(user)
	msg := sprintf("final %s sets USER %s by name; use the numeric uid:gid so runAsNonRoot can verify it", [dlib.label(stage), user.raw])
}
