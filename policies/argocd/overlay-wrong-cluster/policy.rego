# METADATA
# title: An overlay is deployed from its own cluster
# description: >-
#   The Application deploying overlays/<env> is rendered by clusters/<env> (checked on
#   whole-repository runs, when the clusters are rendered).
# scope: package
# custom:
#   id: argocd/overlay-wrong-cluster
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     An overlay deployed from another cluster's Argo CD lands in the wrong cluster, or is deployed by a
#     control plane whose promotion rules (sync windows, manual prod sync) are not the environment's.
#   baseline: Repository layout (apps/<env> rendered by clusters/<env>)
package rules.argocd.overlay_wrong_cluster

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "field": d.field} if {
	data.repository.complete
	app := argocd.application
	me := argocd.entry
	some d in argocd.deployed(app)
	some overlay in data.repository.overlays
	overlay.path == d.facts.path
	not rendered_in(me, overlay.env)
	msg := sprintf("%s: deploys %s but is rendered in %s, not clusters/%s; move it to apps/%s", [argocd.display(app), overlay.path, concat(", ", me.targets), overlay.env, overlay.env])
}

rendered_in(me, env) if {
	some c in me.clusters
	c == env
}
