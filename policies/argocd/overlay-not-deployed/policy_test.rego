package rules.argocd.overlay_not_deployed_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.overlay_not_deployed

deploying(name, p) := t.application(name, {"source": {"repoURL": t.own_repo, "path": p}})

paths := {"overlays/dev": t.path_facts("overlays/dev"), "overlays/prod": t.path_facts("overlays/prod")}

v(apps, complete) := x if {
	x := overlay_not_deployed.violation with input as {"kind": "repository"}
		with data.repository as object.union(t.facts(apps, paths), {"complete": complete})
		with data.config.argocd.repoUrls as [t.own_repo]
}

test_every_overlay_deployed_allowed if {
	count(v([deploying("funlynk-dev", "overlays/dev"), deploying("funlynk-prod", "overlays/prod")], true)) == 0
}

test_undeployed_overlay_denied if {
	v([deploying("funlynk-dev", "overlays/dev")], true) == {{
		"msg": "overlays/prod is deployed by no Application; add one to apps/prod (rendered by clusters/prod)",
		"file": "overlays/prod/kustomization.yaml",
		"target": "overlays/prod",
	}}
}

test_partial_runs_and_other_inputs_not_judged if {
	count(v([], false)) == 0
	count(overlay_not_deployed.violation) == 0 with input as {"kind": "kubernetes"}
		with data.repository as t.facts([], paths)
}
