# METADATA
# title: A cluster with a log backend collects container stdout on every node
# description: >-
#   When a target deploys a log backend (the loki chart), it also deploys a node-level log agent
#   that reads the container logs of every node (/var/log/pods) and ships them there: the
#   opentelemetry-collector chart in mode daemonset with presets.logsCollection.enabled, or one of
#   the charts fluent-bit, alloy, vector. OTLP from applications alone misses everything written to
#   stdout: Envoy access logs (meshConfig.accessLogFile /dev/stdout), nginx, Postgres, Redis, Falco.
# scope: package
# custom:
#   id: monitoring/node-log-collection
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "judges an Argo CD Application's chart values against the repository's other Applications, which the cluster does not hold"
#   rationale: >-
#     Logs nobody collects are lost when the kubelet rotates them or the pod moves; in an incident the
#     access logs and the database's own logs are the first thing asked for.
#   baseline: Kubernetes "Logging Architecture" (node logging agent); CIS Kubernetes 3.2 (logging); NIST SP 800-92
package rules.monitoring.node_log_collection

import rego.v1

import data.lib.argocd
import data.lib.platform

app := argocd.application

node_agent_charts := {"fluent-bit", "alloy", "vector"}

node_agent if {
	some chart in node_agent_charts
	count(platform.chart_apps(chart)) > 0
}

node_agent if {
	some s in platform.chart_apps("opentelemetry-collector")
	platform.value(s, ["mode"], "") == "daemonset"
	platform.value(s, ["presets", "logsCollection", "enabled"], false) == true
}

violation contains {"msg": msg, "field": "metadata.name"} if {
	some s in platform.chart_sources(app)
	s.chart == "loki"
	not node_agent
	msg := sprintf("%s: Loki receives only what is pushed over OTLP; no node-level agent (opentelemetry-collector daemonset with presets.logsCollection, fluent-bit, alloy, vector) collects container stdout, so Envoy access logs and the logs of nginx, Postgres, Redis and Falco are lost; add one", [argocd.display(app)])
}
