# METADATA
# title: Every namespace with workloads enforces STRICT mutual TLS
# description: >-
#   Each namespace running workloads has a namespace-wide (no selector) PeerAuthentication with
#   mtls.mode STRICT, or inherits a mesh-wide STRICT one from istio-system. Reported on each
#   workload of an uncovered namespace.
# scope: package
# custom:
#   id: istio/peer-authentication-strict
#   input: kubernetes
#   severity: error
#   kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: Without STRICT, sidecars accept plaintext, so any pod (or anything that reaches the pod network) can call the workload unauthenticated and AuthorizationPolicy principals are empty.
#   baseline: Istio security best practices (PeerAuthentication STRICT)
package rules.istio.peer_authentication_strict

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

violation contains {"msg": msg, "field": "metadata.namespace"} if {
	w := kubernetes.resource
	kubernetes.is_workload(w)
	ns := kubernetes.namespace_of(w)
	not istio.strict_mtls(ns)
	msg := sprintf(
		"%s: its namespace %s has no STRICT mutual TLS (no namespace-wide PeerAuthentication with mtls.mode STRICT, nor a mesh-wide one in istio-system); add PeerAuthentication 'default' with mtls.mode STRICT to the namespace",
		[kubernetes.display(w), wiring.ns_display(ns)],
	)
}
