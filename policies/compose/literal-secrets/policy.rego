# METADATA
# title: No literal secrets in compose environments
# description: >-
#   environment values of credential-looking names (PASSWORD, SECRET, TOKEN, API_KEY, ...) and URLs
#   with an embedded password (postgresql://user:password@host) must come from interpolation
#   (${VAR} from an untracked .env) or compose secrets, never be written in the file. Names about a
#   secret rather than holding one (*_FILE, *_PATH, *_TTL, *_NAME ...) may carry literal values.
# scope: package
# custom:
#   id: compose/literal-secrets
#   input: compose
#   severity: error
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: A password committed to git is public to everyone with read access, forever (history).
#   baseline: 'CIS Docker 4.10; REVIEW #14'
package rules.compose.literal_secrets

import data.lib.docker as dlib
import rego.v1

literal(v) if {
	not is_null(v)
	s := sprintf("%v", [v])
	s != ""
	not startswith(s, "$")
}

violation contains {"msg": msg, "field": sprintf("services.%s.%s", [name, e.field])} if {
	some name, svc in dlib.services
	some e in dlib.env_entries(svc)
	dlib.secret_name(e.name)
	literal(e.value)
	msg := sprintf("service '%s' sets %s to a literal value; use ${%s} from an untracked .env file or compose secrets", [name, e.name, e.name])
}

violation contains {"msg": msg, "field": sprintf("services.%s.%s", [name, e.field])} if {
	some name, svc in dlib.services
	some e in dlib.env_entries(svc)
	dlib.url_credentials(e.value)
	msg := sprintf("service '%s' sets %s to a URL with a literal password; interpolate the password (${...})", [name, e.name])
}
