# METADATA
# title: Resource-based autoscaling has a metrics server in its cluster
# description: >-
#   A HorizontalPodAutoscaler with Resource or ContainerResource metrics reads them from the
#   metrics.k8s.io API, which only a metrics server provides. When the run shows the environment's
#   platform add-ons (Argo CD Applications of Helm charts, clusters/<env>), one of them deploys the
#   metrics-server chart.
#   Managed clusters that ship one are declared by an Application all the same, or the rule is waived
#   for that cluster.
# scope: package
# custom:
#   id: k8s/hpa-metrics-server
#   input: kubernetes
#   severity: error
#   kinds: [HorizontalPodAutoscaler]
#   ci_only: "needs repository facts: whether the cluster's Applications install a metrics server"
#   rationale: >-
#     Without metrics.k8s.io the HPA reports FailedGetResourceMetric and never scales: the
#     replicas stay at the minimum under any load, and nothing in the manifests looks wrong.
#   baseline: Kubernetes "Horizontal Pod Autoscaling" (Resource metrics API); kubernetes-sigs/metrics-server
package rules.k8s.hpa_metrics_server

import rego.v1

import data.lib.platform

hpa := input.resource if {
	input.kind == "kubernetes"
	input.resource.kind == "HorizontalPodAutoscaler"
}

resource_metrics := [i |
	some i, m in object.get(hpa, ["spec", "metrics"], [])
	m.type in {"Resource", "ContainerResource"}
]

# The cluster's add-ons are in view: some Application of the environment deploys a Helm chart.
cluster_visible if {
	some a in platform.all_resources
	a.kind == "Application"
	startswith(a.apiVersion, "argoproj.io/")
	count(platform.chart_sources(a)) > 0
}

violation contains {"msg": msg, "field": sprintf("spec.metrics[%d]", [resource_metrics[0]])} if {
	count(resource_metrics) > 0
	cluster_visible
	count(platform.chart_apps("metrics-server")) == 0
	msg := sprintf("HorizontalPodAutoscaler/%s: scales on resource metrics (metrics.k8s.io), but no Application of this environment's cluster deploys metrics-server, so it never scales; add the metrics-server chart to clusters/<env>/addons", [hpa.metadata.name])
}
