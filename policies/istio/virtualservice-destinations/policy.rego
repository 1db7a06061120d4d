# METADATA
# title: VirtualService destinations are Services of the target, on ports they expose
# description: >-
#   Every route and mirror destination host of http, tcp and tls routes that names a cluster
#   Service (short name, name.namespace, name.namespace.svc or name.namespace.svc.cluster.local)
#   must be a Service declared in the target, and destination.port.number one of its ports.
#   Hosts declared by a ServiceEntry are accepted; other external hosts are not checked.
# scope: package
# custom:
#   id: istio/virtualservice-destinations
#   input: kubernetes
#   severity: error
#   kinds: [VirtualService]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A route to a Service that does not exist, or to a port it does not expose, answers 503 (no healthy upstream) while every object applies cleanly.
#   baseline: 'Istio traffic management (Destination host resolution); seed review #31'
package rules.istio.virtualservice_destinations

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

vs := kubernetes.resource if kubernetes.resource.kind == "VirtualService"

ns := kubernetes.namespace_of(vs)

destinations contains {"destination": r.destination, "path": sprintf("spec.%s[%d].route[%d].destination", [proto, i, j])} if {
	some proto in ["http", "tcp", "tls"]
	some i, route in object.get(vs.spec, proto, [])
	some j, r in object.get(route, "route", [])
}

destinations contains {"destination": route.mirror, "path": sprintf("spec.http[%d].mirror", [i])} if {
	some i, route in object.get(vs.spec, "http", [])
	route.mirror
}

violation contains {"msg": msg, "field": sprintf("%s.host", [d.path])} if {
	some d in destinations
	host := d.destination.host
	not istio.in_service_entry(host)
	ref := istio.service_ref(host, ns)
	count(istio.services_of(ref)) == 0
	msg := sprintf(
		"%s: %s routes to host '%s', but the target declares no Service %s in namespace %s (nor a ServiceEntry for it); add the Service and its workload or fix the host",
		[kubernetes.display(vs), trim_prefix(d.path, "spec."), host, ref.name, wiring.ns_display(ref.namespace)],
	)
}

violation contains {"msg": msg, "field": sprintf("%s.port.number", [d.path])} if {
	some d in destinations
	number := d.destination.port.number
	ref := istio.service_ref(d.destination.host, ns)
	some svc in istio.services_of(ref)
	ports := {p.port | some p in object.get(svc, ["spec", "ports"], [])}
	not number in ports
	msg := sprintf(
		"%s: %s sends to port %d of %s, which exposes only %s; use one of its ports",
		[kubernetes.display(vs), trim_prefix(d.path, "spec."), number, kubernetes.display(svc), json.marshal(sort(ports))],
	)
}
