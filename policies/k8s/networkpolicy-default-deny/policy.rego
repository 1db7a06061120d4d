# METADATA
# title: Every namespace with workloads has a default-deny NetworkPolicy
# description: >-
#   Each namespace holding workloads has NetworkPolicies with an empty podSelector whose
#   policyTypes together cover Ingress and Egress. Reported once per namespace, on its Namespace
#   object (or its first workload when the target does not declare the Namespace).
# scope: package
# custom:
#   id: k8s/networkpolicy-default-deny
#   input: kubernetes
#   severity: error
#   kinds: [Namespace, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: Pods not selected by any NetworkPolicy accept and send any traffic; a namespace default-deny makes every allowed flow explicit.
#   baseline: NSA/CISA Kubernetes Hardening Guide (network separation); CIS Kubernetes 5.3.2
package rules.k8s.networkpolicy_default_deny

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

covered(ns) := {t |
	some np in wiring.objects("NetworkPolicy", ns)
	wiring.empty_selector(object.get(np, ["spec", "podSelector"], {}))
	some t in wiring.policy_types(np)
}

violation contains {"msg": msg, "field": null} if {
	some ns in wiring.namespaces_with_workloads
	wiring.is_anchor_of(ns)
	missing := {"Ingress", "Egress"} - covered(ns)
	count(missing) > 0
	msg := sprintf(
		"%s: namespace %s has no default-deny NetworkPolicy for %s; add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress, Egress]",
		[kubernetes.display(kubernetes.resource), wiring.ns_display(ns), concat(" and ", sort(missing))],
	)
}
