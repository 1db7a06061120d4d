# METADATA
# title: Alerts reach a receiver and Prometheus keeps its data on a volume
# description: >-
#   For the kube-prometheus-stack chart (Helm values of its Application): while Alertmanager is
#   enabled, alertmanager.config.route.receiver names a receiver other than the chart's default
#   'null' that has at least one notifier (*_configs); and prometheus.prometheusSpec.storageSpec is
#   set (a volumeClaimTemplate), since the chart's default {} keeps the TSDB in an emptyDir.
# scope: package
# custom:
#   id: monitoring/alerting-and-storage
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "judges an Argo CD Application's chart values against the repository's other Applications, which the cluster does not hold"
#   rationale: >-
#     With the 'null' receiver every alert of the PrometheusRules fires into nothing; without a
#     volume the metrics history, and with it every rate() after a restart, dies with the pod.
#   baseline: kube-prometheus-stack 83.6.0 values.yaml (alertmanager.config, prometheusSpec.storageSpec); Google SRE "Monitoring distributed systems"
package rules.monitoring.alerting_and_storage

import rego.v1

import data.lib.argocd
import data.lib.platform

src := platform.evaluated_chart("kube-prometheus-stack")

display := argocd.display(argocd.application)

receiver := platform.value(src, ["alertmanager", "config", "route", "receiver"], "null")

alertmanager_enabled if platform.value(src, ["alertmanager", "enabled"], true) != false

receivers := platform.value(src, ["alertmanager", "config", "receivers"], [{"name": "null"}])

notifies(r) if {
	some key, v in r
	endswith(key, "_configs")
	is_array(v)
	count(v) > 0
}

violation contains {"msg": msg, "field": platform.values_field(src, ["alertmanager", "config", "route", "receiver"])} if {
	alertmanager_enabled
	receiver == "null"
	msg := sprintf("%s: Alertmanager routes every alert to the receiver 'null' (the chart's default), so alerts reach nobody; route them to a receiver with a notifier (slack_configs, pagerduty_configs, ...)", [display])
}

violation contains {"msg": msg, "field": platform.values_field(src, ["alertmanager", "config", "route", "receiver"])} if {
	alertmanager_enabled
	receiver != "null"
	not receiver_notifies
	msg := sprintf("%s: Alertmanager's route receiver '%s' is not among alertmanager.config.receivers with a notifier (*_configs); alerts routed there reach nobody", [display, receiver])
}

receiver_notifies if {
	some r in receivers
	r.name == receiver
	notifies(r)
}

violation contains {"msg": msg, "field": platform.values_field(src, ["prometheus", "prometheusSpec", "storageSpec"])} if {
	storage := platform.value(src, ["prometheus", "prometheusSpec", "storageSpec"], {})
	not storage.volumeClaimTemplate
	msg := sprintf("%s: prometheus.prometheusSpec.storageSpec sets no volumeClaimTemplate, so Prometheus keeps its TSDB in an emptyDir and loses every metric with the pod; give it a PersistentVolumeClaim", [display])
}
