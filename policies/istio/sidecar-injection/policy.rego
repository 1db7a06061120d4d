# METADATA
# title: Namespaces with Istio security policies inject sidecars
# description: >-
#   A namespace (other than istio-system) holding a PeerAuthentication, AuthorizationPolicy or
#   RequestAuthentication must carry `istio-injection: enabled` or `istio.io/rev`, and no pod
#   template there may set `sidecar.istio.io/inject: "false"`. When the target does not declare
#   the Namespace, a warning goes on the first such policy since the label cannot be checked.
# scope: package
# custom:
#   id: istio/sidecar-injection
#   input: kubernetes
#   severity: error
#   kinds: [Namespace, PeerAuthentication, AuthorizationPolicy, RequestAuthentication, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: Istio policies are enforced by the sidecar; without injection STRICT mTLS and AuthorizationPolicies do nothing and the pods talk plaintext, unauthenticated.
#   baseline: 'Istio security best practices (injection wherever Istio policies exist); seed review #18'
package rules.istio.sidecar_injection

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

security_kinds := {"PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"}

secured_namespaces contains kubernetes.namespace_of(o) if {
	some o in wiring.resources
	o.kind in security_kinds
	startswith(o.apiVersion, "security.istio.io/")
	kubernetes.namespace_of(o) != istio.root_namespace
}

policies_in(ns) := sort([kubernetes.display(o) |
	some o in wiring.resources
	o.kind in security_kinds
	kubernetes.namespace_of(o) == ns
])

violation contains {"msg": msg, "field": "metadata.labels"} if {
	ns := kubernetes.resource
	ns.kind == "Namespace"
	ns.metadata.name in secured_namespaces
	not istio.injection_labelled(ns.metadata.name)
	msg := sprintf(
		"%s: holds %s but has neither istio-injection: enabled nor istio.io/rev, so pods get no sidecar and those policies are not enforced; add the label",
		[kubernetes.display(ns), concat(", ", policies_in(ns.metadata.name))],
	)
}

first_policy_index(ns) := min([i |
	some i, o in wiring.resources
	o.kind in security_kinds
	kubernetes.namespace_of(o) == ns
])

violation contains {"msg": msg, "field": "metadata.namespace", "severity": "warning"} if {
	ns := kubernetes.namespace_of(kubernetes.resource)
	ns in secured_namespaces
	not wiring.declared_namespace(ns)
	input.index == first_policy_index(ns)
	msg := sprintf(
		"%s: namespace %s is not declared in this target, so its sidecar injection label cannot be checked; declare the Namespace with istio-injection: enabled here",
		[kubernetes.display(kubernetes.resource), wiring.ns_display(ns)],
	)
}

inject_field(w) := concat(".", array.concat(kubernetes.pod_meta_paths[w.kind], ["labels"])) if {
	kubernetes.pod_labels(w)["sidecar.istio.io/inject"]
}

inject_field(w) := concat(".", array.concat(kubernetes.pod_meta_paths[w.kind], ["annotations"])) if {
	not kubernetes.pod_labels(w)["sidecar.istio.io/inject"]
}

violation contains {"msg": msg, "field": inject_field(w)} if {
	w := kubernetes.resource
	kubernetes.is_workload(w)
	kubernetes.namespace_of(w) in secured_namespaces
	istio.opted_out(w)
	msg := sprintf(
		"%s: sets sidecar.istio.io/inject: \"false\" in namespace %s, which has Istio security policies, so its pods bypass mTLS and authorization; remove the opt-out",
		[kubernetes.display(w), wiring.ns_display(kubernetes.namespace_of(w))],
	)
}
