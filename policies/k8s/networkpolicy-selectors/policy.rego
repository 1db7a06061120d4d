# METADATA
# title: NetworkPolicy pod selectors select pods, and meshed namespaces reach istiod
# description: >-
#   A NetworkPolicy's non-empty podSelector and every same-namespace podSelector peer (a peer
#   without namespaceSelector) must select the pods of some workload in the target. A namespace
#   with Istio sidecars, or with Istio security policies (which need sidecars to be enforced): every
#   policy restricting Egress must, itself or through a namespace-wide egress policy, allow TCP
#   15012 to istio-system.
# scope: package
# custom:
#   id: k8s/networkpolicy-selectors
#   input: kubernetes
#   severity: error
#   kinds: [NetworkPolicy]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A selector that matches no pods silently allows or denies nothing (`app: postgres` when no
#     such pod exists); a sidecar that cannot reach istiod on 15012 never gets its configuration
#     or certificates, so the pod never becomes ready.
#   baseline: 'Istio "Application requirements" (ports used by Istio); seed review #29'
package rules.k8s.networkpolicy_selectors

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

np := kubernetes.resource if kubernetes.resource.kind == "NetworkPolicy"

ns := kubernetes.namespace_of(np)

pod_selector := object.get(np, ["spec", "podSelector"], {})

violation contains {"msg": msg, "field": "spec.podSelector"} if {
	not wiring.empty_selector(pod_selector)
	count(wiring.selected_workloads(pod_selector, ns)) == 0
	msg := sprintf(
		"%s: podSelector %s selects the pods of no workload in namespace %s, so the policy applies to nothing; fix the labels",
		[kubernetes.display(np), json.marshal(pod_selector), wiring.ns_display(ns)],
	)
}

violation contains {"msg": msg, "field": sprintf("%s.podSelector", [p.path])} if {
	some p in wiring.peers(np)
	not p.peer.namespaceSelector
	sel := p.peer.podSelector
	not wiring.empty_selector(sel)
	count(wiring.selected_workloads(sel, ns)) == 0
	msg := sprintf(
		"%s: %s podSelector %s selects the pods of no workload in namespace %s, so this rule allows nothing; fix the labels or add the workload",
		[kubernetes.display(np), trim_prefix(p.path, "spec."), json.marshal(sel), wiring.ns_display(ns)],
	)
}

violation contains {"msg": msg, "field": "spec.egress"} if {
	"Egress" in wiring.policy_types(np)
	istio.meshed(ns)
	not wiring.egress_reaches(np, "TCP", 15012, istio.root_namespace)
	msg := sprintf(
		"%s: restricts egress in namespace %s, %s, but neither it nor a namespace-wide policy allows TCP 15012 to istiod in istio-system, so sidecars never get configuration; add an egress rule to namespaceSelector kubernetes.io/metadata.name: istio-system port 15012",
		[kubernetes.display(np), wiring.ns_display(ns), mesh_reason(ns)],
	)
}

mesh_reason(ns) := "which runs Istio sidecars" if istio.namespace_has_sidecars(ns)

mesh_reason(ns) := "whose Istio security policies need sidecars" if not istio.namespace_has_sidecars(ns)
