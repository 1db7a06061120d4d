# METADATA
# title: ignoreDifferences hides only replicas an HPA owns
# description: >-
#   A Deployment named in an Application's ignoreDifferences is scaled by a HorizontalPodAutoscaler in
#   the overlay the Application deploys (checked when that overlay is rendered in the same run).
# scope: package
# custom:
#   id: argocd/ignore-differences-not-hpa
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Ignoring the replicas of a Deployment no HPA scales hides manual scaling from Argo CD: drift that
#     self-heal never repairs and review never sees.
#   baseline: Argo CD "Diffing Customization" with HPA-managed replicas
package rules.argocd.ignore_differences_not_hpa

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "field": sprintf("spec.ignoreDifferences[%d]", [i])} if {
	app := argocd.application
	argocd.entry
	some d in argocd.deployed(app)
	scaled := data.repository.hpa[d.facts.path]
	some i, e in object.get(app, ["spec", "ignoreDifferences"], [])
	e.kind == "Deployment"
	is_string(e.name)
	ns := namespace_of(app, e)
	not scaled_by_hpa(scaled, concat("/", [ns, e.name]))
	msg := sprintf("%s: ignores the replicas of Deployment %s/%s, but no HorizontalPodAutoscaler in %s scales it; remove the entry (Argo CD would hide manual scaling)", [argocd.display(app), ns, e.name, d.facts.path])
}

scaled_by_hpa(scaled, key) if {
	some s in scaled
	s == key
}

namespace_of(_, e) := e.namespace if {
	is_string(e.namespace)
	e.namespace != ""
} else := ns if {
	ns := app_namespace
	ns != ""
} else := ""

app_namespace := object.get(argocd.application, ["spec", "destination", "namespace"], "")
