# METADATA
# title: AppProjects grant least privilege
# description: >-
#   An AppProject names its source repositories, destination servers and namespaces exactly (no "*"),
#   and never whitelists every cluster-scoped kind (group or kind "*").
# scope: package
# custom:
#   id: argocd/appproject-least-privilege
#   input: kubernetes
#   severity: error
#   kinds: [AppProject]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     A project is the boundary Argo CD enforces between teams and add-ons; a wildcard turns it into
#     the "default" project, so one compromised chart or repository could deploy anything anywhere.
#   baseline: Argo CD "Projects"; CIS 5.1.3 (no wildcards)
package rules.argocd.appproject_least_privilege

import rego.v1

import data.lib.argocd

project := argocd.appproject

violation contains {"msg": msg, "field": sprintf("spec.sourceRepos[%d]", [i])} if {
	some i, repo in object.get(project, ["spec", "sourceRepos"], [])
	contains(repo, "*")
	msg := sprintf("%s: sourceRepos[%d] is \"%s\"; list the exact repositories", [argocd.display(project), i, repo])
}

violation contains {"msg": msg, "field": sprintf("spec.destinations[%d].%s", [i, key])} if {
	some i, d in object.get(project, ["spec", "destinations"], [])
	some key in ["server", "name", "namespace"]
	contains(object.get(d, key, ""), "*")
	msg := sprintf("%s: destinations[%d].%s is \"%s\"; list the exact clusters and namespaces", [argocd.display(project), i, key, d[key]])
}

violation contains {"msg": msg, "field": sprintf("spec.clusterResourceWhitelist[%d]", [i])} if {
	some i, entry in object.get(project, ["spec", "clusterResourceWhitelist"], [])
	some key in ["group", "kind"]
	object.get(entry, key, "") == "*"
	msg := sprintf("%s: clusterResourceWhitelist[%d] allows every cluster-scoped %s; list the kinds the project needs", [argocd.display(project), i, key])
}
