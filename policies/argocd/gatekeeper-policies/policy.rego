# METADATA
# title: Gatekeeper is installed with its policies
# description: >-
#   A target that deploys the gatekeeper chart also has the Application named gatekeeper-policies,
#   which syncs the ConstraintTemplates and Constraints generated from this repository's Rego (a
#   path of this repository) at a later sync wave than the gatekeeper Application, once the
#   chart's CRDs and webhook exist.
# scope: package
# custom:
#   id: argocd/gatekeeper-policies
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Gatekeeper without ConstraintTemplates and Constraints admits everything: an admission
#     controller that looks like a control and is none.
#   baseline: OPA Gatekeeper "Constraint Templates"; NSA/CISA Kubernetes Hardening Guide (admission control)
package rules.argocd.gatekeeper_policies

import rego.v1

import data.lib.argocd
import data.lib.platform

app := argocd.application

policies_name := "gatekeeper-policies"

gatekeeper_apps := [s.app | some s in platform.chart_apps("gatekeeper")]

policies_apps := [a |
	some a in data.target.resources
	a.kind == "Application"
	startswith(a.apiVersion, "argoproj.io/")
	a.metadata.name == policies_name
]

wave_field := sprintf("metadata.annotations%s", ["[\"argocd.argoproj.io/sync-wave\"]"])

# On the gatekeeper Application: no policies Application at all.
violation contains {"msg": msg, "field": "metadata.name"} if {
	some s in platform.chart_sources(app)
	s.chart == "gatekeeper"
	count(policies_apps) == 0
	msg := sprintf("%s: installs Gatekeeper, but no Application %s syncs its ConstraintTemplates and Constraints, so it admits everything; add one (a path of this repository, a later sync wave)", [argocd.display(app), policies_name])
}

# On the policies Application: it must sync after every gatekeeper Application.
violation contains {"msg": msg, "field": wave_field} if {
	app.metadata.name == policies_name
	some g in gatekeeper_apps
	platform.sync_wave(app) <= platform.sync_wave(g)
	msg := sprintf("%s: sync wave %d is not after Application/%s (wave %d), whose chart creates the ConstraintTemplate CRD and the webhook; raise it", [argocd.display(app), platform.sync_wave(app), g.metadata.name, platform.sync_wave(g)])
}

# On the policies Application: its source is the generated policies in this repository.
violation contains {"msg": msg, "field": "spec.source"} if {
	app.metadata.name == policies_name
	count(gatekeeper_apps) > 0
	not own_path_source(app)
	msg := sprintf("%s: has no source path in this repository; it must sync the ConstraintTemplates and Constraints generated from policies/", [argocd.display(app)])
}

own_path_source(a) if {
	some s in argocd.sources(a)
	argocd.is_own_repo(object.get(s.source, "repoURL", ""))
	is_string(s.source.path)
}
