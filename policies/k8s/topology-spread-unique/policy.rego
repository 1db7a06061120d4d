# METADATA
# title: One topology spread constraint per topology key
# description: >-
#   A pod template's topologySpreadConstraints name each topologyKey once. The same key with the
#   same whenUnsatisfiable is rejected by the API server; the same key with both ScheduleAnyway and
#   DoNotSchedule is accepted, but the soft one is dead weight and reads as if the spread were still
#   soft (typically a strategic-merge patch that appended instead of replacing).
# scope: package
# custom:
#   id: k8s/topology-spread-unique
#   input: kubernetes
#   severity: error
#   kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   rationale: >-
#     Duplicated constraints hide which rule the scheduler enforces; exact duplicates make the whole
#     workload fail validation at apply time.
#   baseline: Kubernetes "Pod Topology Spread Constraints" (topologyKey and whenUnsatisfiable unique)
package rules.k8s.topology_spread_unique

import rego.v1

import data.lib.kubernetes

w := kubernetes.resource if kubernetes.is_workload(kubernetes.resource)

path := sprintf("%s.topologySpreadConstraints", [kubernetes.pod_spec_path(w)])

constraints := object.get(kubernetes.pod_spec(w), "topologySpreadConstraints", [])

violation contains {"msg": msg, "field": sprintf("%s[%d]", [path, j])} if {
	some i, a in constraints
	some j, b in constraints
	i < j
	a.topologyKey == b.topologyKey
	a.whenUnsatisfiable == b.whenUnsatisfiable
	msg := sprintf("%s: topologySpreadConstraints[%d] repeats topologyKey %s with whenUnsatisfiable %s of [%d]; the API server rejects the pair twice, keep one", [kubernetes.display(w), j, a.topologyKey, a.whenUnsatisfiable, i])
}

violation contains {"msg": msg, "field": sprintf("%s[%d]", [path, j]), "severity": "warning"} if {
	some i, a in constraints
	some j, b in constraints
	i < j
	a.topologyKey == b.topologyKey
	a.whenUnsatisfiable != b.whenUnsatisfiable
	msg := sprintf("%s: topologySpreadConstraints[%d] and [%d] both spread over %s (%s and %s); keep only the one you mean (a patch appended instead of replacing)", [kubernetes.display(w), i, j, a.topologyKey, a.whenUnsatisfiable, b.whenUnsatisfiable])
}
