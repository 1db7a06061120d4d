# METADATA
# title: No secrets in ENV or ARG
# description: >-
#   ENV and ARG whose name looks like a credential (PASSWORD, SECRET, TOKEN, API_KEY, ...) must not
#   carry a literal value (error); an ARG of that name without a value is a warning, since build
#   arguments end up in the image history. Pass secrets with RUN --mount=type=secret, and at run
#   time from the orchestrator. Names about a secret rather than holding one (*_FILE, *_PATH, *_TTL,
#   *_NAME ...: the suffixes of k8s/literal-secret-env) are fine.
# scope: package
# custom:
#   id: docker/secrets-in-env
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: ENV values and build arguments are stored in the image config and history, readable by anyone who can pull the image.
#   baseline: CIS Docker 4.10
package rules.docker.secrets_in_env

import data.lib.docker as dlib
import rego.v1

# Every ENV/ARG property as {"keyword", "line", "name", "value"|null}.
properties contains {"keyword": i.keyword, "line": i.line, "name": name, "value": value} if {
	some stage in dlib.resource.stages
	some i in stage.instructions
	i.keyword in {"ENV", "ARG"}
	some a in i.args
	[name, value] := split_property(a)
}

properties contains {"keyword": "ARG", "line": a.line, "name": a.name, "value": a.value} if {
	some a in dlib.resource.globalArgs
}

split_property(a) := [substring(a, 0, n), substring(a, n + 1, -1)] if {
	n := indexof(a, "=")
	n > 0
}

split_property(a) := [a, null] if indexof(a, "=") < 0

literal(v) if {
	is_string(v)
	v != ""
	not startswith(v, "$")
}

violation contains {"msg": msg, "field": null, "line": p.line} if {
	some p in properties
	dlib.secret_name(p.name)
	literal(p.value)
	msg := sprintf("%s %s sets a literal secret in the image; pass it at run time or with RUN --mount=type=secret", [p.keyword, p.name])
}

violation contains {"msg": msg, "field": null, "line": p.line, "severity": "warning"} if {
	some p in properties
	p.keyword == "ARG"
	dlib.secret_name(p.name)
	not literal(p.value)
	msg := sprintf("ARG %s takes a secret as a build argument, which stays in the image history; use RUN --mount=type=secret", [p.name])
}
