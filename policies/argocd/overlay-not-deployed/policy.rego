# METADATA
# title: Every overlay is deployed by an Application
# description: >-
#   Each overlay but local is deployed by an Application (checked on whole-repository runs, when the
#   clusters are rendered); the finding points at the overlay's kustomization.
# scope: package
# custom:
#   id: argocd/overlay-not-deployed
#   input: repository
#   severity: error
#   kinds: [Kustomization]
#   rationale: >-
#     An overlay no Application deploys is validated and reviewed, yet never reaches a cluster: changes
#     merge and nothing happens.
#   baseline: Repository layout (one Application per overlay, in apps/<env>)
package rules.argocd.overlay_not_deployed

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "file": overlay.file, "target": overlay.path} if {
	input.kind == "repository"
	data.repository.complete
	some overlay in data.repository.overlays
	not argocd.deployed_by_any(overlay.path)
	msg := sprintf("%s is deployed by no Application; add one to apps/%s (rendered by clusters/%s)", [overlay.path, overlay.env, overlay.env])
}
