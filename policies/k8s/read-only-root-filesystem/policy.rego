# METADATA
# title: Containers should have a read-only root filesystem
# description: Every container, init container and ephemeral container sets securityContext.readOnlyRootFilesystem to true; writable paths come from emptyDir volumes.
# scope: package
# custom:
#   id: k8s/read-only-root-filesystem
#   input: kubernetes
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A writable image filesystem lets an intruder drop tools and alter binaries that survive until the container restarts.
#   baseline: NSA/CISA Kubernetes Hardening Guide "immutable container filesystems"; CIS 5.7.3
package rules.k8s.read_only_root_filesystem

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	value := object.get(pss.container_sc(entry), "readOnlyRootFilesystem", null)
	value != true
	msg := sprintf("%s: %s %s; set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes", [pss.name(obj), pss.label(entry), found(value)])
	field := sprintf("%s.readOnlyRootFilesystem", [pss.container_sc_path(entry)])
}

found(null) := "does not set readOnlyRootFilesystem (unset means writable)"

found(value) := sprintf("sets readOnlyRootFilesystem: %v", [value]) if value != null
