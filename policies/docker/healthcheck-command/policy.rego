# METADATA
# title: HEALTHCHECK runs something the final image contains
# description: >-
#   The final stage's HEALTHCHECK must not run a script the stage never copies or creates
#   (node healthcheck.js, ./check.sh), nor curl/wget/a shell the base image lacks and the stage
#   does not install (node alpine has no curl; node slim has neither; distroless has no shell).
# scope: package
# custom:
#   id: docker/healthcheck-command
#   input: dockerfile
#   severity: error
#   kinds: [Dockerfile]
#   ci_only: "reads a Dockerfile, which never reaches the API server"
#   rationale: A health check that cannot run marks the container unhealthy forever; orchestrators restart it in a loop.
#   baseline: CIS Docker 4.6
package rules.docker.healthcheck_command

import data.lib.docker as dlib
import rego.v1

interpreters := {"node", "python", "python3", "sh", "bash", "ruby", "php", "bun", "deno"}

# The HEALTHCHECK in effect for the final stage and its command words.
check := {"ins": hc, "cmd": array.slice(hc.args, 1, count(hc.args))} if {
	res := dlib.resource
	final := dlib.final_stage(res)
	hcs := [i | some i in dlib.chain_instructions(res, final); i.keyword == "HEALTHCHECK"]
	hc := hcs[count(hcs) - 1]
	upper(hc.args[0]) == "CMD"
}

final_instructions := dlib.chain_instructions(dlib.resource, dlib.final_stage(dlib.resource))

# script(cmd) is the file the command runs, when it runs one from the image.
script(cmd) := cmd[1] if {
	dlib.basename(cmd[0]) in interpreters
	regex.match(`^[^-$].*\.(js|mjs|cjs|py|sh|rb|php|ts)$`, cmd[1])
}

script(cmd) := cmd[0] if regex.match(`^\./`, cmd[0])

script(cmd) := cmd[0] if regex.match(`^/.*\.(js|mjs|cjs|py|sh|rb|php|ts)$`, cmd[0])

# Whole build context copied (COPY . .): the script may come with it.
provided(_) if {
	some i in final_instructions
	i.keyword in {"COPY", "ADD"}
	not i.flags.from
	some a in i.args
	a in {".", "./"}
}

provided(file) if {
	some i in final_instructions
	i.keyword in {"COPY", "ADD"}
	some a in i.args
	dlib.basename(a) == dlib.basename(file)
}

# A copied folder that the script's path starts with (node dist/healthcheck.js after COPY dist ./dist).
provided(file) if {
	contains(trim_prefix(file, "./"), "/")
	first := split(trim_prefix(file, "./"), "/")[0]
	some i in final_instructions
	i.keyword in {"COPY", "ADD"}
	some a in i.args
	dlib.basename(a) == first
}

provided(file) if {
	some i in final_instructions
	i.keyword == "RUN"
	contains(i.raw, dlib.basename(file))
}

installed(tool) if {
	some i in final_instructions
	i.keyword == "RUN"
	regex.match(sprintf(`(apk add|apt-get install|apt install|microdnf install|dnf install|yum install)[^;&|]*\b%s\b`, [tool]), i.raw)
}

installed(tool) if {
	some i in final_instructions
	i.keyword in {"COPY", "ADD"}
	some a in i.args
	dlib.basename(a) == tool
}

violation contains {"msg": msg, "field": null, "line": check.ins.line} if {
	file := script(check.cmd)
	not provided(file)
	msg := sprintf("HEALTHCHECK runs %s, which the final stage never copies or creates; COPY it into the final stage", [file])
}

violation contains {"msg": msg, "field": null, "line": check.ins.line} if {
	tool := dlib.basename(check.cmd[0])
	tool in {"curl", "wget"}
	base := dlib.root_from(dlib.resource, dlib.final_stage(dlib.resource))
	tool in dlib.missing_tools(base)
	not installed(tool)
	msg := sprintf("HEALTHCHECK runs %s, which %s does not contain; install it in the final stage or check with the runtime (node -e ...)", [tool, dlib.image_text(base)])
}

violation contains {"msg": msg, "field": null, "line": check.ins.line} if {
	not check.ins.json
	base := dlib.root_from(dlib.resource, dlib.final_stage(dlib.resource))
	"sh" in dlib.missing_tools(base)
	msg := sprintf("HEALTHCHECK uses the shell form, but %s has no /bin/sh; use the exec form CMD [\"...\"]", [dlib.image_text(base)])
}
