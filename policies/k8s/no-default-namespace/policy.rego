# METADATA
# title: Workloads must not run in default or kube-system
# description: A workload that names a namespace names neither default nor kube-system. An object without a namespace is fine (the kustomization sets it).
# scope: package
# custom:
#   id: k8s/no-default-namespace
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: default has no quota, policies or RBAC boundaries of its own; kube-system holds the control plane's credentials.
#   baseline: CIS 5.7.1/5.7.4; NSA/CISA Kubernetes Hardening Guide "namespaces"
package rules.k8s.no_default_namespace

import rego.v1

import data.lib.pss

forbidden := {"default", "kube-system"}

violation contains {"msg": msg, "field": "metadata.namespace"} if {
	obj := pss.workload
	ns := obj.metadata.namespace
	ns in forbidden
	msg := sprintf("%s: runs in namespace %s; deploy it to the application's own namespace", [pss.name(obj), ns])
}
