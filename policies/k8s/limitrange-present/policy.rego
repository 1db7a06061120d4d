# METADATA
# title: Namespaces with workloads have a LimitRange and a ResourceQuota
# description: >-
#   Every namespace that holds a workload in the target also has a LimitRange and a ResourceQuota
#   in the target. Reported once per namespace, on its Namespace object (or its first workload
#   when the target does not declare the Namespace).
# scope: package
# custom:
#   id: k8s/limitrange-present
#   input: kubernetes
#   severity: error
#   kinds: [Namespace, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A quota bounds what a namespace may consume; a LimitRange gives containers that forget
#     resources a default so the quota does not reject their pods and the scheduler can place them.
#   baseline: NSA/CISA Kubernetes Hardening Guide (resource policies)
package rules.k8s.limitrange_present

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": null} if {
	some ns in wiring.namespaces_with_workloads
	wiring.is_anchor_of(ns)
	some kind in ["LimitRange", "ResourceQuota"]
	count(wiring.objects(kind, ns)) == 0
	msg := sprintf(
		"%s: namespace %s runs workloads but the target declares no %s in it; add one",
		[kubernetes.display(kubernetes.resource), wiring.ns_display(ns), kind],
	)
}
