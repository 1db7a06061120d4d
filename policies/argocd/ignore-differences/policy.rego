# METADATA
# title: ignoreDifferences only for HPA-owned Deployment replicas
# description: >-
#   An Application may ignore differences only in /spec/replicas of a named Deployment (group apps)
#   whose replica count a HorizontalPodAutoscaler owns, with no jqPathExpressions and no
#   managedFieldsManagers; and with automated sync it sets RespectIgnoreDifferences=true so a sync
#   does not reset the count either.
# scope: package
# custom:
#   id: argocd/ignore-differences
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Every ignored difference is drift Argo CD no longer reports; a broad rule (all kinds, a whole
#     field tree) hides changes made by hand in the cluster.
#   baseline: 'Argo CD "Diffing Customization"; seed review #24'
package rules.argocd.ignore_differences

import rego.v1

import data.lib.argocd

app := argocd.application

entries := object.get(app, ["spec", "ignoreDifferences"], [])

violation contains {"msg": msg, "field": sprintf("spec.ignoreDifferences[%d]", [i])} if {
	some i, e in entries
	not hpa_replicas_entry(e)
	msg := sprintf("%s: ignoreDifferences[%d] (%s) is not limited to /spec/replicas of a named Deployment (group apps); only HPA-owned replicas may be ignored", [argocd.display(app), i, json.marshal(e)])
}

violation contains {"msg": msg, "field": "spec.syncPolicy.syncOptions"} if {
	count(entries) > 0
	argocd.automated(app)
	not "RespectIgnoreDifferences=true" in argocd.sync_options(app)
	msg := sprintf("%s: ignoreDifferences without syncOption RespectIgnoreDifferences=true: every sync still resets the ignored replicas; add it", [argocd.display(app)])
}

hpa_replicas_entry(e) if {
	object.get(e, "group", "") == "apps"
	e.kind == "Deployment"
	is_string(e.name)
	e.name != ""
	e.jsonPointers == ["/spec/replicas"]
	count(object.get(e, "jqPathExpressions", [])) == 0
	count(object.get(e, "managedFieldsManagers", [])) == 0
}
