package rules.compose.no_privileged_test

import data.lib.docker_test as t
import data.rules.compose.no_privileged
import rego.v1

hardened := {
	"image": "ghcr.io/funlynk/backend:1.0.0",
	"cap_drop": ["ALL"],
	"security_opt": ["no-new-privileges:true"],
	"read_only": true,
}

test_hardened_allowed if {
	count(no_privileged.violation) == 0 with input as t.compose({"backend": hardened})
}

test_privileged_denied if {
	v := no_privileged.violation with input as t.compose({"backend": object.union(hardened, {"privileged": true})})
	count(v) == 1
	some x in v
	x.field == "services.backend.privileged"
}

test_docker_socket_denied if {
	svc := object.union(hardened, {"volumes": ["./data:/data", "/var/run/docker.sock:/var/run/docker.sock"]})
	v := no_privileged.violation with input as t.compose({"agent": svc})
	count(v) == 1
	some x in v
	x.field == "services.agent.volumes[1]"
}

test_caps_namespaces_and_profiles_denied if {
	svc := object.union(hardened, {
		"cap_add": ["NET_BIND_SERVICE", "CAP_SYS_ADMIN", "all"],
		"network_mode": "host", "pid": "host",
		"security_opt": ["no-new-privileges:true", "seccomp:unconfined"],
	})
	count(no_privileged.violation) == 5 with input as t.compose({"x": svc})
}

test_missing_hardening_warned_once if {
	v := no_privileged.violation with input as t.compose({"redis": {"image": "redis:7.4.1-alpine", "security_opt": ["no-new-privileges"]}})
	count(v) == 1
	some x in v
	x.severity == "warning"
	x.field == "services.redis.cap_drop"
	contains(x.msg, "cap_drop: [ALL], read_only: true")
}
