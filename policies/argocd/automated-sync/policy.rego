# METADATA
# title: Applications sync automatically with prune and self-heal
# description: >-
#   Outside prod every Application has automated sync with prune and selfHeal both true. In prod
#   automated sync is allowed only with prune and selfHeal and only when its AppProject (in the same
#   target) defines sync windows; a prod Application without automated sync is synced by hand.
#   An Application whose project is not in the target is checked for prune and selfHeal only.
# scope: package
# custom:
#   id: argocd/automated-sync
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Without prune a resource deleted from git keeps running; without selfHeal a manual change in the
#     cluster persists, so the cluster is no longer what the repository says. In prod changes land
#     only inside agreed windows (docs/change-flow.md).
#   baseline: OpenGitOps principles (continuously reconciled); Argo CD "Automated Sync Policy"
package rules.argocd.automated_sync

import rego.v1

import data.lib.argocd

app := argocd.application

prod if data.target.env == "prod"

violation contains {"msg": msg, "field": "spec.syncPolicy.automated"} if {
	app
	not prod
	not argocd.automated(app)
	msg := sprintf("%s: no automated sync in %s; set spec.syncPolicy.automated with prune: true and selfHeal: true", [argocd.display(app), env_display])
}

violation contains {"msg": msg, "field": sprintf("spec.syncPolicy.automated.%s", [flag])} if {
	auto := argocd.automated(app)
	some flag in ["prune", "selfHeal"]
	object.get(auto, flag, false) != true
	msg := sprintf("%s: automated sync without %s: true; set it (found %v)", [argocd.display(app), flag, object.get(auto, flag, "unset")])
}

violation contains {"msg": msg, "field": "spec.syncPolicy.automated"} if {
	prod
	argocd.automated(app)
	project := argocd.projects[argocd.project_name(app)]
	count(object.get(project, ["spec", "syncWindows"], [])) == 0
	msg := sprintf("%s: automated sync in prod but AppProject \"%s\" has no syncWindows; add the change window or sync by hand", [argocd.display(app), argocd.project_name(app)])
}

env_display := sprintf("environment %s", [data.target.env]) if is_string(data.target.env)

else := "a target without environment"
