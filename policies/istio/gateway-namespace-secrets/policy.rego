# METADATA
# title: The gateway's namespace holds no Secret but the gateway's own certificates
# description: >-
#   In a namespace that holds an Istio Gateway, the only Secrets the target makes are the TLS
#   Secrets its Gateways name as credentialName (from a Certificate or an ExternalSecret). An
#   ExternalSecret of any other Secret, a cert-manager Issuer (its ACME account key and DNS-01
#   credentials live in its namespace) or a Certificate the Gateway does not serve belongs in
#   another namespace (e.g. a ClusterIssuer with its secrets in cert-manager's namespace).
# scope: package
# custom:
#   id: istio/gateway-namespace-secrets
#   input: kubernetes
#   severity: error
#   kinds: [ExternalSecret, Issuer, Certificate]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     The Istio gateway chart gives the gateway's service account get, watch and list on every
#     Secret of its namespace (istiod requires it to serve credentialName). The internet-facing pod
#     is the most exposed one: whoever takes it over reads every Secret there, such as a DNS API
#     token that can re-point the domain.
#   baseline: Istio chart gateway 1.29.2 templates/role.yaml; CIS Kubernetes 5.1.2 (minimise access to secrets)
package rules.istio.gateway_namespace_secrets

import rego.v1

obj := input.resource if input.kind == "kubernetes"

ns := obj.metadata.namespace

credential_names contains s.tls.credentialName if {
	some g in data.target.resources
	g.kind == "Gateway"
	startswith(g.apiVersion, "networking.istio.io/")
	g.metadata.namespace == ns
	some s in object.get(g, ["spec", "servers"], [])
	is_string(s.tls.credentialName)
}

gateway_namespace if count(gateway_names) > 0

gateway_names contains g.metadata.name if {
	some g in data.target.resources
	g.kind == "Gateway"
	startswith(g.apiVersion, "networking.istio.io/")
	g.metadata.namespace == ns
}

gateways := concat(", ", sort(gateway_names))

violation contains {"msg": msg, "field": "spec.target.name"} if {
	obj.kind == "ExternalSecret"
	startswith(obj.apiVersion, "external-secrets.io/")
	gateway_namespace
	name := object.get(obj, ["spec", "target", "name"], obj.metadata.name)
	not name in credential_names
	msg := sprintf("ExternalSecret/%s: makes Secret %s in namespace %s, where Gateway %s runs and the gateway's service account may read every Secret; keep it in another namespace", [obj.metadata.name, name, ns, gateways])
}

violation contains {"msg": msg, "field": "spec.acme.privateKeySecretRef.name"} if {
	obj.kind == "Issuer"
	startswith(obj.apiVersion, "cert-manager.io/")
	gateway_namespace
	msg := sprintf("Issuer/%s: keeps its ACME account key and solver credentials in namespace %s, where Gateway %s runs and the gateway's service account may read every Secret; use a ClusterIssuer (its secrets live in cert-manager's namespace)", [obj.metadata.name, ns, gateways])
}

violation contains {"msg": msg, "field": "spec.secretName"} if {
	obj.kind == "Certificate"
	startswith(obj.apiVersion, "cert-manager.io/")
	gateway_namespace
	not obj.spec.secretName in credential_names
	msg := sprintf("Certificate/%s: makes Secret %s in namespace %s, which no Gateway there serves as credentialName; issue it in the namespace that uses it", [obj.metadata.name, obj.spec.secretName, ns])
}
