package rules.k8s.sysctls_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.sysctls

v(obj) := x if {
	x := sysctls.violation with input as t.review(obj)
}

with_sysctls(names) := {"securityContext": {"sysctls": [{"name": n, "value": "1"} | some n in names]}}

test_safe_set_allowed if {
	count(v(t.deployment(with_sysctls([
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
	])))) == 0
}

test_none_allowed if count(v(t.pod({"containers": []}))) == 0

test_unsafe_denied_in_every_kind if {
	every _, obj in t.workloads(with_sysctls(["net.ipv4.tcp_syncookies", "kernel.msgmax", "vm.max_map_count"])) {
		count(v(obj)) == 2
	}
}

test_field_and_message_start if {
	some x in v(t.pod(with_sysctls(["net.ipv4.tcp_syncookies", "net.core.somaxconn"])))
	x.field == "spec.securityContext.sysctls[1].name"
	startswith(x.msg, "Pod/app: sets sysctl net.core.somaxconn, which is not in the safe set; remove it (safe: kernel.shm_rmid_forced, ")
}
