# METADATA
# title: Workloads scaled by an HPA leave spec.replicas unset
# description: A Deployment or StatefulSet that a HorizontalPodAutoscaler targets must not set spec.replicas.
# scope: package
# custom:
#   id: k8s/replicas-under-hpa
#   input: kubernetes
#   severity: error
#   kinds: [Deployment, StatefulSet]
#   reads: [HorizontalPodAutoscaler]
#   rationale: >-
#     The HPA owns the replica count. A replicas field in git makes every Argo CD sync reset the
#     count to the committed value, undoing the HPA's scaling until it reacts again.
#   baseline: 'Argo CD and Kubernetes HPA guidance; seed review #24'
package rules.k8s.replicas_under_hpa

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": "spec.replicas"} if {
	w := kubernetes.resource
	w.kind in {"Deployment", "StatefulSet"}
	w.spec.replicas != null
	some h in wiring.hpas_for(w)
	msg := sprintf(
		"%s: sets spec.replicas: %v while %s scales it (min %v, max %v); remove spec.replicas so syncs do not reset the HPA's count",
		[kubernetes.display(w), w.spec.replicas, kubernetes.display(h), object.get(h, ["spec", "minReplicas"], 1), object.get(h, ["spec", "maxReplicas"], "?")],
	)
}
