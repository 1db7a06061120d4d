# METADATA
# title: Pods may use only the restricted volume types
# description: Every volume must be configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret.
# scope: package
# custom:
#   id: k8s/volume-types
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Other volume types (hostPath, nfs, iscsi, ...) reach node or network storage outside the control of PersistentVolume provisioning.
#   baseline: PSS restricted "Volume Types"
package rules.k8s.volume_types

import rego.v1

import data.lib.pss

allowed := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some i, volume in object.get(pss.spec(obj), "volumes", [])
	some type, _ in volume
	type != "name"
	not type in allowed
	msg := sprintf("%s: volume '%s' is of type %s; use one of %s (storage through a persistentVolumeClaim)", [pss.name(obj), object.get(volume, "name", ""), type, concat(", ", sort(allowed))])
	field := sprintf("%s.volumes[%d].%s", [pss.spec_path(obj), i, type])
}
