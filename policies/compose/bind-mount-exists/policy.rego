# METADATA
# title: Bind-mount sources and env files exist
# description: >-
#   Every bind-mount source (./x:/y, or long syntax type bind) and every env_file of a compose
#   service must exist relative to the compose file (the gate checks it and passes the result as
#   input.paths). Paths with ${...} depend on the environment and are not judged.
# scope: package
# custom:
#   id: compose/bind-mount-exists
#   input: compose
#   severity: error
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: docker creates a missing bind source as an empty root-owned directory, so a config file silently becomes a folder; a missing env_file fails docker compose up.
#   baseline: 'REVIEW #15'
package rules.compose.bind_mount_exists

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": sprintf("services.%s.volumes[%d]", [name, i])} if {
	some name, svc in dlib.services
	some i, v in svc.volumes
	src := dlib.bind_source(v)
	input.paths[src] == false
	msg := sprintf("service '%s' bind-mounts %s, which does not exist beside %s; add it to the repository or use a named volume", [name, src, input.file])
}

env_files(svc) := [{"path": svc.env_file, "field": "env_file"}] if is_string(svc.env_file)

env_files(svc) := [e |
	some i, f in svc.env_file
	e := {"path": env_path(f), "field": sprintf("env_file[%d]", [i]), "required": required(f)}
] if is_array(svc.env_file)

required(f) := object.get(f, "required", true) if is_object(f)

required(f) if is_string(f)

env_path(f) := f if is_string(f)

env_path(f) := f.path if is_object(f)

violation contains {"msg": msg, "field": sprintf("services.%s.%s", [name, e.field])} if {
	some name, svc in dlib.services
	some e in env_files(svc)
	object.get(e, "required", true) == true
	input.paths[e.path] == false
	msg := sprintf("service '%s' reads env_file %s, which does not exist beside %s", [name, e.path, input.file])
}
