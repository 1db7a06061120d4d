# METADATA
# title: DestinationRules never disable TLS
# description: trafficPolicy.tls.mode, at the top level, per port and per subset, must not be DISABLE.
# scope: package
# custom:
#   id: istio/destinationrule-tls
#   input: kubernetes
#   severity: error
#   kinds: [DestinationRule]
#   rationale: tls.mode DISABLE makes the client sidecar send plaintext, which a STRICT server rejects or, worse, a permissive one accepts unauthenticated.
#   baseline: Istio security best practices (DestinationRule TLS never DISABLE)
package rules.istio.destinationrule_tls

import rego.v1

import data.lib.kubernetes

dr := kubernetes.resource if kubernetes.resource.kind == "DestinationRule"

# Every trafficPolicy of the rule with its path.
policies contains {"policy": dr.spec.trafficPolicy, "path": "spec.trafficPolicy"}

policies contains {"policy": s.trafficPolicy, "path": sprintf("spec.subsets[%d].trafficPolicy", [i])} if {
	some i, s in dr.spec.subsets
}

# tls settings of a trafficPolicy, top level and per port.
tls_settings contains {"tls": p.policy.tls, "path": sprintf("%s.tls.mode", [p.path])} if some p in policies

tls_settings contains {"tls": s.tls, "path": sprintf("%s.portLevelSettings[%d].tls.mode", [p.path, i])} if {
	some p in policies
	some i, s in p.policy.portLevelSettings
}

violation contains {"msg": msg, "field": t.path} if {
	some t in tls_settings
	t.tls.mode == "DISABLE"
	msg := sprintf(
		"%s: %s is DISABLE, so traffic to %s leaves the sidecar in plaintext; use ISTIO_MUTUAL (or remove tls to keep Istio's automatic mTLS)",
		[kubernetes.display(dr), trim_prefix(t.path, "spec."), dr.spec.host],
	)
}
