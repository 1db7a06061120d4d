# METADATA
# title: Grafana's admin credentials come from an existing Secret
# description: >-
#   For the kube-prometheus-stack chart with Grafana enabled, grafana.admin.existingSecret names a
#   Secret (made by an ExternalSecret) and grafana.adminPassword is not set. Without either, the
#   grafana chart generates a random password at render time, keeping the old one only through
#   Helm's lookup, which Argo CD's rendering does not perform.
# scope: package
# custom:
#   id: monitoring/grafana-admin-secret
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "judges an Argo CD Application's chart values against the repository's other Applications, which the cluster does not hold"
#   rationale: >-
#     A password regenerated on every render keeps the Application OutOfSync and rotates the admin
#     login at each sync; a literal password in Helm values is a secret committed to git.
#   baseline: grafana chart 11.6.1 (grafana-community/helm-charts) templates/_helpers.tpl; CIS Kubernetes 5.4.1
package rules.monitoring.grafana_admin_secret

import rego.v1

import data.lib.argocd
import data.lib.platform

src := platform.evaluated_chart("kube-prometheus-stack")

display := argocd.display(argocd.application)

enabled if platform.value(src, ["grafana", "enabled"], true) != false

violation contains {"msg": msg, "field": platform.values_field(src, ["grafana", "admin", "existingSecret"])} if {
	enabled
	platform.value(src, ["grafana", "adminPassword"], null) == null
	platform.value(src, ["grafana", "admin", "existingSecret"], "") == ""
	msg := sprintf("%s: grafana.admin.existingSecret is not set, so the grafana chart generates a new admin password at every render (Argo CD performs no Helm lookup) and the Application never settles; name a Secret made by an ExternalSecret", [display])
}

violation contains {"msg": msg, "field": platform.values_field(src, ["grafana", "adminPassword"])} if {
	enabled
	platform.value(src, ["grafana", "adminPassword"], null) != null
	msg := sprintf("%s: grafana.adminPassword is a password committed to git; remove it and set grafana.admin.existingSecret to a Secret made by an ExternalSecret", [display])
}
