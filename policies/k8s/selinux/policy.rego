# METADATA
# title: SELinux options must stay within the container types
# description: seLinuxOptions (pod and container) may set only type container_t, container_init_t, container_kvm_t or container_engine_t, and never user or role.
# scope: package
# custom:
#   id: k8s/selinux
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A custom SELinux user, role or type can lift the confinement the container runtime applies.
#   baseline: PSS baseline "SELinux"
package rules.k8s.selinux

import rego.v1

import data.lib.kubernetes
import data.lib.pss

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# Every securityContext of the workload with its path and a subject for the message.
contexts(obj) := array.concat(
	[{"sc": pss.pod_sc(obj), "path": pss.pod_sc_path(obj), "who": "pod"}],
	[{"sc": pss.container_sc(e), "path": pss.container_sc_path(e), "who": pss.label(e)} | some e in kubernetes.containers(obj)],
)

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some ctx in contexts(obj)
	type := ctx.sc.seLinuxOptions.type
	not type in allowed_types
	msg := sprintf("%s: %s sets seLinuxOptions.type: %v; use container_t (or leave it unset)", [pss.name(obj), ctx.who, type])
	field := sprintf("%s.seLinuxOptions.type", [ctx.path])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some ctx in contexts(obj)
	some key in ["user", "role"]
	value := ctx.sc.seLinuxOptions[key]
	value != ""
	msg := sprintf("%s: %s sets seLinuxOptions.%s: %v; remove it", [pss.name(obj), ctx.who, key, value])
	field := sprintf("%s.seLinuxOptions.%s", [ctx.path, key])
}
