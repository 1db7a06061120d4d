package rules.argocd.ignore_differences_not_hpa_test

import rego.v1

import data.lib.testing as t
import data.rules.argocd.ignore_differences_not_hpa

v(ignores, hpa) := x if {
	a := t.application("funlynk-dev", {"source": {"repoURL": t.own_repo, "path": "overlays/dev"}, "ignoreDifferences": ignores})
	facts := object.union(t.facts([a], {"overlays/dev": t.path_facts("overlays/dev")}), {"hpa": hpa})
	x := ignore_differences_not_hpa.violation with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as facts
		with data.config.argocd.repoUrls as [t.own_repo]
}

replicas(name) := {"group": "apps", "kind": "Deployment", "name": name, "jsonPointers": ["/spec/replicas"]}

test_hpa_owned_allowed if {
	count(v([replicas("backend")], {"overlays/dev": ["funlynk/backend"]})) == 0
	count(v([object.union(replicas("worker"), {"namespace": "jobs"})], {"overlays/dev": ["jobs/worker"]})) == 0
}

test_not_scaled_denied if {
	v([replicas("backend"), replicas("worker")], {"overlays/dev": ["funlynk/backend"]}) == {{
		"msg": "Application/funlynk-dev: ignores the replicas of Deployment funlynk/worker, but no HorizontalPodAutoscaler in overlays/dev scales it; remove the entry (Argo CD would hide manual scaling)",
		"field": "spec.ignoreDifferences[1]",
	}}
}

test_unrendered_overlay_and_other_kinds_ignored if {
	count(v([replicas("worker")], {})) == 0
	count(v([{"kind": "StatefulSet", "name": "db"}], {"overlays/dev": []})) == 0
}

test_no_destination_namespace if {
	a := {
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "x"},
		"spec": {"source": {"repoURL": t.own_repo, "path": "overlays/dev"}, "ignoreDifferences": [replicas("backend")]},
	}
	facts := object.union(t.facts([a], {"overlays/dev": t.path_facts("overlays/dev")}), {"hpa": {"overlays/dev": ["/backend"]}})
	count(ignore_differences_not_hpa.violation) == 0 with input as t.review(a)
		with data.target.name as "clusters/dev"
		with data.repository as facts
		with data.config.argocd.repoUrls as [t.own_repo]
}
