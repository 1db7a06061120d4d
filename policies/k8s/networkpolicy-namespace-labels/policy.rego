# METADATA
# title: NetworkPolicy namespaceSelectors use labels namespaces really carry
# description: >-
#   Every key of a namespaceSelector (matchLabels and matchExpressions) must be
#   kubernetes.io/metadata.name, which the API server sets on every namespace, or a label that a
#   Namespace object declared in the target carries.
# scope: package
# custom:
#   id: k8s/networkpolicy-namespace-labels
#   input: kubernetes
#   severity: error
#   kinds: [NetworkPolicy]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     Namespaces carry no `name` label unless someone adds it, so `namespaceSelector: {matchLabels:
#     {name: kube-system}}` matches nothing and the intended traffic (gateway ingress, DNS) is
#     dropped; a hand-made label is also spoofable by whoever may label namespaces.
#   baseline: 'Kubernetes NetworkPolicy docs (automatic kubernetes.io/metadata.name label); seed review #28'
package rules.k8s.networkpolicy_namespace_labels

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

np := kubernetes.resource if kubernetes.resource.kind == "NetworkPolicy"

selector_keys(sel) := {k | some k, _ in object.get(sel, "matchLabels", {})} | {e.key | some e in object.get(sel, "matchExpressions", [])}

# A declared Namespace whose labels (plus the automatic one) the selector matches.
matches_declared(sel) if {
	some o in wiring.resources
	o.kind == "Namespace"
	kubernetes.selector_matches(sel, wiring.namespace_labels(o.metadata.name))
}

violation contains {"msg": msg, "field": sprintf("%s.namespaceSelector", [p.path])} if {
	some p in wiring.peers(np)
	custom := selector_keys(p.peer.namespaceSelector) - {"kubernetes.io/metadata.name"}
	count(custom) > 0
	not matches_declared(p.peer.namespaceSelector)
	msg := sprintf(
		"%s: %s selects namespaces by label %s, which no Namespace declared in the target carries with those values (only kubernetes.io/metadata.name is set automatically, and hand-made labels can be spoofed); select with kubernetes.io/metadata.name: <namespace>",
		[kubernetes.display(np), trim_prefix(p.path, "spec."), json.marshal(sort(custom))],
	)
}
