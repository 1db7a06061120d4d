# Helpers joining the platform add-ons (Argo CD Applications of pinned Helm charts, clusters/<env>)
# with the objects of the overlays: the Helm values an Application hands its chart, and the objects
# of the same environment. data.environment.resources holds what the run's other targets of the
# same environment rendered (overlays/dev sees clusters/dev and the reverse); it is empty when the
# run has only one of them, so a rule that joins both judges only what it can see.
package lib.platform

import rego.v1

import data.lib.argocd

default environment_resources := []

environment_resources := data.environment.resources if is_array(data.environment.resources)

# Every object of the target and of the rest of its environment.
all_resources := array.concat(data.target.resources, environment_resources)

# chart_sources(app) lists the Helm chart sources of an Application, each as
# {"chart": name, "source": s, "path": "spec.source", "values": valuesObject}.
chart_sources(app) := [{"chart": s.source.chart, "source": s.source, "path": s.path, "values": values} |
	some s in argocd.sources(app)
	argocd.is_helm_chart(s.source)
	values := object.get(s.source, ["helm", "valuesObject"], {})
]

# The Applications of a chart among all objects, as chart sources with the Application added.
chart_apps(chart) := [object.union(s, {"app": app}) |
	some app in all_resources
	app.kind == "Application"
	startswith(app.apiVersion, "argoproj.io/")
	some s in chart_sources(app)
	s.chart == chart
]

# The chart source of the Application under evaluation, when it deploys `chart`.
evaluated_chart(chart) := s if {
	app := argocd.application
	some s in chart_sources(app)
	s.chart == chart
}

# values_field(src, keys) is the field path of a Helm value of a chart source.
values_field(src, keys) := concat(".", array.concat([sprintf("%s.helm.valuesObject", [src.path])], keys))

# value(src, keys, default) is a Helm value set in valuesObject, else the chart's default.
value(src, keys, fallback) := object.get(src.values, keys, fallback)

# The sync wave of an object (annotation argocd.argoproj.io/sync-wave), 0 when unset.
default sync_wave(_) := 0

sync_wave(obj) := to_number(obj.metadata.annotations["argocd.argoproj.io/sync-wave"])
