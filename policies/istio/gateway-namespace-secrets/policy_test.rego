package rules.istio.gateway_namespace_secrets_test

import rego.v1

import data.rules.istio.gateway_namespace_secrets

gateway := {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "funlynk-gateway", "namespace": "istio-ingress"}, "spec": {"servers": [{"tls": {"mode": "SIMPLE", "credentialName": "funlynk-tls"}}]}}

external_secret(ns, target) := {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "token", "namespace": ns}, "spec": {"target": {"name": target}}}

issuer := {"apiVersion": "cert-manager.io/v1", "kind": "Issuer", "metadata": {"name": "letsencrypt", "namespace": "istio-ingress"}, "spec": {"acme": {"privateKeySecretRef": {"name": "account-key"}}}}

certificate(secret) := {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "c", "namespace": "istio-ingress"}, "spec": {"secretName": secret}}

violations(obj) := v if {
	v := gateway_namespace_secrets.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.target as {"name": "overlays/dev", "env": "dev", "resources": [obj, gateway]}
}

test_external_secret_in_gateway_namespace_denied if {
	v := violations(external_secret("istio-ingress", "cloudflare-api-token"))
	count(v) == 1
	some f in v
	f.field == "spec.target.name"
}

test_external_secret_of_credential_allowed if {
	count(violations(external_secret("istio-ingress", "funlynk-tls"))) == 0
}

test_external_secret_elsewhere_allowed if {
	count(violations(external_secret("cert-manager", "cloudflare-api-token"))) == 0
}

test_issuer_in_gateway_namespace_denied if {
	count(violations(issuer)) == 1
}

test_certificate_of_credential_allowed if {
	count(violations(certificate("funlynk-tls"))) == 0
	count(violations(certificate("other-tls"))) == 1
}
