# METADATA
# title: Secrets must not be committed in plain text
# description: A Secret with any non-empty value in data or stringData is an error; declare an ExternalSecret or a SealedSecret instead. An empty Secret (e.g. a service-account-token Secret the token controller fills) is fine.
# scope: package
# custom:
#   id: k8s/no-plaintext-secrets
#   input: kubernetes
#   severity: error
#   kinds: [Secret]
#   rationale: base64 is an encoding, not encryption; whatever is in git is readable by everyone with read access, forever, in history.
#   baseline: CIS 5.4.2 (external secret storage); NSA/CISA Kubernetes Hardening Guide "secrets"
package rules.k8s.no_plaintext_secrets

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": section} if {
	obj := kubernetes.resource
	obj.kind == "Secret"
	some section in ["data", "stringData"]
	keys := sort([key | some key, value in object.get(obj, section, {}); value != ""])
	count(keys) > 0
	msg := sprintf("%s: commits %d value(s) in %s (%s) in plain text; remove them and declare an ExternalSecret or SealedSecret that produces this Secret", [pss.name(obj), count(keys), section, concat(", ", keys)])
}
