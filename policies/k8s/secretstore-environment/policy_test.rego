package rules.k8s.secretstore_environment_test

import rego.v1

import data.rules.k8s.secretstore_environment

store(path, mount) := {
	"apiVersion": "external-secrets.io/v1", "kind": "SecretStore", "metadata": {"name": "vault", "namespace": "funlynk"},
	"spec": {"provider": {"vault": {"server": "https://vault.funlynk.com", "path": path, "version": "v2", "auth": {"kubernetes": {"mountPath": mount, "role": "funlynk"}}}}},
}

violations(obj, env) := v if {
	v := secretstore_environment.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "overlays/x", "env": env, "resources": [obj]}
}

test_shared_mounts_denied if {
	v := violations(store("secret", "kubernetes"), "prod")
	count(v) == 2
	some f in v
	f.field == "spec.provider.vault.path"
	contains(f.msg, "funlynk-prod")
}

test_shared_auth_mount_denied if {
	v := violations(store("funlynk-prod", "kubernetes"), "prod")
	count(v) == 1
	some f in v
	f.field == "spec.provider.vault.auth.kubernetes.mountPath"
}

test_other_environment_mount_denied if {
	count(violations(store("funlynk-dev", "kubernetes-dev"), "prod")) == 2
}

test_environment_mounts_allowed if {
	count(violations(store("funlynk-prod", "kubernetes-prod"), "prod")) == 0
	count(violations(store("prod/kv", "clusters/prod"), "prod")) == 0
}

test_target_without_environment_not_checked if {
	count(violations(store("secret", "kubernetes"), null)) == 0
}

test_other_provider_not_checked if {
	obj := {"apiVersion": "external-secrets.io/v1", "kind": "SecretStore", "metadata": {"name": "aws"}, "spec": {"provider": {"aws": {"service": "SecretsManager"}}}}
	count(violations(obj, "prod")) == 0
}
