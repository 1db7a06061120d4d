# METADATA
# title: Charts come from their maintained home
# description: >-
#   A Helm chart source does not name a repository its chart has left: Grafana's loki and tempo
#   charts moved from https://grafana.github.io/helm-charts to the community-maintained
#   https://grafana-community.github.io/helm-charts in 2026 (loki from 6.56.0, tempo from 1.x). The
#   old repository gets no new versions, so no fixes either.
# scope: package
# custom:
#   id: argocd/chart-moved
#   input: kubernetes
#   severity: warning
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     A chart pinned in a repository that no longer publishes it quietly stops receiving security
#     fixes, and Renovate proposes no upgrade either.
#   baseline: grafana-community/helm-charts README and charts/loki, charts/tempo (2026); SLSA "maintained dependencies"
package rules.argocd.chart_moved

import rego.v1

import data.lib.argocd

app := argocd.application

# repository -> chart -> its new repository
moved := {"https://grafana.github.io/helm-charts": {
	"loki": "https://grafana-community.github.io/helm-charts",
	"tempo": "https://grafana-community.github.io/helm-charts",
}}

violation contains {"msg": msg, "field": sprintf("%s.repoURL", [s.path])} if {
	some s in argocd.sources(app)
	argocd.is_helm_chart(s.source)
	some repo, charts in moved
	argocd.normalize_url(s.source.repoURL) == argocd.normalize_url(repo)
	to := charts[s.source.chart]
	msg := sprintf("%s: chart %s is no longer published at %s; it moved to %s (pin a version released there)", [argocd.display(app), s.source.chart, repo, to])
}
