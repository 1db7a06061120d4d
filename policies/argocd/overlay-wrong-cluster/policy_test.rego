package rules.argocd.overlay_wrong_cluster_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.overlay_wrong_cluster

v(p, complete) := x if {
	a := t.application("funlynk", {"source": {"repoURL": t.own_repo, "path": p}})
	x := overlay_wrong_cluster.violation with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as object.union(t.facts([a], {p: t.path_facts(p)}), {"complete": complete})
		with data.config.argocd.repoUrls as [t.own_repo]
}

test_own_cluster_allowed if {
	count(v("overlays/dev", true)) == 0
}

test_other_cluster_denied if {
	v("overlays/prod", true) == {{
		"msg": "Application/funlynk: deploys overlays/prod but is rendered in clusters/dev, not clusters/prod; move it to apps/prod",
		"field": "spec.source.path",
	}}
}

test_partial_runs_and_other_paths_not_judged if {
	count(v("overlays/prod", false)) == 0
	count(v("base/backend", true)) == 0
}
