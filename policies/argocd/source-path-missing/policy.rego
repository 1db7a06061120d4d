# METADATA
# title: Application source paths exist and can be rendered
# description: >-
#   A source of this repository deploys a path that exists and is a kustomization root, or a plain
#   folder the source declares as directory:.
# scope: package
# custom:
#   id: argocd/source-path-missing
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     A missing path makes Argo CD fail to generate manifests; a plain folder without directory: makes
#     it guess the tool. Either way the Application never deploys what review approved.
#   baseline: Argo CD "Tool Detection"; this repository deploys kustomization roots
package rules.argocd.source_path_missing

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "field": d.field} if {
	app := argocd.application
	argocd.entry
	some d in argocd.deployments(app)
	not d.facts.directory
	msg := sprintf("%s: source path '%s' does not exist in this repository; Argo CD would fail to generate manifests", [argocd.display(app), object.get(d.source, "path", "")])
}

violation contains {"msg": msg, "field": d.field} if {
	app := argocd.application
	argocd.entry
	some d in argocd.deployments(app)
	d.facts.directory
	not argocd.renderable(d)
	msg := sprintf("%s: source path '%s' is not a kustomization root (no kustomization.yaml) and the source declares no directory:; point it at an overlay, add a kustomization, or declare a directory source", [argocd.display(app), d.facts.path])
}
