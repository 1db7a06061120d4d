# METADATA
# title: Secrets must not be written into env values
# description: An env var whose name says it holds a secret (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL, ...) must not carry a literal value, and no env value may embed a password in a URL (scheme://user:password@host).
# scope: package
# custom:
#   id: k8s/literal-secret-env
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A literal value is committed to git and readable by everyone who can read the repository or the Deployment.
#   baseline: CIS 5.4.1; CIS Docker 4.10 (no secrets in ENV)
package rules.k8s.literal_secret_env

import rego.v1

import data.lib.kubernetes
import data.lib.pss

# Words that mark a secret anywhere in the name (also in camelCase names such as dbPassword).
secret_substrings := ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY", "PRIVATEKEY"]

# Short words that mark a secret only as a whole segment of the name (REDIS_PASS, API_KEY, DB_PWD).
secret_segments := {"PASS", "PWD", "KEY", "AUTH", "CREDS"}

# A last segment that makes the variable about a secret rather than the secret itself.
benign_suffixes := {
	"FILE", "PATH", "DIR", "NAME", "REF", "ID", "TYPE", "ALGORITHM", "ALG", "ISSUER", "AUDIENCE",
	"TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME", "TIMEOUT", "LENGTH", "LEN", "SIZE", "COUNT",
	"HEADER", "ENABLED", "ENABLE", "DISABLED", "MODE", "FORMAT", "URL", "URI", "ENDPOINT", "HOST",
	"PORT", "USER", "USERNAME", "LOCATION", "POLICY",
}

segments(name) := split(replace(replace(upper(name), "-", "_"), ".", "_"), "_")

secret_name(name) if {
	some word in secret_substrings
	contains(replace(replace(upper(name), "_", ""), "-", ""), word)
}

secret_name(name) if {
	some word in segments(name)
	word in secret_segments
}

benign_name(name) if {
	parts := segments(name)
	parts[count(parts) - 1] in benign_suffixes
}

# $(OTHER_VAR) only: a reference to another variable, not a literal.
reference_only(value) if regex.match(`^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$`, value)

# scheme://user:password@ with a password that is not a $(VAR) reference.
url_with_password(value) if regex.match(`[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s$][^/@\s]*@`, value)

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, env in object.get(entry.container, "env", [])
	is_string(env.value)
	env.value != ""
	secret_name(env.name)
	not benign_name(env.name)
	not reference_only(env.value)
	msg := sprintf("%s: %s sets env %s to a literal value (%d characters) that looks like a secret; reference a Secret mounted as a file (or valueFrom.secretKeyRef) instead", [pss.name(obj), pss.label(entry), env.name, count(env.value)])
	field := sprintf("%s.env[%d].value", [entry.path, j])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, env in object.get(entry.container, "env", [])
	is_string(env.value)
	url_with_password(env.value)
	msg := sprintf("%s: %s env %v embeds a password in a URL (scheme://user:password@...); put the password in a Secret and build the URL from $(VAR) references or a mounted file", [pss.name(obj), pss.label(entry), object.get(env, "name", "")])
	field := sprintf("%s.env[%d].value", [entry.path, j])
}
