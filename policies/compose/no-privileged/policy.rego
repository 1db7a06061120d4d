# METADATA
# title: Compose services run unprivileged and hardened
# description: >-
#   Errors: privileged: true, the docker socket mounted, cap_add ALL or SYS_ADMIN, host network/pid/ipc
#   namespaces, seccomp or AppArmor unconfined. Warning (one per service): not dropping all
#   capabilities (cap_drop: [ALL]), no no-new-privileges:true, no read_only root filesystem.
# scope: package
# custom:
#   id: compose/no-privileged
#   input: compose
#   severity: error
#   kinds: [Compose]
#   ci_only: "reads a docker compose file, which never reaches the API server"
#   rationale: Each of these gives the container root on the host or a path to it; the hardening options limit what a compromised process can do.
#   baseline: CIS Docker 5.4, 5.3, 5.25, 5.12, 5.31, 5.9, 5.15, 5.16, 5.21
package rules.compose.no_privileged

import data.lib.docker as dlib
import rego.v1

violation contains {"msg": msg, "field": sprintf("services.%s.privileged", [name])} if {
	some name, svc in dlib.services
	svc.privileged == true
	msg := sprintf("service '%s' sets privileged: true; remove it and add only the capabilities it needs", [name])
}

violation contains {"msg": msg, "field": sprintf("services.%s.volumes[%d]", [name, i])} if {
	some name, svc in dlib.services
	some i, v in svc.volumes
	contains(sprintf("%v", [v]), "docker.sock")
	msg := sprintf("service '%s' mounts the docker socket, which is root on the host; remove the mount", [name])
}

violation contains {"msg": msg, "field": sprintf("services.%s.cap_add[%d]", [name, i])} if {
	some name, svc in dlib.services
	some i, cap in svc.cap_add
	trim_prefix(upper(cap), "CAP_") in {"ALL", "SYS_ADMIN"}
	msg := sprintf("service '%s' adds capability %s; add only specific capabilities (e.g. NET_BIND_SERVICE)", [name, cap])
}

violation contains {"msg": msg, "field": sprintf("services.%s.%s", [name, key])} if {
	some name, svc in dlib.services
	some key in ["network_mode", "pid", "ipc"]
	svc[key] == "host"
	msg := sprintf("service '%s' sets %s: host, sharing the host's namespace; remove it", [name, key])
}

violation contains {"msg": msg, "field": sprintf("services.%s.security_opt[%d]", [name, i])} if {
	some name, svc in dlib.services
	some i, opt in svc.security_opt
	regex.match(`^(seccomp|apparmor)[:=]unconfined$`, opt)
	msg := sprintf("service '%s' sets security_opt %s; keep the default profile", [name, opt])
}

hardening(svc) := [
	{"key": "cap_drop", "ok": drops_all(svc), "text": "cap_drop: [ALL]"},
	{"key": "security_opt", "ok": no_new_privileges(svc), "text": "security_opt: [no-new-privileges:true]"},
	{"key": "read_only", "ok": object.get(svc, "read_only", false) == true, "text": "read_only: true"},
]

drops_all(svc) if {
	some cap in svc.cap_drop
	upper(cap) == "ALL"
}

else := false

no_new_privileges(svc) if {
	some opt in svc.security_opt
	regex.match(`^no-new-privileges(([:=])true)?$`, opt)
}

else := false

violation contains {"msg": msg, "field": sprintf("services.%s.%s", [name, missing[0].key]), "severity": "warning"} if {
	some name, svc in dlib.services
	missing := [h | some h in hardening(svc); not h.ok]
	count(missing) > 0
	msg := sprintf("service '%s' is not hardened: add %s", [name, concat(", ", [h.text | some h in missing])])
}
