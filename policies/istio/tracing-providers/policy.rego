# METADATA
# title: Every tracing provider a Telemetry names is defined in istiod's mesh config
# description: >-
#   Each provider name in a Telemetry's spec.tracing[].providers (and meshConfig.defaultProviders.tracing)
#   is one of the meshConfig.extensionProviders of the istiod chart's Helm values. Checked on the
#   istiod Application, against the Telemetry objects of the same environment that the run rendered
#   (clusters/<env> with overlays/<env>).
# scope: package
# custom:
#   id: istio/tracing-providers
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "judges an Argo CD Application's chart values against the repository's other Applications, which the cluster does not hold"
#   rationale: >-
#     istiod looks a Telemetry's provider up in meshConfig.extensionProviders and, when it is not
#     there, turns tracing off for the workloads it selects: no error, no spans.
#   baseline: Istio "Telemetry API" (extension providers); istio 1.29.2 pilot/pkg/model/telemetry.go
package rules.istio.tracing_providers

import rego.v1

import data.lib.argocd
import data.lib.platform

src := platform.evaluated_chart("istiod")

mesh := platform.value(src, ["meshConfig"], {})

defined contains p.name if some p in object.get(mesh, "extensionProviders", [])

# name -> the objects that use it
used[name] contains sprintf("Telemetry %s/%s", [t.metadata.namespace, t.metadata.name]) if {
	some t in platform.all_resources
	t.kind == "Telemetry"
	startswith(t.apiVersion, "telemetry.istio.io/")
	some tr in object.get(t, ["spec", "tracing"], [])
	some p in object.get(tr, "providers", [])
	name := p.name
}

used[name] contains "meshConfig.defaultProviders.tracing" if {
	some name in object.get(mesh, ["defaultProviders", "tracing"], [])
}

violation contains {"msg": msg, "field": platform.values_field(src, ["meshConfig", "extensionProviders"])} if {
	some name, users in used
	not name in defined
	msg := sprintf("%s: tracing provider '%s' (named by %s) is not among meshConfig.extensionProviders (defined: %s), so istiod turns tracing off; define it there (e.g. opentelemetry to the collector's OTLP port)", [argocd.display(argocd.application), name, concat(", ", sort(users)), shown(defined)])
}

shown(names) := "none" if count(names) == 0

shown(names) := concat(", ", sort(names)) if count(names) > 0
