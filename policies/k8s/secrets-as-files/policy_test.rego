package rules.k8s.secrets_as_files_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.secrets_as_files

v(obj) := x if {
	x := secrets_as_files.violation with input as t.review(obj)
}

secret_env := {"env": [
	{"name": "PLAIN", "value": "x"},
	{"name": "CM", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
	{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
]}

test_plain_and_configmap_env_allowed if {
	count(v(t.deployment({"containers": [{"name": "a", "env": [{"name": "A", "value": "1"}], "envFrom": [{"configMapRef": {"name": "c"}}]}]}))) == 0
}

test_secret_env_denied_for_every_container_kind if {
	spec := {
		"containers": [object.union({"name": "a"}, secret_env)],
		"initContainers": [object.union({"name": "i"}, secret_env)],
		"ephemeralContainers": [object.union({"name": "e"}, secret_env)],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_secret_key_ref_message if {
	v(t.deployment({"containers": [object.union({"name": "api"}, secret_env)]})) == {{
		"msg": "Deployment/app: container 'api' reads Secret db key password into env DB_PASSWORD; mount the Secret as a volume and read the file",
		"field": "spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef",
	}}
}

test_env_from_message if {
	v(t.cronjob({"initContainers": [{"name": "i", "envFrom": [{"configMapRef": {"name": "c"}}, {"secretRef": {"name": "db"}}]}]})) == {{
		"msg": "CronJob/app: init container 'i' loads every key of Secret db into its environment (envFrom); mount the Secret as a volume and read the files",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].envFrom[1].secretRef",
	}}
}
