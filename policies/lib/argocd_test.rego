package lib.argocd_test

import rego.v1

import data.lib.argocd

test_normalize_url_spellings_equal if {
	argocd.normalize_url("https://GitHub.com/funlynk/funlynk-gitops.git") == argocd.normalize_url("https://github.com/funlynk/funlynk-gitops/")
}

test_own_repo_default_and_configured if {
	argocd.is_own_repo("https://github.com/funlynk/funlynk-gitops")
	not argocd.is_own_repo("https://github.com/example/other.git")
	argocd.is_own_repo("https://git.example.org/x.git") with data.config.argocd.repoUrls as ["https://git.example.org/x"]
}

test_sources_single_multi_and_none if {
	argocd.sources({"spec": {"source": {"repoURL": "a"}}}) == [{"source": {"repoURL": "a"}, "path": "spec.source"}]
	argocd.sources({"spec": {"sources": [{"repoURL": "a"}, {"repoURL": "b"}]}})[1].path == "spec.sources[1]"
	argocd.sources({"spec": {"sources": [], "source": {"repoURL": "a"}}})[0].path == "spec.source"
	argocd.sources({"spec": {}}) == []
}

test_remote_sources if {
	argocd.is_remote({"repoURL": "https://charts.jetstack.io", "chart": "cert-manager"})
	argocd.is_remote({"repoURL": "https://github.com/funlynk/funlynk-gitops.git", "chart": "local"})
	argocd.is_remote({"repoURL": "https://github.com/example/other.git", "path": "x"})
	not argocd.is_remote({"repoURL": "https://github.com/funlynk/funlynk-gitops.git", "path": "overlays/dev"})
}

test_revisions if {
	argocd.revision({"targetRevision": 1.2}) == "1.2"
	argocd.revision({}) == ""
	argocd.is_exact_semver("v1.20.1")
	not argocd.is_exact_semver("01.2.3")
	argocd.is_commit("0123456789abcdef0123456789abcdef01234567")
	not argocd.is_commit("0123456")
	argocd.is_version_tag("argo-cd-9.4.17")
	not argocd.is_version_tag("main")
}

test_floating_markers if {
	every rev in ["*", "^1.0.0", "~1.0.0", ">=1", "<2", "1 || 2", "1.0.0 - 2.0.0", "1.x", "1.X", "x", "head", ""] {
		argocd.is_floating(rev)
	}
	not argocd.is_floating("1.2.3")
}

test_pattern_matches if {
	argocd.pattern_matches("funlynk", "funlynk")
	argocd.pattern_matches("*", "anything")
	argocd.pattern_matches("team-*", "team-a")
	argocd.pattern_matches("*-system", "istio-system")
	not argocd.pattern_matches("team-*", "other")
	not argocd.pattern_matches("*-system", "funlynk")
}

test_destination_by_server_and_name if {
	p := {"spec": {"destinations": [{"server": "https://kubernetes.default.svc/", "namespace": "a"}, {"name": "in-cluster", "namespace": "b"}]}}
	argocd.destination_permitted(p, {"server": "https://kubernetes.default.svc", "namespace": "a"})
	argocd.destination_permitted(p, {"name": "in-cluster", "namespace": "b"})
	not argocd.destination_permitted(p, {"name": "in-cluster", "namespace": "a"})
	not argocd.destination_permitted(p, {"namespace": "a"})
}

test_automated if {
	argocd.automated({"spec": {"syncPolicy": {"automated": {}}}}) == {}
	not argocd.automated({"spec": {"syncPolicy": {"automated": {"enabled": false}}}})
	not argocd.automated({"spec": {"syncPolicy": {"automated": null}}})
	argocd.sync_options({"spec": {}}) == []
}

test_projects_of_target if {
	resources := [
		{"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "p"}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
	]
	ps := argocd.projects with data.target as {"resources": resources}
	count(ps) == 1
	ps.p.metadata.name == "p"
	argocd.project_name({"spec": {}}) == "default"
}
