# METADATA
# title: VirtualServices bind to Gateways that exist and serve their hosts
# description: >-
#   Each entry of spec.gateways other than `mesh` names a Gateway of the target (`namespace/name`,
#   or a name in the VirtualService's namespace), and every host of the VirtualService is covered
#   by a server host of one of those Gateways (exact, `*.suffix` or `*`, with an optional
#   `namespace/` prefix that must admit the VirtualService's namespace).
# scope: package
# custom:
#   id: istio/virtualservice-gateways
#   input: kubernetes
#   severity: error
#   kinds: [VirtualService]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A VirtualService bound to a missing Gateway, or for a host no server of its Gateway accepts, is silently ignored by the gateway proxy and the route returns 404.
#   baseline: Istio traffic management (Gateway and VirtualService binding)
package rules.istio.virtualservice_gateways

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

vs := kubernetes.resource if kubernetes.resource.kind == "VirtualService"

ns := kubernetes.namespace_of(vs)

gateway_ref(entry) := {"namespace": parts[0], "name": parts[1]} if {
	parts := split(entry, "/")
	count(parts) == 2
}

gateway_ref(entry) := {"namespace": ns, "name": entry} if not contains(entry, "/")

gateways_of(ref) := [g |
	some g in wiring.objects("Gateway", ref.namespace)
	g.metadata.name == ref.name
]

violation contains {"msg": msg, "field": sprintf("spec.gateways[%d]", [i])} if {
	some i, entry in object.get(vs.spec, "gateways", [])
	entry != "mesh"
	ref := gateway_ref(entry)
	count(gateways_of(ref)) == 0
	msg := sprintf(
		"%s: gateways[%d] '%s' names no Gateway of the target (looked for %s in namespace %s); write namespace/name of an existing Gateway",
		[kubernetes.display(vs), i, entry, ref.name, wiring.ns_display(ref.namespace)],
	)
}

bound := [g |
	some entry in object.get(vs.spec, "gateways", [])
	entry != "mesh"
	some g in gateways_of(gateway_ref(entry))
]

# server_host_admits(gateway, pattern, host): a server host "[ns/]pattern" admits the VirtualService's host.
server_host_admits(g, server_host, host) if {
	parts := split(server_host, "/")
	count(parts) == 2
	namespace_admits(g, parts[0])
	istio.host_covers(parts[1], host)
}

server_host_admits(_, server_host, host) if {
	not contains(server_host, "/")
	istio.host_covers(server_host, host)
}

namespace_admits(_, "*")

namespace_admits(g, ".") if kubernetes.namespace_of(g) == ns

namespace_admits(_, name) if name == ns

served(host) if {
	some g in bound
	some server in object.get(g, ["spec", "servers"], [])
	some server_host in object.get(server, "hosts", [])
	server_host_admits(g, server_host, host)
}

violation contains {"msg": msg, "field": sprintf("spec.hosts[%d]", [i])} if {
	count(bound) > 0
	some i, host in object.get(vs.spec, "hosts", [])
	not served(host)
	msg := sprintf(
		"%s: host '%s' is not served by any server of %s, so the gateway ignores this route; add the host to a Gateway server or fix it",
		[kubernetes.display(vs), host, concat(", ", sort([sprintf("Gateway %s/%s", [kubernetes.namespace_of(g), g.metadata.name]) | some g in bound]))],
	)
}
