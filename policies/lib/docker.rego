# Helpers over Dockerfile and compose inputs (docs/policy-authoring.md): stages, the base image a
# stage builds on, the effective USER, exposed ports, compose port mappings, and a small table of
# what is known about official base images (end-of-life versions, missing tools).
# Every function takes the Dockerfile resource (`input.resource` for a Dockerfile, or
# `input.dockerfiles[service].resource` for a compose file) so compose policies reuse them.
package lib.docker

import rego.v1

# The Dockerfile under evaluation (only for Dockerfile inputs).
resource := input.resource if input.kind == "dockerfile"

# The services of the compose file under evaluation (only for compose inputs).
services := object.get(input.resource, "services", {}) if input.kind == "compose"

# --- stages ------------------------------------------------------------------------------------

final_stage(res) := res.stages[count(res.stages) - 1]

is_final(res, stage) if stage.index == count(res.stages) - 1

# instructions(stage, "RUN") are the stage's instructions of one keyword, in order.
instructions(stage, keyword) := [i | some i in stage.instructions; i.keyword == keyword]

# stage_named(res, "build") is the stage a name or an index ("0") refers to.
stage_named(res, name) := s if {
	not regex.match(`^[0-9]+$`, name)
	some s in res.stages
	s.name == lower(name)
}

stage_named(res, name) := res.stages[to_number(name)] if regex.match(`^[0-9]+$`, name)

# chain(res, stage) is the set of indexes of the stage and every earlier stage it builds on
# through `FROM <stage>` (they contribute files, USER, EXPOSE and HEALTHCHECK to it).
chain(res, stage) := graph.reachable({s.index: parents(s) | some s in res.stages}, {stage.index})

parents(s) := [s.from.stage] if s.from.stage != null

parents(s) := [] if s.from.stage == null

# chain_instructions(res, stage) are the instructions of the whole chain, in file order.
chain_instructions(res, stage) := [i |
	some s in res.stages
	s.index in chain(res, stage)
	some i in s.instructions
]

# root_from(res, stage) is the FROM of the image (not stage) the stage builds on.
root_from(res, stage) := f if {
	some j in chain(res, stage)
	f := res.stages[j].from
	f.stage == null
}

# A FROM that names an image (not an earlier stage, not scratch).
is_image(from) if {
	from.stage == null
	from.repository != null
}

# --- USER --------------------------------------------------------------------------------------

# effective_user(res, stage) is the last USER instruction in effect at the end of the stage, undefined when none.
effective_user(res, stage) := users[count(users) - 1] if {
	users := [i | some i in chain_instructions(res, stage); i.keyword == "USER"]
	count(users) > 0
}

# user_name("1001:1001") == "1001"
user_name(user_ins) := trim_space(split(user_spec(user_ins), ":")[0])

user_spec(user_ins) := trim_space(user_ins.args[0]) if count(user_ins.args) > 0

user_spec(user_ins) := "" if count(user_ins.args) == 0

is_root_user(user_ins) if user_name(user_ins) in {"root", "0", ""}

is_numeric_user(user_ins) if regex.match(`^[0-9]+(:[0-9]+)?$`, user_spec(user_ins))

# --- EXPOSE ------------------------------------------------------------------------------------

# exposed_ports(res, stage) is the set of numeric ports EXPOSEd by the stage and its chain.
exposed_ports(res, stage) := {p |
	some i in chain_instructions(res, stage)
	i.keyword == "EXPOSE"
	some a in i.args
	p := port_number(a)
}

# port_number("8080/tcp") == 8080; undefined for a variable.
port_number(s) := to_number(m[0][1]) if {
	m := regex.find_all_string_submatch_n(`^([0-9]+)(-[0-9]+)?(/[a-z]+)?$`, sprintf("%v", [s]), 1)
	count(m) == 1
}

# --- commands ------------------------------------------------------------------------------------

# commands(raw) are the simple commands of a shell-form RUN (split at &&, ||, ; and |), trimmed.
commands(raw) := [trim_space(m[1]) |
	some m in regex.find_all_string_submatch_n(`(?:^|&&|\|\||;|\|)\s*([^;&|]+)`, raw, -1)
	trim_space(m[1]) != ""
]

# words(cmd) are the whitespace-separated words of a command.
words(cmd) := [w | some w in split(replace(replace(cmd, "\t", " "), "\n", " "), " "); w != ""]

# --- image knowledge ---------------------------------------------------------------------------

# Official images whose major versions have reached end of life as of 2026-11 (the gate's
# reference date; update this table when a new version ends). `below`: every major under it
# is EOL; `majors`: further EOL majors above it.
# - node: https://github.com/nodejs/Release#release-schedule (18: 2025-04-30, 20: 2026-04-30,
#   odd "Current" lines end after ~8 months: 21: 2024-06-01, 23: 2025-06-01, 25: 2026-06-01).
# - postgres: https://www.postgresql.org/support/versioning/ (13: 2025-11-13, 14: 2026-11-12).
eol := {
	"library/node": {"below": 22, "majors": {23: "2025-06-01", 25: "2026-06-01"}, "source": "https://github.com/nodejs/Release"},
	"library/postgres": {"below": 15, "majors": {}, "source": "https://www.postgresql.org/support/versioning/"},
}

# major(from) is the leading number of the tag ("18-alpine" -> 18), undefined when there is none.
major(from) := to_number(m[0][1]) if {
	m := regex.find_all_string_submatch_n(`^v?([0-9]+)`, from.tag, 1)
	count(m) == 1
}

is_eol(from) if {
	entry := eol[from.repository]
	major(from) < entry.below
}

is_eol(from) if {
	entry := eol[from.repository]
	entry.majors[major(from)]
}

# missing_tools(from) are HTTP clients and shells an image does not ship:
# - node's alpine variants have BusyBox wget but no curl; its slim variants (debian slim) have
#   neither (https://github.com/nodejs/docker-node, the Dockerfiles of each variant);
# - distroless images have no shell and no package manager (https://github.com/GoogleContainerTools/distroless).
missing_tools(from) := {"curl"} if {
	from.repository == "library/node"
	contains(object.get(from, "tag", ""), "alpine")
}

missing_tools(from) := {"curl", "wget"} if {
	from.repository == "library/node"
	contains(object.get(from, "tag", ""), "slim")
}

missing_tools(from) := {"curl", "wget", "sh"} if {
	from.registry == "gcr.io"
	startswith(from.repository, "distroless/")
}

# base_users(from) is the entry of data.config.baseImageUsers for the image, when known
# (the key is an official image's short name, e.g. "nginx" for docker.io/library/nginx).
base_users(from) := entry if {
	some key, entry in data.config.baseImageUsers
	from.repository == concat("/", ["library", key])
}

# --- compose -----------------------------------------------------------------------------------

# port_mapping(p) parses a compose ports entry (short or long syntax) into
# {"host_ip": string|null, "published": string|null, "target": number|null}.
port_mapping(p) := {
	"host_ip": object.get(p, "host_ip", null),
	"published": published_string(object.get(p, "published", null)),
	"target": object.get(p, "target", null),
} if is_object(p)

port_mapping(p) := short_mapping(sprintf("%v", [p])) if not is_object(p)

published_string(v) := null if v == null

published_string(v) := sprintf("%v", [v]) if v != null

short_mapping(s) := {"host_ip": m[1], "published": m[2], "target": port_number(m[3])} if {
	ms := regex.find_all_string_submatch_n(`^\[([^\]]+)\]:([0-9-]*):([0-9-]+)(/[a-z]+)?$`, s, 1)
	count(ms) == 1
	m := ms[0]
}

short_mapping(s) := {"host_ip": host, "published": published, "target": port_number(target)} if {
	not startswith(s, "[")
	parts := split(split(s, "/")[0], ":")
	n := count(parts)
	n <= 3
	target := parts[n - 1]
	published := published_of(parts, n)
	host := host_of(parts, n)
}

published_of(parts, n) := parts[n - 2] if n >= 2

published_of(_, n) := null if n < 2

host_of(parts, n) := parts[0] if n == 3

host_of(_, n) := null if n < 3

# secret_name(name) holds for environment/ARG names that look like they carry a credential.
# A name whose last segment says it is about a secret rather than the secret itself is fine:
# *_FILE holds a path to one (the official images' convention), as do *_PATH and *_DIR; *_TTL,
# *_NAME, *_URL, *_LENGTH ... configure one (TOKEN_TTL=900, SECRET_NAME=db, PASSWORD_MIN_LENGTH=12).
secret_name(name) if {
	regex.match(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)`, name)
	not about_secret(name)
}

# The same suffixes as k8s/literal-secret-env (benign_suffixes), so the image, compose and
# Kubernetes rules agree on which names carry a secret.
about_secret_suffixes := {
	"FILE", "PATH", "DIR", "NAME", "REF", "ID", "TYPE", "ALGORITHM", "ALG", "ISSUER", "AUDIENCE",
	"TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME", "TIMEOUT", "LENGTH", "LEN", "SIZE", "COUNT",
	"HEADER", "ENABLED", "ENABLE", "DISABLED", "MODE", "FORMAT", "URL", "URI", "ENDPOINT", "HOST",
	"PORT", "USER", "USERNAME", "LOCATION", "POLICY",
}

about_secret(name) if {
	parts := split(replace(replace(upper(name), "-", "_"), ".", "_"), "_")
	parts[count(parts) - 1] in about_secret_suffixes
}

# url_credentials(v) holds for a URL with a literal password: "postgresql://u:password@host/db".
url_credentials(v) if {
	is_string(v)
	ms := regex.find_all_string_submatch_n(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/:@\s]*:([^@/\s]+)@`, v, -1)
	some m in ms
	not startswith(m[1], "$")
}

# label(stage) names a stage in messages: "stage 'build'" or "stage 2" when unnamed.
label(stage) := sprintf("stage '%s'", [stage.name]) if stage.name != null

label(stage) := sprintf("stage %d", [stage.index]) if stage.name == null

# image_text(from) is the image as resolved, for messages: "node:18-alpine".
image_text(from) := concat("", [from.image, tag_text(from), digest_text(from)])

tag_text(from) := concat("", [":", from.tag]) if from.tag != null

tag_text(from) := "" if from.tag == null

digest_text(from) := concat("", ["@", from.digest]) if from.digest != null

digest_text(from) := "" if from.digest == null

# basename("/app/healthcheck.js") == "healthcheck.js"
basename(p) := parts[count(parts) - 1] if parts := split(trim_suffix(p, "/"), "/")

# build_target(svc) is the service's build.target, undefined when it builds the last stage.
build_target(svc) := svc.build.target if is_object(svc.build)

# target_stage(res, svc) is the stage compose builds for the service: build.target when the
# Dockerfile defines it, else the last stage (what `docker build` produces without --target).
target_stage(res, svc) := stage_named(res, build_target(svc))

target_stage(res, svc) := final_stage(res) if not has_target_stage(res, svc)

has_target_stage(res, svc) if stage_named(res, build_target(svc))

# env_entries(svc) are the service's environment entries (map or list syntax) as
# {"name", "value", "field"} with the field path relative to the service.
env_entries(svc) := [e |
	is_object(svc.environment)
	some k, v in svc.environment
	e := {"name": k, "value": v, "field": sprintf("environment.%s", [k])}
] if is_object(svc.environment)

env_entries(svc) := [e |
	some i, item in svc.environment
	e := list_env_entry(i, sprintf("%v", [item]))
] if is_array(svc.environment)

env_entries(svc) := [] if not svc.environment

list_env_entry(i, s) := {"name": substring(s, 0, n), "value": substring(s, n + 1, -1), "field": sprintf("environment[%d]", [i])} if {
	n := indexof(s, "=")
	n > 0
}

list_env_entry(i, s) := {"name": s, "value": null, "field": sprintf("environment[%d]", [i])} if indexof(s, "=") < 0

# bind_source(v) is the host path of a bind mount in a service's volumes (short or long syntax).
bind_source(v) := src if {
	is_string(v)
	parts := split(v, ":")
	count(parts) >= 2
	src := parts[0]
	regex.match(`^[./~]`, src)
}

bind_source(v) := v.source if {
	is_object(v)
	v.type == "bind"
}
