# METADATA
# title: Redis requires authentication
# description: >-
#   A service running a redis image starts it with --requirepass or --aclfile, or (bitnami images)
#   sets REDIS_PASSWORD / REDIS_PASSWORD_FILE.
# scope: package
# custom:
#   id: compose/redis-auth
#   input: compose
#   severity: warning
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: Redis without auth lets anyone who reaches the port read and write every key, and CONFIG SET can write files.
#   baseline: 'Redis security guide (authentication); REVIEW #14'
package rules.compose.redis_auth

import data.lib.docker as dlib
import rego.v1

is_redis(svc) if regex.match(`(^|/)redis(:|@|$)`, svc.image)

command_text(svc) := svc.command if is_string(svc.command)

command_text(svc) := concat(" ", [sprintf("%v", [c]) | some c in svc.command]) if is_array(svc.command)

authenticated(svc) if regex.match(`--(requirepass|aclfile)\b`, command_text(svc))

authenticated(svc) if {
	some e in dlib.env_entries(svc)
	e.name in {"REDIS_PASSWORD", "REDIS_PASSWORD_FILE"}
}

violation contains {"msg": msg, "field": sprintf("services.%s.command", [name])} if {
	some name, svc in dlib.services
	is_redis(svc)
	not authenticated(svc)
	msg := sprintf("service '%s' runs %s without authentication; start it with --requirepass ${REDIS_PASSWORD} or an --aclfile", [name, svc.image])
}
