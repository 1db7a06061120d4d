# METADATA
# title: Applications carry the resources finalizer
# description: >-
#   Every Application has the finalizer resources-finalizer.argocd.argoproj.io (or its /background or
#   /foreground form), so deleting the Application deletes what it deployed.
# scope: package
# custom:
#   id: argocd/resources-finalizer
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Without it, removing an Application (or an app of apps entry) orphans its workloads: they keep
#     running unmanaged, invisible to Argo CD and never updated again.
#   baseline: Argo CD "App Deletion" / app of apps cascading deletion
package rules.argocd.resources_finalizer

import rego.v1

import data.lib.argocd

app := argocd.application

has_finalizer if {
	some f in object.get(app, ["metadata", "finalizers"], [])
	startswith(f, "resources-finalizer.argocd.argoproj.io")
}

violation contains {"msg": msg, "field": "metadata.finalizers"} if {
	app
	not has_finalizer
	msg := sprintf("%s: no resources-finalizer.argocd.argoproj.io finalizer, so deleting it orphans what it deployed; add it to metadata.finalizers", [argocd.display(app)])
}
