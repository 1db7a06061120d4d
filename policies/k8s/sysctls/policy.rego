# METADATA
# title: Pods may set only safe sysctls
# description: securityContext.sysctls may name only the namespaced, isolated sysctls the PSS baseline lists.
# scope: package
# custom:
#   id: k8s/sysctls
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Other sysctls reach beyond the pod's namespaces and can disable security mechanisms or disturb every pod on the node.
#   baseline: PSS baseline "Sysctls"
package rules.k8s.sysctls

import rego.v1

import data.lib.pss

# PSS baseline allowed values as of Kubernetes 1.29+ (kubelet's safe sysctl set).
safe := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some i, sysctl in object.get(pss.pod_sc(obj), "sysctls", [])
	not sysctl.name in safe
	msg := sprintf("%s: sets sysctl %v, which is not in the safe set; remove it (safe: %s)", [pss.name(obj), object.get(sysctl, "name", null), concat(", ", sort(safe))])
	field := sprintf("%s.sysctls[%d].name", [pss.pod_sc_path(obj), i])
}
