# METADATA
# title: PodDisruptionBudgets select pods, allow evictions, and cover replicated workloads
# description: >-
#   A PodDisruptionBudget must select pods of some workload in its namespace and allow at least one
#   eviction (minAvailable below the fewest replicas, maxUnavailable above 0). A Deployment or
#   StatefulSet running 2 or more replicas (spec.replicas or HPA minReplicas) should have one.
# scope: package
# custom:
#   id: k8s/pdb
#   input: kubernetes
#   severity: error
#   kinds: [PodDisruptionBudget, Deployment, StatefulSet]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     Without a budget a node drain may evict every replica at once; a budget that allows no
#     eviction blocks node drains and cluster upgrades forever.
#   baseline: 'Kubernetes "Specifying a Disruption Budget"; seed review #25'
package rules.k8s.pdb

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

pdb := kubernetes.resource if kubernetes.resource.kind == "PodDisruptionBudget"

selected := wiring.selected_workloads(object.get(pdb, ["spec", "selector"], {}), kubernetes.namespace_of(pdb))

# The fewest pods the selected workloads run together.
fewest := sum([wiring.min_replicas(w) | some w in selected])

violation contains {"msg": msg, "field": "spec.selector"} if {
	count(selected) == 0
	msg := sprintf(
		"%s: selector %s matches the pods of no workload in namespace %s; fix the selector or remove the budget",
		[kubernetes.display(pdb), json.marshal(object.get(pdb, ["spec", "selector"], {})), wiring.ns_display(kubernetes.namespace_of(pdb))],
	)
}

min_available_blocks(value) if {
	is_number(value)
	value >= fewest
}

min_available_blocks(value) if {
	is_string(value)
	wiring.scaled(value, fewest, true) >= fewest
}

violation contains {"msg": msg, "field": "spec.minAvailable"} if {
	count(selected) > 0
	min_available_blocks(pdb.spec.minAvailable)
	msg := sprintf(
		"%s: minAvailable %v with at least %d selected pods allows no eviction, so node drains block; set minAvailable below %d or use maxUnavailable: 1",
		[kubernetes.display(pdb), pdb.spec.minAvailable, fewest, fewest],
	)
}

violation contains {"msg": msg, "field": "spec.maxUnavailable"} if {
	count(selected) > 0
	wiring.scaled(pdb.spec.maxUnavailable, fewest, true) == 0
	msg := sprintf(
		"%s: maxUnavailable %v allows no eviction, so node drains block; set it to 1 or more",
		[kubernetes.display(pdb), pdb.spec.maxUnavailable],
	)
}

violation contains {"msg": msg, "field": null, "severity": "warning"} if {
	w := kubernetes.resource
	w.kind in {"Deployment", "StatefulSet"}
	wiring.min_replicas(w) >= 2
	count(wiring.pdbs_for(w)) == 0
	msg := sprintf(
		"%s: runs at least %d replicas but no PodDisruptionBudget selects its pods, so a drain may evict them all at once; add one with maxUnavailable: 1",
		[kubernetes.display(w), wiring.min_replicas(w)],
	)
}
