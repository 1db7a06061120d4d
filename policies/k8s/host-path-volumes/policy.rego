# METADATA
# title: Pods must not mount host paths
# description: No volume of a pod spec may be a hostPath volume.
# scope: package
# custom:
#   id: k8s/host-path-volumes
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: A hostPath volume exposes the node's filesystem (kubelet credentials, container runtime socket) to the pod.
#   baseline: PSS baseline "HostPath Volumes"
package rules.k8s.host_path_volumes

import rego.v1

import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some i, volume in object.get(pss.spec(obj), "volumes", [])
	volume.hostPath
	msg := sprintf("%s: volume '%s' mounts host path %v; use an emptyDir, configMap, secret or persistentVolumeClaim instead", [pss.name(obj), object.get(volume, "name", ""), object.get(volume.hostPath, "path", "")])
	field := sprintf("%s.volumes[%d].hostPath", [pss.spec_path(obj), i])
}
