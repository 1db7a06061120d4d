# METADATA
# title: Each environment reads its own secrets
# description: >-
#   In an environment's target (overlays/<env>), a Vault SecretStore or ClusterSecretStore names
#   that environment in its KV mount (spec.provider.vault.path) and in its Kubernetes auth mount
#   (auth.kubernetes.mountPath), e.g. funlynk-prod and kubernetes-prod: one Vault, one KV mount and
#   one auth mount per environment (docs/platform.md). A store that renders the same in every
#   environment lets dev's credentials read prod's secrets.
# scope: package
# custom:
#   id: k8s/secretstore-environment
#   input: kubernetes
#   severity: error
#   kinds: [SecretStore, ClusterSecretStore]
#   rationale: >-
#     Environments are isolated only if their secrets are: with a shared mount, whoever holds a dev
#     cluster's service account token reads the production database password.
#   baseline: NIST SP 800-53 AC-4 / SC-7 (separation of environments); Vault "Kubernetes auth method" (one mount per cluster)
package rules.k8s.secretstore_environment

import rego.v1

store := input.resource if {
	input.kind == "kubernetes"
	input.resource.kind in {"SecretStore", "ClusterSecretStore"}
	startswith(input.resource.apiVersion, "external-secrets.io/")
}

env := data.target.env if is_string(data.target.env)

vault := store.spec.provider.vault

# names_env(value) holds when the environment is one of the value's words (split at / - _ .).
names_env(value) if {
	is_string(value)
	some word in split(replace(replace(replace(value, "-", "/"), "_", "/"), ".", "/"), "/")
	word == env
}

checked := [
	{"field": "spec.provider.vault.path", "what": "KV mount (path)", "value": object.get(vault, "path", "")},
	{"field": "spec.provider.vault.auth.kubernetes.mountPath", "what": "Kubernetes auth mount (auth.kubernetes.mountPath)", "value": object.get(vault, ["auth", "kubernetes", "mountPath"], "")},
]

violation contains {"msg": msg, "field": c.field} if {
	env
	is_object(vault)
	some c in checked
	not names_env(c.value)
	msg := sprintf("%s/%s: Vault %s is '%s' in %s, the same as in every other environment; give %s a mount of its own (e.g. '%s')", [store.kind, store.metadata.name, c.what, c.value, env, env, example(c.field)])
}

example("spec.provider.vault.path") := sprintf("funlynk-%s", [env])

example("spec.provider.vault.auth.kubernetes.mountPath") := sprintf("kubernetes-%s", [env])
