# METADATA
# title: Secrets should be mounted as files, not environment variables
# description: env[].valueFrom.secretKeyRef and envFrom[].secretRef are reported; mount the Secret as a volume and read the file.
# scope: package
# custom:
#   id: k8s/secrets-as-files
#   input: kubernetes
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: Environment variables leak into crash dumps, child processes, logs and `kubectl describe`; mounted files can be rotated without a restart.
#   baseline: CIS 5.4.1
package rules.k8s.secrets_as_files

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, env in object.get(entry.container, "env", [])
	ref := env.valueFrom.secretKeyRef
	msg := sprintf("%s: %s reads Secret %v key %v into env %v; mount the Secret as a volume and read the file", [pss.name(obj), pss.label(entry), object.get(ref, "name", ""), object.get(ref, "key", ""), object.get(env, "name", "")])
	field := sprintf("%s.env[%d].valueFrom.secretKeyRef", [entry.path, j])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	some j, from in object.get(entry.container, "envFrom", [])
	ref := from.secretRef
	msg := sprintf("%s: %s loads every key of Secret %v into its environment (envFrom); mount the Secret as a volume and read the files", [pss.name(obj), pss.label(entry), object.get(ref, "name", "")])
	field := sprintf("%s.envFrom[%d].secretRef", [entry.path, j])
}
