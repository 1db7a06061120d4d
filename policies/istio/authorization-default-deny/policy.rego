# METADATA
# title: Every namespace with workloads has a default-deny AuthorizationPolicy
# description: >-
#   Each namespace holding workloads has a namespace-wide AuthorizationPolicy (no selector) that
#   allows nothing: an empty spec, or action ALLOW (the default) with no rules; a mesh-wide one in
#   istio-system counts for every namespace. Reported once per namespace, on its Namespace object
#   (or its first workload when the target does not declare the Namespace).
# scope: package
# custom:
#   id: istio/authorization-default-deny
#   input: kubernetes
#   severity: error
#   kinds: [Namespace, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: Without a default-deny, a workload that no ALLOW policy selects accepts every request; with it, each allowed caller is explicit.
#   baseline: 'Istio security best practices (default-deny AuthorizationPolicy); seed review #32'
package rules.istio.authorization_default_deny

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

default_deny(p) if {
	wiring.empty_selector(object.get(p, ["spec", "selector"], {}))
	object.get(p, ["spec", "action"], "ALLOW") == "ALLOW"
	count(object.get(p, ["spec", "rules"], [])) == 0
	not p.spec.targetRef
	not p.spec.targetRefs
}

has_default_deny(ns) if {
	some candidate in {ns, istio.root_namespace}
	some p in wiring.objects("AuthorizationPolicy", candidate)
	default_deny(p)
}

violation contains {"msg": msg, "field": null} if {
	some ns in wiring.namespaces_with_workloads
	wiring.is_anchor_of(ns)
	not has_default_deny(ns)
	msg := sprintf(
		"%s: namespace %s has no default-deny AuthorizationPolicy, so workloads no ALLOW policy selects accept any request; add an AuthorizationPolicy 'allow-nothing' with spec: {}",
		[kubernetes.display(kubernetes.resource), wiring.ns_display(ns)],
	)
}
