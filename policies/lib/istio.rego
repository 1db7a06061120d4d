# Helpers over Istio objects: sidecar injection of namespaces and pods, mTLS mode of a namespace.
package lib.istio

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

# Istio's root namespace: mesh-wide PeerAuthentication and AuthorizationPolicy live there.
root_namespace := "istio-system"

# injection_labelled(ns): the namespace is declared in the target with sidecar injection on.
injection_labelled(ns) if wiring.namespace_labels(ns)["istio-injection"] == "enabled"

injection_labelled(ns) if wiring.namespace_labels(ns)["istio.io/rev"]

# The pod-level switch, as label (current) or annotation (older releases).
pod_inject_value(w) := kubernetes.pod_labels(w)["sidecar.istio.io/inject"]

pod_inject_value(w) := kubernetes.pod_annotations(w)["sidecar.istio.io/inject"] if {
	not kubernetes.pod_labels(w)["sidecar.istio.io/inject"]
}

opted_out(w) if pod_inject_value(w) == "false"

opted_in(w) if pod_inject_value(w) == "true"

# has_sidecar(w): Istio injects its proxy into w's pods.
has_sidecar(w) if opted_in(w)

has_sidecar(w) if {
	injection_labelled(kubernetes.namespace_of(w))
	not opted_out(w)
}

# namespace_has_sidecars(ns): injection is on for the namespace or one of its workloads opts in.
namespace_has_sidecars(ns) if injection_labelled(ns)

namespace_has_sidecars(ns) if {
	some w in wiring.workloads
	kubernetes.namespace_of(w) == ns
	opted_in(w)
}

# Namespace-wide PeerAuthentications (no selector) of a namespace.
namespace_wide_peer_auth(ns) := [p |
	some p in wiring.objects("PeerAuthentication", ns)
	wiring.empty_selector(object.get(p, ["spec", "selector"], {}))
]

peer_auth_mode(p) := object.get(p, ["spec", "mtls", "mode"], "UNSET")

# strict_mtls(ns): workloads in ns only accept mutual TLS: a namespace-wide STRICT
# PeerAuthentication, or none at namespace level and a mesh-wide STRICT one in the root namespace.
strict_mtls(ns) if {
	some p in namespace_wide_peer_auth(ns)
	peer_auth_mode(p) == "STRICT"
}

strict_mtls(ns) if {
	every p in namespace_wide_peer_auth(ns) {
		peer_auth_mode(p) == "UNSET"
	}
	some p in namespace_wide_peer_auth(root_namespace)
	peer_auth_mode(p) == "STRICT"
}
