package rules.argocd.source_path_missing_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.source_path_missing

v(source, paths) := x if {
	a := t.application("web", {"source": source})
	x := source_path_missing.violation with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as t.facts([a], paths)
		with data.config.argocd.repoUrls as [t.own_repo]
}

test_kustomization_root_allowed if {
	count(v({"repoURL": t.own_repo, "path": "overlays/dev"}, {"overlays/dev": t.path_facts("overlays/dev")})) == 0
}

test_plain_folder_with_directory_allowed if {
	facts := {"path": "apps/x", "exists": true, "directory": true, "kustomization": false}
	count(v({"repoURL": t.own_repo, "path": "apps/x", "directory": {"recurse": true}}, {"apps/x": facts})) == 0
}

test_missing_path_denied if {
	v({"repoURL": t.own_repo, "path": "overlays/gone"}, {}) == {{
		"msg": "Application/web: source path 'overlays/gone' does not exist in this repository; Argo CD would fail to generate manifests",
		"field": "spec.source.path",
	}}
}

test_plain_folder_without_directory_denied if {
	facts := {"path": "apps/x", "exists": true, "directory": true, "kustomization": false}
	some x in v({"repoURL": t.own_repo, "path": "./apps/x/"}, {"./apps/x/": facts})
	contains(x.msg, "source path 'apps/x' is not a kustomization root")
}

test_foreign_repositories_and_charts_ignored if {
	count(v({"repoURL": "https://example.org/other.git", "path": "gone"}, {})) == 0
	count(v({"repoURL": t.own_repo, "chart": "x", "targetRevision": "1.0.0"}, {})) == 0
}

test_judged_once_in_its_reporting_target if {
	a := t.application("web", {"source": {"repoURL": t.own_repo, "path": "gone"}})
	count(source_path_missing.violation) == 0 with input as t.review(a)
		with data.target.name as "overlays/dev"
		with data.repository as t.facts([a], {})
		with data.config.argocd.repoUrls as [t.own_repo]
}

test_source_lending_its_files_ignored if {
	a := t.application("argocd", {"sources": [
		{"repoURL": "https://argoproj.github.io/argo-helm", "chart": "argo-cd", "targetRevision": "9.4.17"},
		{"repoURL": t.own_repo, "targetRevision": "main", "ref": "values"},
	]})
	count(source_path_missing.violation) == 0 with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as t.facts([a], {".": {"path": ".", "exists": true, "directory": true, "kustomization": false}})
		with data.config.argocd.repoUrls as [t.own_repo]
}
