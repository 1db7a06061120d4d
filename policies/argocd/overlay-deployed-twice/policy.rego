# METADATA
# title: Each overlay is deployed by one Application only
# description: >-
#   No two Applications deploy the same overlay (checked on whole-repository runs, when the clusters
#   are rendered).
# scope: package
# custom:
#   id: argocd/overlay-deployed-twice
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Two Applications over the same objects fight: each sync undoes the other, and pruning one deletes
#     what the other deploys.
#   baseline: Argo CD "App of Apps"; one owner per resource
package rules.argocd.overlay_deployed_twice

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "field": d.field, "related": related} if {
	data.repository.complete
	app := argocd.application
	me := argocd.entry
	some d in argocd.deployed(app)
	some overlay in data.repository.overlays
	overlay.path == d.facts.path
	others := [{"name": o.name, "target": o.target, "index": o.index, "field": od.field} |
		some o in data.repository.applications
		o != me
		some od in argocd.deployed(o.resource)
		od.facts.path == overlay.path
	]
	count(others) > 0
	names := [sprintf("Application/%s", [o.name]) | some o in others]
	related := [{"target": o.target, "index": o.index, "field": o.field, "message": sprintf("also deploys %s", [overlay.path])} | some o in others]
	msg := sprintf("%s: %s is also deployed by %s; two Applications fight over the same objects, keep one", [argocd.display(app), overlay.path, concat(", ", names)])
}
