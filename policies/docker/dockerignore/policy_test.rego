package rules.docker.dockerignore_test

import data.lib.docker_test as t
import data.rules.docker.dockerignore
import rego.v1

stages(copy) := [t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), [copy])]

copy_all := t.ins("COPY", 4, ". .")

test_complete_ignore_allowed if {
	count(dockerignore.violation) == 0 with input as t.dockerfile(stages(copy_all))
}

test_glob_patterns_allowed if {
	ignore := {"exists": true, "patterns": ["**/.git", "/.env*", "node_modules/", "# not a pattern"]}
	count(dockerignore.violation) == 0 with input as t.with_ignore(stages(copy_all), ignore)
}

test_specific_copy_without_ignore_allowed if {
	copy := t.ins("COPY", 4, "package.json package-lock.json ./")
	count(dockerignore.violation) == 0 with input as t.with_ignore(stages(copy), {"exists": false, "patterns": []})
}

test_copy_from_stage_allowed if {
	copy := t.insf("COPY", 4, "--from=build . .", {"from": "build"}, [".", "."])
	count(dockerignore.violation) == 0 with input as t.with_ignore(stages(copy), {"exists": false, "patterns": []})
}

test_no_ignore_denied if {
	v := dockerignore.violation with input as t.with_ignore(stages(copy_all), {"exists": false, "patterns": []})
	count(v) == 1
	some x in v
	x.line == 4
	not x.severity
}

test_incomplete_ignore_warned if {
	ignore := {"exists": true, "patterns": ["node_modules", "!.env"]}
	v := dockerignore.violation with input as t.with_ignore(stages(copy_all), ignore)
	count(v) == 1
	some x in v
	x.severity == "warning"
	contains(x.msg, ".git, .env")
}
