# METADATA
# title: The gateway's namespace lets istiod inject the gateway pods
# description: >-
#   A Namespace that holds an Istio Gateway (networking.istio.io) is where the Istio `gateway` chart
#   runs its pods. Those pods have `image: auto` and become Envoy only through sidecar injection,
#   which they request with the pod label sidecar.istio.io/inject "true". The namespace must not
#   carry istio-injection other than "enabled": with "disabled" none of istiod's injection webhooks
#   selects it, and the gateway never starts.
# scope: package
# custom:
#   id: istio/gateway-injection
#   input: kubernetes
#   severity: error
#   kinds: [Namespace]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A gateway pod that is not injected keeps the placeholder image "auto" and cannot be pulled:
#     no ingress at all, and nothing in the manifests looks wrong.
#   baseline: Istio "Installing Gateways" (gateway injection); Istio chart gateway 1.29.2 templates/deployment.yaml
package rules.istio.gateway_injection

import rego.v1

import data.lib.pss

ns := input.resource if {
	input.kind == "kubernetes"
	input.resource.kind == "Namespace"
}

gateways contains g.metadata.name if {
	some g in data.target.resources
	g.kind == "Gateway"
	startswith(g.apiVersion, "networking.istio.io/")
	g.metadata.namespace == ns.metadata.name
}

violation contains {"msg": msg, "field": sprintf("metadata.labels%s", [pss.field_key("istio-injection")])} if {
	count(gateways) > 0
	label := ns.metadata.labels["istio-injection"]
	label != "enabled"
	msg := sprintf("Namespace/%s: label istio-injection: %s, but Gateway %s is served here by the Istio gateway chart, whose pods (image: auto) run only when istiod injects them; remove the label (the pods ask for injection themselves)", [ns.metadata.name, label, concat(", ", sort(gateways))])
}
