# METADATA
# title: Applications stay inside their AppProject
# description: >-
#   An Application names an AppProject other than "default" that is rendered in the same target, and
#   that project permits every source repository of the Application and its destination (cluster and
#   namespace). Checked only in targets that contain AppProjects (clusters/<env> renders each
#   Application with its projects).
# scope: package
# custom:
#   id: argocd/project-permits
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Argo CD refuses to sync an Application its project does not permit; catching it before merge
#     keeps a cluster from stalling on a typo. The "default" project permits everything, so using it
#     bypasses least privilege.
#   baseline: Argo CD "Projects" (least privilege); CIS 5.1 spirit
package rules.argocd.project_permits

import rego.v1

import data.lib.argocd

app := argocd.application

project_name := argocd.project_name(app)

project := argocd.projects[project_name]

violation contains {"msg": msg, "field": "spec.project"} if {
	project_name == "default"
	msg := sprintf("%s: uses the AppProject \"default\", which permits every repository, cluster and kind; name a least-privilege project", [argocd.display(app)])
}

violation contains {"msg": msg, "field": "spec.project"} if {
	project_name != "default"
	count(argocd.projects) > 0
	not argocd.projects[project_name]
	msg := sprintf("%s: AppProject \"%s\" is not defined in this target (defined: %s)", [argocd.display(app), project_name, concat(", ", sort({name | some name, _ in argocd.projects}))])
}

violation contains {"msg": msg, "field": sprintf("%s.repoURL", [s.path])} if {
	some s in argocd.sources(app)
	url := object.get(s.source, "repoURL", "")
	not argocd.repo_permitted(project, url)
	msg := sprintf("%s: source repository \"%s\" is not in sourceRepos of AppProject \"%s\"; add it there or use another project", [argocd.display(app), url, project_name])
}

violation contains {"msg": msg, "field": "spec.destination"} if {
	project
	dest := object.get(app, ["spec", "destination"], {})
	not argocd.destination_permitted(project, dest)
	msg := sprintf("%s: destination %s namespace \"%s\" is not among the destinations of AppProject \"%s\"", [argocd.display(app), cluster_display(dest), object.get(dest, "namespace", ""), project_name])
}

cluster_display(dest) := sprintf("server %s", [dest.server]) if is_string(dest.server)

else := sprintf("cluster %s", [dest.name]) if is_string(dest.name)

else := "(no cluster)"
