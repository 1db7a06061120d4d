# METADATA
# title: A non-root image does not expose a privileged port
# description: >-
#   When the final stage runs as a non-root USER, EXPOSE of a port below 1024 is a warning: the
#   process cannot bind it without CAP_NET_BIND_SERVICE (dropped under PSS restricted). Listen on
#   8080 or another unprivileged port.
# scope: package
# custom:
#   id: docker/exposed-port
#   input: dockerfile
#   severity: warning
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: nginx as a non-root user on :80 fails at start on most runtimes.
#   baseline: 'REVIEW #2'
package rules.docker.exposed_port

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": null, "line": i.line} if {
	res := dlib.resource
	final := dlib.final_stage(res)
	user := dlib.effective_user(res, final)
	not dlib.is_root_user(user)
	some i in dlib.chain_instructions(res, final)
	i.keyword == "EXPOSE"
	some a in i.args
	port := dlib.port_number(a)
	port < 1024
	msg := sprintf("EXPOSE %s: USER %s cannot bind a port below 1024 without CAP_NET_BIND_SERVICE; listen on an unprivileged port (e.g. 8080)", [a, user.raw])
}
