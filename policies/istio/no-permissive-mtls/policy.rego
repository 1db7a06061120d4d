# METADATA
# title: PeerAuthentications never accept plaintext
# description: A PeerAuthentication's mtls.mode and every portLevelMtls mode must not be PERMISSIVE or DISABLE.
# scope: package
# custom:
#   id: istio/no-permissive-mtls
#   input: kubernetes
#   severity: error
#   kinds: [PeerAuthentication]
#   rationale: PERMISSIVE and DISABLE let plaintext through, bypassing workload identity and every principal-based AuthorizationPolicy.
#   baseline: Istio security best practices (no PERMISSIVE/DISABLE portLevelMtls)
package rules.istio.no_permissive_mtls

import rego.v1

import data.lib.kubernetes

pa := kubernetes.resource if kubernetes.resource.kind == "PeerAuthentication"

weak := {"PERMISSIVE", "DISABLE"}

violation contains {"msg": msg, "field": "spec.mtls.mode"} if {
	pa.spec.mtls.mode in weak
	msg := sprintf("%s: mtls.mode %s accepts plaintext; set STRICT", [kubernetes.display(pa), pa.spec.mtls.mode])
}

violation contains {"msg": msg, "field": sprintf("spec.portLevelMtls.%v.mode", [port])} if {
	some port, setting in pa.spec.portLevelMtls
	setting.mode in weak
	msg := sprintf(
		"%s: portLevelMtls for port %v is %s and accepts plaintext; set STRICT (metrics scraping does not need it: use Istio's merged metrics port or Prometheus with Istio certificates)",
		[kubernetes.display(pa), port, setting.mode],
	)
}
