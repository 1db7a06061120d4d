package rules.docker.healthcheck_command_test

import data.lib.docker_test as t
import data.rules.docker.healthcheck_command
import rego.v1

hc(line, cmd) := t.insf("HEALTHCHECK", line, concat(" ", array.concat(["CMD"], cmd)), {}, array.concat(["CMD"], cmd))

final(tag, instructions) := t.dockerfile([
	t.stage(0, "build", t.image(1, "node", "22.11.0-alpine", null), [t.ins("RUN", 2, "npm ci")]),
	t.stage(1, "production", t.image(3, "node", tag, null), instructions),
])

copy(line, src, dest) := t.insf("COPY", line, sprintf("--from=build %s %s", [src, dest]), {"from": "build"}, [src, dest])

test_copied_script_allowed if {
	df := final("22.11.0-alpine", [copy(4, "/app/healthcheck.js", "./"), hc(5, ["node", "healthcheck.js"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_script_in_copied_folder_allowed if {
	df := final("22.11.0-alpine", [copy(4, "/app/dist", "./dist"), hc(5, ["node", "dist/healthcheck.js"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_script_with_whole_context_allowed if {
	df := final("22.11.0-alpine", [t.ins("COPY", 4, ". ."), hc(5, ["./check.sh"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_script_created_by_run_allowed if {
	df := final("22.11.0-alpine", [t.ins("RUN", 4, "printf x > /check.sh"), hc(5, ["/check.sh"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_missing_script_denied if {
	df := final("22.11.0-alpine", [copy(4, "/app/dist", "./dist"), hc(5, ["node", "healthcheck.js"])])
	v := healthcheck_command.violation with input as df
	count(v) == 1
	some x in v
	x.line == 5
	contains(x.msg, "healthcheck.js")
}

test_wget_on_alpine_allowed if {
	df := final("22.11.0-alpine", [hc(4, ["wget", "-q", "--spider", "http://localhost:3000/health"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_curl_on_alpine_denied if {
	df := final("22.11.0-alpine", [hc(4, ["curl", "-f", "http://localhost:3000/health"])])
	count(healthcheck_command.violation) == 1 with input as df
}

test_curl_installed_allowed if {
	df := final("22.11.0-alpine", [t.ins("RUN", 4, "apk add --no-cache curl"), hc(5, ["curl", "-f", "http://localhost:3000/"])])
	count(healthcheck_command.violation) == 0 with input as df
}

test_wget_on_slim_denied if {
	df := final("22.11.0-slim", [hc(4, ["wget", "-q", "--spider", "http://localhost:3000/"])])
	count(healthcheck_command.violation) == 1 with input as df
}

test_shell_form_on_distroless_denied if {
	distroless := {
		"raw": "gcr.io/distroless/nodejs22-debian12:nonroot", "image": "gcr.io/distroless/nodejs22-debian12",
		"registry": "gcr.io", "repository": "distroless/nodejs22-debian12", "tag": "nonroot",
		"digest": null, "stage": null, "line": 3,
	}
	df := t.dockerfile([t.stage(0, null, distroless, [hc(4, ["/nodejs/bin/node", "-e", "process.exit(0)"])])])
	v := healthcheck_command.violation with input as df
	count(v) == 1
	exec := object.union(hc(4, ["/nodejs/bin/node", "-e", "process.exit(0)"]), {"json": true})
	count(healthcheck_command.violation) == 0 with input as t.dockerfile([t.stage(0, null, distroless, [exec])])
}

test_healthcheck_none_allowed if {
	df := final("22.11.0-alpine", [t.ins("HEALTHCHECK", 4, "NONE")])
	count(healthcheck_command.violation) == 0 with input as df
}
