# METADATA
# title: Rolling updates keep capacity and replicas spread
# description: >-
#   A Deployment with few replicas (3 or fewer, from spec.replicas or HPA minReplicas) should roll
#   with maxUnavailable 0 (a PodDisruptionBudget does not help: rolling updates are not limited by
#   PDBs); one with 2 or more replicas should spread them with topologySpreadConstraints or
#   podAntiAffinity.
# scope: package
# custom:
#   id: k8s/rolling-update
#   input: kubernetes
#   severity: warning
#   kinds: [Deployment]
#   reads: [HorizontalPodAutoscaler]
#   rationale: >-
#     maxUnavailable 1 at minimum size removes a third or more of the capacity during every
#     rollout, exactly when the HPA sized it for load; replicas packed on one node or zone fall
#     together.
#   baseline: 'Kubernetes Deployment strategy, Disruptions (PDBs do not limit rolling updates) and topology spread docs; seed review #25'
package rules.k8s.rolling_update

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

deployment := kubernetes.resource if kubernetes.resource.kind == "Deployment"

fewest := wiring.min_replicas(deployment)

strategy := object.get(deployment, ["spec", "strategy"], {})

max_unavailable := object.get(strategy, ["rollingUpdate", "maxUnavailable"], "25%")

violation contains {"msg": msg, "field": "spec.strategy.rollingUpdate.maxUnavailable"} if {
	object.get(strategy, "type", "RollingUpdate") == "RollingUpdate"
	fewest <= 3
	wiring.scaled(max_unavailable, fewest, false) >= 1
	msg := sprintf(
		"%s: maxUnavailable %v takes down %d of its %d minimum replicas during each rollout (a PodDisruptionBudget does not limit rollouts); set maxUnavailable: 0 with maxSurge: 1",
		[kubernetes.display(deployment), max_unavailable, wiring.scaled(max_unavailable, fewest, false), fewest],
	)
}

pod_spec := kubernetes.pod_spec(deployment)

spread if count(object.get(pod_spec, "topologySpreadConstraints", [])) > 0

spread if pod_spec.affinity.podAntiAffinity

violation contains {"msg": msg, "field": sprintf("%s.topologySpreadConstraints", [kubernetes.pod_spec_path(deployment)])} if {
	fewest >= 2
	not spread
	msg := sprintf(
		"%s: runs at least %d replicas with neither topologySpreadConstraints nor podAntiAffinity, so they may share one node or zone; add a topologySpreadConstraint on kubernetes.io/hostname or topology.kubernetes.io/zone",
		[kubernetes.display(deployment), fewest],
	)
}
