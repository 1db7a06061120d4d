# METADATA
# title: Helm value files read from this repository exist
# description: >-
#   Every helm.valueFiles entry of the form $<ref>/<path>, where <ref> names a source of this
#   repository, points at a file that exists.
# scope: package
# custom:
#   id: argocd/values-file-missing
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Argo CD fails the whole sync when a value file is missing, so a renamed or deleted values.yaml
#     breaks the chart's deployment only once it reaches the cluster.
#   baseline: Argo CD "Helm value files from external Git repository" (multiple sources)
package rules.argocd.values_file_missing

import rego.v1

import data.lib.argocd

violation contains {"msg": msg, "field": sprintf("%s.helm.valueFiles[%d]", [s.path, i])} if {
	app := argocd.application
	argocd.entry
	some s in argocd.sources(app)
	some i, vf in object.get(s.source, ["helm", "valueFiles"], [])
	is_string(vf)
	startswith(vf, "$")
	parts := split(substring(vf, 1, -1), "/")
	count(parts) > 1
	ref := parts[0]
	ref != ""
	file := concat("/", array.slice(parts, 1, count(parts)))
	some r in argocd.sources(app)
	object.get(r.source, "ref", "") == ref
	argocd.is_own_repo(object.get(r.source, "repoURL", ""))
	not data.repository.paths[file].exists
	msg := sprintf("%s: Helm value file '%s' (from $%s) does not exist in this repository", [argocd.display(app), file, ref])
}
