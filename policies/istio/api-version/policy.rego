# METADATA
# title: Istio resources use the v1 API where it exists
# description: >-
#   networking.istio.io and security.istio.io kinds that are served as v1 (Istio 1.22 and later)
#   should not be written as v1beta1 or v1alpha3; EnvoyFilter and ProxyConfig have no v1 and are
#   not checked.
# scope: package
# custom:
#   id: istio/api-version
#   input: kubernetes
#   severity: warning
#   kinds: [Gateway, VirtualService, DestinationRule, ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry]
#   rationale: v1 is the stable API with compatibility guarantees; the beta and alpha versions are kept for migration and will be removed.
#   baseline: Istio 1.22 release notes (v1 APIs promoted)
package rules.istio.api_version

import rego.v1

import data.lib.kubernetes

v1_kinds := {
	"networking.istio.io": {"Gateway", "VirtualService", "DestinationRule", "ServiceEntry", "Sidecar", "WorkloadEntry", "WorkloadGroup"},
	"security.istio.io": {"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication"},
	"telemetry.istio.io": {"Telemetry"},
}

violation contains {"msg": msg, "field": "apiVersion"} if {
	r := kubernetes.resource
	parts := split(r.apiVersion, "/")
	count(parts) == 2
	r.kind in v1_kinds[parts[0]]
	parts[1] != "v1"
	msg := sprintf("%s: uses %s; %s/v1 is served since Istio 1.22, use it", [kubernetes.display(r), r.apiVersion, parts[0]])
}
