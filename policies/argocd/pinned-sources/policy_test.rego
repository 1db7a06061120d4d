package rules.argocd.pinned_sources_test

import rego.v1

import data.rules.argocd.pinned_sources

own := "https://github.com/funlynk/funlynk-gitops.git"

app_with(sources) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a", "namespace": "argocd"},
	"spec": {"project": "platform", "sources": sources, "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"}},
}

chart(version) := {"repoURL": "https://charts.jetstack.io", "chart": "cert-manager", "targetRevision": version}

git(rev) := {"repoURL": "https://github.com/example/manifests.git", "path": "deploy", "targetRevision": rev}

violations(sources) := v if {
	v := pinned_sources.violation with input as {"kind": "kubernetes", "index": 0, "resource": app_with(sources)}
		with data.target as {"name": "t", "env": "dev", "resources": [app_with(sources)]}
}

test_chart_exact_versions_allowed if {
	every v in ["1.20.1", "v1.20.1", "83.6.0", "1.0.0-rc.1", "2.4.1+build.5"] {
		count(violations([chart(v)])) == 0
	}
}

test_chart_floating_versions_denied if {
	every v in ["*", "^1.20.0", "~1.20.0", "1.20.x", "1.x", ">=1.0.0", "1.20", "latest", "HEAD", "main", ""] {
		count(violations([chart(v)])) == 1
	}
}

test_chart_missing_revision_denied if {
	v := violations([{"repoURL": "https://charts.jetstack.io", "chart": "cert-manager"}])
	count(v) == 1
	some f in v
	f.field == "spec.sources[0].targetRevision"
	contains(f.msg, "HEAD (unset)")
}

test_foreign_git_tag_and_commit_allowed if {
	every rev in ["v1.2.3", "1.2.3", "argo-cd-9.4.17", "release/1.4.0", "0123456789abcdef0123456789abcdef01234567"] {
		count(violations([git(rev)])) == 0
	}
}

test_foreign_git_branches_denied if {
	every rev in ["HEAD", "main", "master", "develop", "v1.x", "0123456", ""] {
		count(violations([git(rev)])) == 1
	}
}

test_own_repo_branch_allowed if {
	count(violations([{"repoURL": own, "targetRevision": "main", "path": "overlays/dev"}])) == 0
	count(violations([{"repoURL": own, "targetRevision": "main", "ref": "values"}])) == 0
}

test_own_repo_chart_still_pinned if {
	count(violations([{"repoURL": own, "chart": "x", "targetRevision": "main"}])) == 1
}

test_single_source_field_path if {
	a := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"}, "spec": {"source": chart("^1.0.0")}}
	v := pinned_sources.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "t", "env": "dev", "resources": [a]}
	count(v) == 1
	some f in v
	f.field == "spec.source.targetRevision"
}

test_each_unpinned_source_counted if {
	count(violations([chart("1.0.0"), chart("*"), git("main")])) == 2
}

test_configured_repo_urls_respected if {
	a := app_with([git("main")])
	v := pinned_sources.violation with input as {"kind": "kubernetes", "index": 0, "resource": a}
		with data.target as {"name": "t", "env": "dev", "resources": [a]}
		with data.config.argocd.repoUrls as ["https://github.com/example/manifests.git"]
	count(v) == 0
}
