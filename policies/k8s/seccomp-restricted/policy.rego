# METADATA
# title: Seccomp must be RuntimeDefault or Localhost, explicitly
# description: seccompProfile.type is RuntimeDefault or Localhost on the pod, or on every container that the pod does not cover; Unconfined is never allowed and Localhost names its profile (Windows pods are exempt).
# scope: package
# custom:
#   id: k8s/seccomp-restricted
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Without a profile the runtime may run containers unconfined; RuntimeDefault blocks system calls used in known escapes.
#   baseline: PSS restricted "Seccomp"; CIS 5.7.2
package rules.k8s.seccomp_restricted

import rego.v1

import data.lib.kubernetes
import data.lib.pss

good := {"RuntimeDefault", "Localhost"}

pod_profile(obj) if pss.pod_sc(obj).seccompProfile.type in good

# pod or container sets a type that is not allowed
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	type := pss.pod_sc(obj).seccompProfile.type
	not type in good
	msg := sprintf("%s: pod sets seccompProfile.type: %v; use RuntimeDefault or Localhost", [pss.name(obj), type])
	field := sprintf("%s.seccompProfile.type", [pss.pod_sc_path(obj)])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	some entry in kubernetes.containers(obj)
	type := pss.container_sc(entry).seccompProfile.type
	not type in good
	msg := sprintf("%s: %s sets seccompProfile.type: %v; use RuntimeDefault or Localhost", [pss.name(obj), pss.label(entry), type])
	field := sprintf("%s.seccompProfile.type", [pss.container_sc_path(entry)])
}

# a container has no profile and the pod gives none
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	not pss.is_windows(obj)
	not pod_profile(obj)
	object.get(pss.pod_sc(obj), ["seccompProfile", "type"], null) == null
	some entry in kubernetes.containers(obj)
	object.get(pss.container_sc(entry), ["seccompProfile", "type"], null) == null
	msg := sprintf("%s: %s has no seccomp profile (set neither on it nor on the pod); set securityContext.seccompProfile.type: RuntimeDefault on the pod", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.seccompProfile.type", [pss.pod_sc_path(obj)])
}

# Localhost without a profile file
violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some ctx in array.concat(
		[{"sc": pss.pod_sc(obj), "path": pss.pod_sc_path(obj), "who": "pod"}],
		[{"sc": pss.container_sc(e), "path": pss.container_sc_path(e), "who": pss.label(e)} | some e in kubernetes.containers(obj)],
	)
	ctx.sc.seccompProfile.type == "Localhost"
	object.get(ctx.sc.seccompProfile, "localhostProfile", "") == ""
	msg := sprintf("%s: %s sets seccompProfile.type: Localhost without localhostProfile; name the profile file", [pss.name(obj), ctx.who])
	field := sprintf("%s.seccompProfile.localhostProfile", [ctx.path])
}
