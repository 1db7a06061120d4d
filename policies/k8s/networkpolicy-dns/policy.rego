# METADATA
# title: Policies that restrict egress allow DNS to kube-system
# description: >-
#   A NetworkPolicy restricting Egress must, itself or through a namespace-wide policy (empty
#   podSelector) of the same namespace, allow UDP and TCP port 53 to the kube-system namespace
#   (a rule without `to` or without ports allows it too).
# scope: package
# custom:
#   id: k8s/networkpolicy-dns
#   input: kubernetes
#   severity: error
#   kinds: [NetworkPolicy]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     Once egress is restricted, name lookups to CoreDNS are dropped unless allowed, and every
#     outgoing call fails on resolution; large answers and retries use TCP, so both protocols matter.
#   baseline: 'Kubernetes NetworkPolicy recipes (allow DNS egress); seed review #28'
package rules.k8s.networkpolicy_dns

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

np := kubernetes.resource if kubernetes.resource.kind == "NetworkPolicy"

allowed(protocol) if wiring.egress_reaches(np, protocol, 53, "kube-system")

violation contains {"msg": msg, "field": "spec.egress"} if {
	"Egress" in wiring.policy_types(np)
	missing := {p | some p in ["UDP", "TCP"]; not allowed(p)}
	count(missing) > 0
	msg := sprintf(
		"%s: restricts egress but neither it nor a namespace-wide policy allows DNS (%s port 53) to kube-system, so name resolution fails; add an egress rule to namespaceSelector kubernetes.io/metadata.name: kube-system with UDP and TCP 53",
		[kubernetes.display(np), concat("/", sort(missing))],
	)
}
