package rules.k8s.references_test

import rego.v1

import data.rules.k8s.references

config := {"external": {"secrets": [], "configMaps": ["kube-root-ca.crt"], "serviceAccounts": ["default"]}}

deployment := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": {
		"serviceAccountName": "api",
		"imagePullSecrets": [{"name": "pull"}],
		"volumes": [
			{"name": "config", "configMap": {"name": "api-config"}},
			{"name": "tls", "secret": {"secretName": "api-tls"}},
			{"name": "data", "persistentVolumeClaim": {"claimName": "api-data"}},
			{"name": "bundle", "projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}}, {"secret": {"name": "api-sealed"}}]}},
			{"name": "opt", "secret": {"secretName": "maybe", "optional": true}},
		],
		"containers": [{
			"name": "api",
			"envFrom": [{"configMapRef": {"name": "api-config"}}, {"secretRef": {"name": "maybe", "optional": true}}],
			"env": [
				{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "db", "key": "url"}}},
				{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "api-config", "key": "mode"}}},
			],
		}],
	}}},
}

obj(kind, name) := {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "app"}}

producers := [
	obj("ServiceAccount", "api"),
	obj("Secret", "pull"),
	obj("ConfigMap", "api-config"),
	obj("PersistentVolumeClaim", "api-data"),
	{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "api", "namespace": "app"}, "spec": {"secretName": "api-tls"}},
	{"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "api-sealed", "namespace": "app"}, "spec": {}},
	{"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "db-es", "namespace": "app"}, "spec": {"target": {"name": "db"}}},
]

violations(resources, i) := v if {
	v := references.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
		with data.config as config
}

test_all_references_resolve_allowed if count(violations(array.concat([deployment], producers), 0)) == 0

test_all_references_missing_denied if {
	v := violations([deployment], 0)
	count(v) == 9
	"spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name" in {f.field | some f in v}
}

test_references_in_other_namespace_denied if {
	moved := [object.union(p, {"metadata": {"namespace": "other"}}) | some p in producers]
	count(violations(array.concat([deployment], moved), 0)) == 9
}

test_external_secret_default_name_allowed if {
	d := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"containers": [{"name": "c", "envFrom": [{"secretRef": {"name": "db-es"}}]}]}}
	es := {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "db-es", "namespace": "app"}, "spec": {}}
	count(violations([d, es], 0)) == 0
	count(violations([d], 0)) == 1
}

test_default_service_account_external_allowed if {
	d := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "app"}, "spec": {"serviceAccountName": "default", "containers": [{"name": "c"}]}}
	count(violations([d], 0)) == 0
}
