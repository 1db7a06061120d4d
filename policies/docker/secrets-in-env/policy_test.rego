package rules.docker.secrets_in_env_test

import data.lib.docker_test as t
import data.rules.docker.secrets_in_env
import rego.v1

df(instructions) := t.dockerfile([t.stage(0, null, t.image(1, "node", "22.11.0-alpine", null), instructions)])

env(line, args) := t.insf("ENV", line, concat(" ", args), {}, args)

test_plain_settings_allowed if {
	count(secrets_in_env.violation) == 0 with input as df([env(2, ["NODE_ENV=production", "DB_PASSWORD_FILE=/run/secrets/db"])])
}

test_secret_paths_and_settings_allowed if {
	count(secrets_in_env.violation) == 0 with input as df([env(2, ["TOKEN_PATH=/var/run/secrets/token", "ACCESS_TOKEN_TTL=900"])])
}

test_env_reference_allowed if {
	count(secrets_in_env.violation) == 0 with input as df([env(2, ["API_TOKEN=${API_TOKEN}"])])
}

test_literal_env_denied if {
	v := secrets_in_env.violation with input as df([env(3, ["NODE_ENV=production", "JWT_SECRET=changeme"])])
	count(v) == 1
	some x in v
	x.line == 3
	contains(x.msg, "JWT_SECRET")
}

test_arg_default_denied if {
	v := secrets_in_env.violation with input as df([t.insf("ARG", 2, "NPM_TOKEN=abc", {}, ["NPM_TOKEN=abc"])])
	count(v) == 1
}

test_arg_without_value_warned if {
	v := secrets_in_env.violation with input as df([t.insf("ARG", 2, "NPM_TOKEN", {}, ["NPM_TOKEN"])])
	count(v) == 1
	some x in v
	x.severity == "warning"
}

test_global_arg_denied if {
	d := object.union(df([]), {"resource": {"globalArgs": [{"name": "API_KEY", "value": "k", "line": 1}]}})
	count(secrets_in_env.violation) == 1 with input as d
}
