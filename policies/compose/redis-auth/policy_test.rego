package rules.compose.redis_auth_test

import data.lib.docker_test as t
import data.rules.compose.redis_auth
import rego.v1

test_requirepass_allowed if {
	services := {"redis": {"image": "redis:7.4.1-alpine", "command": ["redis-server", "--requirepass", "${REDIS_PASSWORD}"]}}
	count(redis_auth.violation) == 0 with input as t.compose(services)
}

test_aclfile_string_command_allowed if {
	services := {"cache": {"image": "docker.io/library/redis:7.4.1", "command": "redis-server --aclfile /etc/redis/users.acl"}}
	count(redis_auth.violation) == 0 with input as t.compose(services)
}

test_bitnami_password_allowed if {
	services := {"cache": {"image": "bitnami/redis:7.4.1", "environment": ["REDIS_PASSWORD_FILE=/run/secrets/redis"]}}
	count(redis_auth.violation) == 0 with input as t.compose(services)
}

test_other_image_allowed if {
	count(redis_auth.violation) == 0 with input as t.compose({"db": {"image": "postgres:17.2-alpine"}})
}

test_no_auth_denied if {
	v := redis_auth.violation with input as t.compose({"redis": {"image": "redis:7-alpine"}})
	count(v) == 1
	some x in v
	x.field == "services.redis.command"
}
