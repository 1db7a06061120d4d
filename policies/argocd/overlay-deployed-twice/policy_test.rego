package rules.argocd.overlay_deployed_twice_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.overlay_deployed_twice

deploying(name, p) := t.application(name, {"source": {"repoURL": t.own_repo, "path": p}})

paths := {"overlays/dev": t.path_facts("overlays/dev"), "overlays/prod": t.path_facts("overlays/prod")}

v(apps, i, complete) := x if {
	x := overlay_deployed_twice.violation with input as {"kind": "kubernetes", "index": i, "resource": apps[i]}
		with data.target.name as "clusters/dev"
		with data.repository as object.union(t.facts(apps, paths), {"complete": complete})
		with data.config.argocd.repoUrls as [t.own_repo]
}

test_one_application_per_overlay_allowed if {
	apps := [deploying("funlynk-dev", "overlays/dev"), deploying("funlynk-prod", "overlays/prod")]
	count(v(apps, 0, true)) == 0
	count(v(apps, 1, true)) == 0
}

test_two_applications_denied if {
	apps := [deploying("funlynk-dev", "overlays/dev"), deploying("funlynk-dev-copy", "overlays/dev")]
	v(apps, 0, true) == {{
		"msg": "Application/funlynk-dev: overlays/dev is also deployed by Application/funlynk-dev-copy; two Applications fight over the same objects, keep one",
		"field": "spec.source.path",
		"related": [{"target": "clusters/dev", "index": 1, "field": "spec.source.path", "message": "also deploys overlays/dev"}],
	}}
	count(v(apps, 1, true)) == 1
}

test_partial_runs_not_judged if {
	apps := [deploying("funlynk-dev", "overlays/dev"), deploying("funlynk-dev-copy", "overlays/dev")]
	count(v(apps, 0, false)) == 0
}
