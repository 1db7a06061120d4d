package rules.docker.npm_flags_test

import data.lib.docker_test as t
import data.rules.docker.npm_flags
import rego.v1

df(runs) := t.dockerfile([t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), runs)])

test_npm_ci_omit_dev_allowed if {
	count(npm_flags.violation) == 0 with input as df([t.ins("RUN", 2, "npm ci --omit=dev && npm cache clean --force")])
}

test_global_install_allowed if {
	count(npm_flags.violation) == 0 with input as df([t.ins("RUN", 2, "npm install -g npm@10.9.0")])
}

test_only_production_denied if {
	v := npm_flags.violation with input as df([t.ins("RUN", 2, "npm ci --only=production && npm cache clean --force")])
	count(v) == 1
	some x in v
	x.line == 2
	contains(x.msg, "--only=production")
}

test_prune_production_denied if {
	count(npm_flags.violation) == 1 with input as df([t.ins("RUN", 3, "npm prune --production")])
}

test_npm_install_denied if {
	v := npm_flags.violation with input as df([t.ins("RUN", 2, "npm install"), t.ins("RUN", 3, "npm i --production")])
	count(v) == 3
}
