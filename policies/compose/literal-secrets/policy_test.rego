package rules.compose.literal_secrets_test

import data.lib.docker_test as t
import data.rules.compose.literal_secrets
import rego.v1

test_interpolated_allowed if {
	services := {"db": {"environment": {
		"POSTGRES_PASSWORD": "${POSTGRES_PASSWORD:?set it in .env}",
		"POSTGRES_PASSWORD_FILE": "/run/secrets/pg",
		"DATABASE_URL": "postgresql://app:${POSTGRES_PASSWORD}@db:5432/app",
		"EMPTY_TOKEN": "",
		"UNSET_SECRET": null,
	}}}
	count(literal_secrets.violation) == 0 with input as t.compose(services)
}

test_names_about_secrets_allowed if {
	services := {"api": {"environment": {
		"JWT_SECRET_PATH": "/run/secrets/jwt",
		"ACCESS_TOKEN_TTL": "900",
		"VAULT_SECRET_NAME": "example-api",
	}}}
	count(literal_secrets.violation) == 0 with input as t.compose(services)
}

test_list_form_interpolated_allowed if {
	count(literal_secrets.violation) == 0 with input as t.compose({"db": {"environment": ["POSTGRES_PASSWORD", "NODE_ENV=development"]}})
}

test_map_literal_denied if {
	v := literal_secrets.violation with input as t.compose({"postgres": {"environment": {"POSTGRES_PASSWORD": "password"}}})
	count(v) == 1
	some x in v
	x.field == "services.postgres.environment.POSTGRES_PASSWORD"
}

test_list_literal_and_url_denied if {
	env := [
		"NODE_ENV=development",
		"DATABASE_URL=postgresql://postgres:password@postgres:5432/funlynk_dev",
		"JWT_SECRET=dev",
	]
	v := literal_secrets.violation with input as t.compose({"backend": {"environment": env}})
	count(v) == 2
	{x.field | some x in v} == {"services.backend.environment[1]", "services.backend.environment[2]"}
}
