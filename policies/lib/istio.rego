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
	some w in wiring.workloads_in(ns)
	opted_in(w)
}

# Istio security policies, which only a sidecar (or waypoint) enforces.
security_policy_kinds := {"PeerAuthentication", "AuthorizationPolicy", "RequestAuthentication"}

# has_security_policies(ns): ns (other than the root namespace) holds an Istio security policy.
has_security_policies(ns) if {
	ns != root_namespace
	some kind in security_policy_kinds
	some o in wiring.objects(kind, ns)
	startswith(o.apiVersion, "security.istio.io/")
}

# meshed(ns): pods in ns run, or must run, Istio sidecars: injection is on there, or the namespace
# holds Istio security policies (istio/sidecar-injection then requires injection), so whatever
# sidecars need (istiod, the quota for the proxy) is needed there too.
meshed(ns) if namespace_has_sidecars(ns)

meshed(ns) if has_security_policies(ns)

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

# Service host resolution for VirtualService destinations.

# known_namespaces: namespaces the target declares or places objects in.
known_namespaces contains kubernetes.namespace_of(o) if some o in wiring.resources

known_namespaces contains o.metadata.name if {
	some o in wiring.resources
	o.kind == "Namespace"
}

# service_ref(host, ns): {"name", "namespace"} a host means inside the cluster, when it is a
# short name, name.namespace (of a known namespace), name.namespace.svc or the full
# name.namespace.svc.cluster.local. Undefined for other (external) hosts.
service_ref(host, ns) := {"name": host, "namespace": ns} if not contains(host, ".")

service_ref(host, _) := {"name": parts[0], "namespace": parts[1]} if {
	parts := split(host, ".")
	count(parts) == 2
	parts[1] in known_namespaces
}

service_ref(host, _) := {"name": parts[0], "namespace": parts[1]} if {
	parts := split(host, ".")
	count(parts) == 3
	parts[2] == "svc"
}

service_ref(host, _) := {"name": parts[0], "namespace": parts[1]} if {
	endswith(host, ".svc.cluster.local")
	parts := split(host, ".")
	count(parts) == 5
}

# services_of(ref): the Service objects a ref names (empty when the target declares none).
services_of(ref) := [s |
	some s in wiring.objects("Service", ref.namespace)
	s.metadata.name == ref.name
]

# in_service_entry(host): a ServiceEntry of the target declares the host.
in_service_entry(host) if {
	some o in wiring.resources
	o.kind == "ServiceEntry"
	host in object.get(o, ["spec", "hosts"], [])
}

# host_covers(pattern, host): a Gateway/VirtualService host pattern ("*", "*.example.com" or exact) covers host.
host_covers("*", _)

host_covers(pattern, host) if pattern == host

host_covers(pattern, host) if {
	startswith(pattern, "*.")
	endswith(host, substring(pattern, 1, -1))
}
