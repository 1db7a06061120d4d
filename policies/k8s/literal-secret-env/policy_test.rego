package rules.k8s.literal_secret_env_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.literal_secret_env

v(obj) := x if {
	x := literal_secret_env.violation with input as t.review(obj)
}

envs(pairs) := [{"name": n, "value": val} | some n, val in pairs]

with_env(pairs) := {"containers": [{"name": "a", "env": envs(pairs)}]}

test_benign_names_and_references_allowed if {
	count(v(t.deployment(with_env({
		"JWT_TOKEN_TTL": "15m",
		"JWT_SECRET_FILE": "/run/secrets/jwt",
		"DB_PASSWORD_PATH": "/run/secrets/db",
		"SECRET_NAME": "backend-db",
		"REDIS_PASSWORD": "",
		"PGPASSWORD": "$(DB_PASSWORD)",
		"KEYCLOAK_URL": "https://auth.example.com",
		"MONKEY": "banana",
		"AUTH_ENABLED": "true",
		"DATABASE_URL": "postgres://u:$(DB_PASSWORD)@db:5432/x",
		"LOG_LEVEL": "info",
	})))) == 0
}

test_value_from_allowed if {
	count(v(t.deployment({"containers": [{"name": "a", "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}]}]}))) == 0
}

test_secret_names_denied if {
	count(v(t.deployment(with_env({
		"POSTGRES_PASSWORD": "password",
		"JWT_SECRET": "s3cr3t",
		"GITHUB_TOKEN": "x",
		"API_KEY": "k",
		"dbPassword": "p",
		"AWS_SECRET_ACCESS_KEY": "k",
		"REDIS_PASS": "p",
		"SMTP_CREDENTIALS": "c",
	})))) == 8
}

test_every_container_kind_and_workload_denied if {
	e := {"env": [{"name": "DB_PASSWORD", "value": "x"}]}
	spec := {
		"containers": [object.union({"name": "a"}, e)],
		"initContainers": [object.union({"name": "i"}, e)],
		"ephemeralContainers": [object.union({"name": "e"}, e)],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_literal_message_hides_value if {
	v(t.pod(with_env({"POSTGRES_PASSWORD": "password"}))) == {{
		"msg": "Pod/app: container 'a' sets env POSTGRES_PASSWORD to a literal value (8 characters) that looks like a secret; reference a Secret mounted as a file (or valueFrom.secretKeyRef) instead",
		"field": "spec.containers[0].env[0].value",
	}}
}

test_url_with_password_denied if {
	v(t.cronjob(with_env({"DATABASE_URL": "postgresql://postgres:password@postgres:5432/funlynk"}))) == {{
		"msg": "CronJob/app: container 'a' env DATABASE_URL embeds a password in a URL (scheme://user:password@...); put the password in a Secret and build the URL from $(VAR) references or a mounted file",
		"field": "spec.jobTemplate.spec.template.spec.containers[0].env[0].value",
	}}
}

test_url_without_password_allowed if {
	count(v(t.deployment(with_env({"REDIS_URL": "redis://redis:6379/0", "UPSTREAM": "https://user@example.com/"})))) == 0
}

test_secret_named_url_with_password_reports_both if {
	count(v(t.deployment(with_env({"DB_PASSWORD_DSN": "postgres://u:p@h/db"})))) == 2
}
