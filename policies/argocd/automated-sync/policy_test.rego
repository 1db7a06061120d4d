package rules.argocd.automated_sync_test

import rego.v1

import data.rules.argocd.automated_sync

project(windows) := {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "funlynk"}, "spec": {"syncWindows": windows}}

window := {"kind": "allow", "schedule": "0 8 * * 1-4", "duration": "8h", "applications": ["*"], "manualSync": true}

app(sync_policy) := {
	"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "a"},
	"spec": {"project": "funlynk", "syncPolicy": sync_policy},
}

full := {"automated": {"prune": true, "selfHeal": true}}

violations(resources, i, env) := v if {
	v := automated_sync.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": env, "resources": resources}
}

test_prune_and_self_heal_allowed if {
	count(violations([app(full)], 0, "dev")) == 0
	count(violations([app(full)], 0, "staging")) == 0
	count(violations([app(full)], 0, null)) == 0
}

test_manual_sync_outside_prod_denied if {
	v := violations([app({})], 0, "dev")
	count(v) == 1
	some f in v
	f.field == "spec.syncPolicy.automated"
}

test_automated_disabled_outside_prod_denied if {
	count(violations([app({"automated": {"enabled": false, "prune": true, "selfHeal": true}})], 0, "staging")) == 1
}

test_missing_prune_denied if {
	v := violations([app({"automated": {"selfHeal": true}})], 0, "dev")
	count(v) == 1
	some f in v
	f.field == "spec.syncPolicy.automated.prune"
}

test_missing_both_flags_denied_twice if {
	count(violations([app({"automated": {}})], 0, "dev")) == 2
}

test_prod_manual_sync_allowed if {
	count(violations([project([]), app({})], 1, "prod")) == 0
}

test_prod_automated_with_window_allowed if {
	count(violations([project([window]), app(full)], 1, "prod")) == 0
}

test_prod_automated_without_window_denied if {
	v := violations([project([]), app(full)], 1, "prod")
	count(v) == 1
	some f in v
	contains(f.msg, "no syncWindows")
}

test_prod_automated_without_self_heal_denied if {
	count(violations([project([window]), app({"automated": {"prune": true}})], 1, "prod")) == 1
}

test_message_names_environment if {
	some f in violations([app({})], 0, "staging")
	f.msg == "Application/a: no automated sync in environment staging; set spec.syncPolicy.automated with prune: true and selfHeal: true"
}

test_target_without_environment_treated_as_not_prod if {
	some f in violations([app({})], 0, null)
	contains(f.msg, "in a target without environment")
}
