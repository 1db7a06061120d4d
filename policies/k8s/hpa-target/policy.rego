# METADATA
# title: HorizontalPodAutoscalers target an existing workload they can measure
# description: >-
#   scaleTargetRef names a workload of the target in the same namespace; every Resource or
#   ContainerResource metric with a Utilization target has requests of that resource on the
#   containers it measures; minReplicas <= maxReplicas; memory Utilization is discouraged.
# scope: package
# custom:
#   id: k8s/hpa-target
#   input: kubernetes
#   severity: error
#   kinds: [HorizontalPodAutoscaler]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     Utilization is a percentage of requests, so a container without requests makes the metric
#     unavailable and the HPA stops scaling. Memory Utilization counts the sidecar too and rarely
#     falls after a scale-up, so the HPA scales up and seldom down.
#   baseline: 'Kubernetes HPA algorithm; seed review #26'
package rules.k8s.hpa_target

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

hpa := kubernetes.resource if kubernetes.resource.kind == "HorizontalPodAutoscaler"

ns := kubernetes.namespace_of(hpa)

ref := object.get(hpa, ["spec", "scaleTargetRef"], {})

targets := [o |
	some o in wiring.objects(object.get(ref, "kind", ""), ns)
	o.metadata.name == object.get(ref, "name", "")
]

violation contains {"msg": msg, "field": "spec.scaleTargetRef.name"} if {
	count(targets) == 0
	msg := sprintf(
		"%s: scaleTargetRef %s/%s does not exist in namespace %s of this target; point it at the workload to scale",
		[kubernetes.display(hpa), object.get(ref, "kind", ""), object.get(ref, "name", ""), wiring.ns_display(ns)],
	)
}

min_replicas := object.get(hpa, ["spec", "minReplicas"], 1)

violation contains {"msg": msg, "field": "spec.minReplicas"} if {
	min_replicas > hpa.spec.maxReplicas
	msg := sprintf("%s: minReplicas %d is greater than maxReplicas %d; lower minReplicas or raise maxReplicas", [kubernetes.display(hpa), min_replicas, hpa.spec.maxReplicas])
}

# Metrics measured against requests: {"index", "type", "resource", "container" (or null)}.
utilization_metrics contains {"index": i, "type": m.type, "resource": m.resource.name, "container": null} if {
	some i, m in object.get(hpa, ["spec", "metrics"], [])
	m.type == "Resource"
	m.resource.target.type == "Utilization"
}

utilization_metrics contains {"index": i, "type": m.type, "resource": m.containerResource.name, "container": m.containerResource.container} if {
	some i, m in object.get(hpa, ["spec", "metrics"], [])
	m.type == "ContainerResource"
	m.containerResource.target.type == "Utilization"
}

metric_field(m) := sprintf("spec.metrics[%d].resource", [m.index]) if m.type == "Resource"

metric_field(m) := sprintf("spec.metrics[%d].containerResource", [m.index]) if m.type == "ContainerResource"

# Regular containers a metric measures (init containers do not run alongside).
measured(m, w) := [c |
	some c in kubernetes.containers(w)
	c.kind == "containers"
	m.container == null
] if m.container == null

measured(m, w) := [c |
	some c in kubernetes.containers(w)
	c.kind == "containers"
	c.container.name == m.container
] if m.container != null

violation contains {"msg": msg, "field": metric_field(m)} if {
	some m in utilization_metrics
	some w in targets
	some c in measured(m, w)
	not c.container.resources.requests[m.resource]
	msg := sprintf(
		"%s: metric %s %s Utilization is a percentage of requests, but container '%s' of %s has no requests.%s; set it (%s)",
		[kubernetes.display(hpa), m.type, m.resource, c.container.name, kubernetes.display(w), m.resource, c.path],
	)
}

violation contains {"msg": msg, "field": metric_field(m)} if {
	some m in utilization_metrics
	m.container != null
	some w in targets
	count(measured(m, w)) == 0
	msg := sprintf("%s: ContainerResource metric names container '%s', which %s does not have; name one of its containers", [kubernetes.display(hpa), m.container, kubernetes.display(w)])
}

violation contains {"msg": msg, "field": metric_field(m), "severity": "warning"} if {
	some m in utilization_metrics
	m.resource == "memory"
	msg := sprintf(
		"%s: scales on memory Utilization, which counts every container (the Istio sidecar too) and seldom falls after a scale-up, so the HPA rarely scales down; prefer ContainerResource cpu on the application container",
		[kubernetes.display(hpa)],
	)
}
