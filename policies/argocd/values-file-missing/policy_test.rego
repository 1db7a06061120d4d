package rules.argocd.values_file_missing_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.values_file_missing

v(files, paths) := x if {
	a := t.application("argocd", {"sources": [
		{"repoURL": "https://argoproj.github.io/argo-helm", "chart": "argo-cd", "targetRevision": "9.4.17", "helm": {"valueFiles": files}},
		{"repoURL": t.own_repo, "targetRevision": "main", "ref": "values"},
	]})
	x := values_file_missing.violation with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as t.facts([a], paths)
		with data.config.argocd.repoUrls as [t.own_repo]
}

present := {"path": "clusters/dev/argocd/values.yaml", "exists": true, "directory": false, "kustomization": false}

missing := {"path": "clusters/dev/argocd/missing.yaml", "exists": false, "directory": false, "kustomization": false}

test_existing_file_allowed if {
	count(v(["$values/clusters/dev/argocd/values.yaml"], {"clusters/dev/argocd/values.yaml": present})) == 0
}

test_missing_file_denied if {
	v(["$values/clusters/dev/argocd/values.yaml", "$values/clusters/dev/argocd/missing.yaml"], {"clusters/dev/argocd/values.yaml": present, "clusters/dev/argocd/missing.yaml": missing}) == {{
		"msg": "Application/argocd: Helm value file 'clusters/dev/argocd/missing.yaml' (from $values) does not exist in this repository",
		"field": "spec.sources[0].helm.valueFiles[1]",
	}}
}

test_files_of_the_chart_and_unknown_refs_ignored if {
	count(v(["values-prod.yaml", "$other/x.yaml", "$values"], {})) == 0
}
