# METADATA
# title: Dashboard ConfigMaps hold a Grafana dashboard model the sidecar loads
# description: >-
#   A ConfigMap data key ending in .json that holds a dashboard (the ConfigMap has the
#   grafana_dashboard label, or the JSON has "panels" or a "dashboard" wrapper) must be valid JSON,
#   must be the dashboard model itself, not the HTTP API's {"dashboard": ...} envelope, and its
#   ConfigMap must carry the grafana_dashboard label the Grafana sidecar watches.
# scope: package
# custom:
#   id: monitoring/grafana-dashboard
#   input: kubernetes
#   severity: error
#   kinds: [ConfigMap]
#   rationale: >-
#     Grafana's provisioning reads the dashboard model from files; the HTTP API's envelope
#     (an object whose only key is "dashboard") provisions an empty dashboard, and a ConfigMap
#     without the label is never picked up.
#   baseline: 'Grafana provisioning docs and the kiwigrid k8s-sidecar label convention; seed review #34'
package rules.monitoring.grafana_dashboard

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

cm := kubernetes.resource if kubernetes.resource.kind == "ConfigMap"

violation contains {"msg": msg, "field": "data"} if {
	some d in wiring.dashboard_documents(cm)
	not d.json
	msg := sprintf("%s: data key %s is not valid JSON; fix the dashboard file", [kubernetes.display(cm), d.key])
}

violation contains {"msg": msg, "field": "data"} if {
	some d in wiring.dashboard_documents(cm)
	is_object(d.json.dashboard)
	not d.json.panels
	msg := sprintf(
		"%s: data key %s wraps the dashboard in {\"dashboard\": ...}, the HTTP API envelope; file provisioning expects the dashboard model itself, so put the object's content at the top level",
		[kubernetes.display(cm), d.key],
	)
}

violation contains {"msg": msg, "field": "metadata.labels", "severity": "warning"} if {
	count(wiring.dashboard_documents(cm)) > 0
	not wiring.dashboard_labelled(cm)
	msg := sprintf(
		"%s: holds a Grafana dashboard but has no grafana_dashboard label, so the Grafana sidecar never loads it; add label grafana_dashboard: \"1\"",
		[kubernetes.display(cm)],
	)
}
