# Pods the target does not declare as workloads but that exist once it is applied: the pods
# operators create from custom resources, and the resources whose pods the gate cannot render.
# Selector rules use these so a selector of such pods is not reported as matching nothing.
package lib.created

import rego.v1

import data.lib.kubernetes

resources := kubernetes.target_resources

# prometheus-operator's pod-creating kinds and the app.kubernetes.io/name of their pods
# (labels the operator sets on the StatefulSet's pods, beside spec.podMetadata.labels).
prometheus_operator_kinds := {"Prometheus": "prometheus", "Alertmanager": "alertmanager"}

# pods: {"owner": object, "labels": labels} of pods an operator creates from an object of the target.
pods contains {"owner": o, "labels": labels} if {
	some o in resources
	name := prometheus_operator_kinds[o.kind]
	startswith(o.apiVersion, "monitoring.coreos.com/")
	labels := object.union(
		{
			"app.kubernetes.io/name": name,
			"app.kubernetes.io/instance": o.metadata.name,
			"app.kubernetes.io/managed-by": "prometheus-operator",
			name: o.metadata.name,
		},
		object.get(o, ["spec", "podMetadata", "labels"], {}),
	)
}

# selected(selector, ns): owners of operator pods in ns that a LabelSelector matches.
selected(selector, ns) := [p.owner |
	some p in pods
	kubernetes.namespace_of(p.owner) == ns
	kubernetes.selector_matches(selector, p.labels)
]

# map_selected(selector, ns): the same for a plain map selector (Service).
map_selected(selector, ns) := [p.owner |
	some p in pods
	kubernetes.namespace_of(p.owner) == ns
	kubernetes.map_selector_matches(selector, p.labels)
]

# Kinds whose pods come from content the gate does not render: an operator's own logic, or a
# Helm chart / Git source applied by Flux or Argo CD.
operator_kinds := {"Prometheus", "Alertmanager", "ThanosRuler", "PrometheusAgent"}

# unrenderable(ns): objects of the target that create pods in ns the gate cannot see.
unrenderable(ns) := {o | some o in resources; creates_pods_in(o, ns)}

creates_pods_in(o, ns) if {
	o.kind in operator_kinds
	startswith(o.apiVersion, "monitoring.coreos.com/")
	kubernetes.namespace_of(o) == ns
}

creates_pods_in(o, ns) if {
	o.kind == "HelmRelease"
	startswith(o.apiVersion, "helm.toolkit.fluxcd.io/")
	object.get(o, ["spec", "targetNamespace"], kubernetes.namespace_of(o)) == ns
}

creates_pods_in(o, ns) if {
	o.kind == "Application"
	startswith(o.apiVersion, "argoproj.io/")
	object.get(o, ["spec", "destination", "namespace"], "") == ns
}

# unrenderable_display(ns): those objects for messages ("HelmRelease/redis, Prometheus/main").
unrenderable_display(ns) := concat(", ", sort([kubernetes.display(o) | some o in unrenderable(ns)]))
