# METADATA
# title: Everything an Application deploys lands where its AppProject permits
# description: >-
#   In a cluster's whole state (clusters/<env>: the Applications' kustomize paths and rendered Helm
#   charts, each object annotated with gitops.funlynk.com/application), every namespaced object an
#   Application deploys is in a namespace its AppProject's destinations permit, and every
#   cluster-scoped object is of a kind the project's clusterResourceWhitelist lists. Reported on the
#   Application, whose source (chart values or path) or project must change.
# scope: package
# custom:
#   id: argocd/project-destinations
#   input: kubernetes
#   ci_only: "reads the whole cluster state the gate renders (chart objects annotated with the Application that deploys them), which admission of one object does not see"
#   severity: error
#   kinds: [Application]
#   rationale: >-
#     Argo CD checks every object of a sync against the project, not only the Application's
#     destination: a chart that writes into another namespace (a leader-election Role in
#     kube-system) or a cluster-scoped kind the project does not list makes the whole sync fail.
#   baseline: Argo CD "Projects" (destinations, clusterResourceWhitelist)
package rules.argocd.project_destinations

import rego.v1

import data.lib.argocd

app := argocd.application

app_key := sprintf("%s/%s", [object.get(app, ["metadata", "namespace"], ""), app.metadata.name])

project_name := argocd.project_name(app)

project := argocd.projects[project_name]

# Objects of the target that this Application deploys, with their index.
deployed contains [i, obj] if {
	some i, obj in data.target.resources
	object.get(obj, ["metadata", "annotations", "gitops.funlynk.com/application"], "") == app_key
}

# The field to point at: the chart of a chart-rendered object (its values decide), else the destination.
field_for(obj) := sprintf("%s.chart", [s.path]) if {
	chart := object.get(obj, ["metadata", "annotations", "gitops.funlynk.com/chart"], "")
	chart != ""
	some s in argocd.sources(app)
	argocd.is_helm_chart(s.source)
	startswith(chart, concat("", [s.source.chart, " "]))
} else := "spec.destination"

group_of(obj) := "" if {
	not contains(obj.apiVersion, "/")
} else := split(obj.apiVersion, "/")[0]

kind_permitted(obj) if {
	some w in object.get(project, ["spec", "clusterResourceWhitelist"], [])
	argocd.pattern_matches(object.get(w, "group", ""), group_of(obj))
	argocd.pattern_matches(object.get(w, "kind", ""), obj.kind)
}

violation contains {"msg": msg, "field": field_for(obj)} if {
	project
	some [_, obj] in deployed
	ns := object.get(obj, ["metadata", "namespace"], "")
	ns != ""
	dest := object.union(object.get(app, ["spec", "destination"], {}), {"namespace": ns})
	not argocd.destination_permitted(project, dest)
	msg := sprintf("%s: deploys %s/%s into namespace \"%s\", which AppProject \"%s\" does not permit, so Argo CD refuses the sync; configure the source to use a permitted namespace, or add the destination to the project", [argocd.display(app), obj.kind, obj.metadata.name, ns, project_name])
}

violation contains {"msg": msg, "field": field_for(obj)} if {
	project
	some [_, obj] in deployed
	object.get(obj, ["metadata", "namespace"], "") == ""
	not kind_permitted(obj)
	msg := sprintf("%s: deploys the cluster-scoped %s/%s, but AppProject \"%s\" does not list %s/%s in clusterResourceWhitelist, so Argo CD refuses the sync; add it there or leave it out of the source", [argocd.display(app), obj.kind, obj.metadata.name, project_name, group_of(obj), obj.kind])
}
