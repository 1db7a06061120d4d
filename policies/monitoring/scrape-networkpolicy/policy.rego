# METADATA
# title: NetworkPolicies let Prometheus scrape what the ServiceMonitors and PodMonitors select
# description: >-
#   For every ServiceMonitor endpoint (Service port -> targetPort -> container port) and PodMonitor
#   endpoint (container port) that reaches the pods of a workload, when NetworkPolicies restrict
#   those pods' ingress, one of the policies selecting them must allow that TCP port from the
#   namespace Prometheus runs in: the namespace of a Prometheus object of the target, else
#   data.config.prometheusNamespace, else "monitoring". A rule with no `from`, a namespaceSelector
#   matching that namespace's labels (whatever its podSelector) or an ipBlock counts as allowing.
#   Reported on the pod-specific policy selecting the pods (the namespace-wide one only when there
#   is none), since that is where the rule belongs.
# scope: package
# custom:
#   id: monitoring/scrape-networkpolicy
#   input: kubernetes
#   severity: warning
#   kinds: [NetworkPolicy]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A scrape dropped by a NetworkPolicy looks like a target that is down: its metrics vanish and
#     every alert built on them goes silent without firing.
#   baseline: 'Prometheus Operator ServiceMonitor/PodMonitor API; Kubernetes NetworkPolicy semantics (policies are additive); seed review #29'
package rules.monitoring.scrape_networkpolicy

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

np := kubernetes.resource if kubernetes.resource.kind == "NetworkPolicy"

# Namespaces Prometheus scrapes from.
prometheus_namespaces := {kubernetes.namespace_of(p) | some p in wiring.resources; p.kind == "Prometheus"}

configured_namespace := data.config.prometheusNamespace

configured_namespace := "monitoring" if not data.config.prometheusNamespace

scrape_namespaces := prometheus_namespaces if count(prometheus_namespaces) > 0

scrape_namespaces := {configured_namespace} if count(prometheus_namespaces) == 0

# in_scope(m, ns): a monitor's namespaceSelector covers ns (own namespace when unset).
in_scope(m, _) if m.spec.namespaceSelector.any == true

in_scope(m, ns) if ns in object.get(m, ["spec", "namespaceSelector", "matchNames"], [])

in_scope(m, ns) if {
	not m.spec.namespaceSelector.any == true
	count(object.get(m, ["spec", "namespaceSelector", "matchNames"], [])) == 0
	ns == kubernetes.namespace_of(m)
}

container_ports(w) := [p |
	some c in kubernetes.runtime_containers(w)
	some p in object.get(c.container, "ports", [])
]

# resolve(port, w): {"number", "name"} of a port given by number or by container port name.
resolve(port, _) := {"number": port, "name": ""} if is_number(port)

resolve(port, w) := {"number": p.containerPort, "name": port} if {
	is_string(port)
	some p in container_ports(w)
	p.name == port
}

# scrapes: every (monitor, endpoint, workload, port) a ServiceMonitor or PodMonitor scrapes.
scrapes contains s if {
	some m in wiring.resources
	m.kind == "ServiceMonitor"
	some svc in wiring.resources
	svc.kind == "Service"
	ns := kubernetes.namespace_of(svc)
	in_scope(m, ns)
	kubernetes.selector_matches(object.get(m, ["spec", "selector"], {}), object.get(svc, ["metadata", "labels"], {}))
	some i, e in object.get(m, ["spec", "endpoints"], [])
	some sp in object.get(svc, ["spec", "ports"], [])
	sp.name == e.port
	some w in wiring.map_selected_workloads(object.get(svc, ["spec", "selector"], {}), ns)
	target := resolve(object.get(sp, "targetPort", sp.port), w)
	s := {"monitor": kubernetes.display(m), "endpoint": sprintf("endpoints[%d]", [i]), "workload": w, "ns": ns, "port": target}
}

scrapes contains s if {
	some m in wiring.resources
	m.kind == "PodMonitor"
	some w in wiring.workloads
	ns := kubernetes.namespace_of(w)
	in_scope(m, ns)
	kubernetes.selector_matches(object.get(m, ["spec", "selector"], {}), kubernetes.pod_labels(w))
	some i, e in object.get(m, ["spec", "podMetricsEndpoints"], [])
	target := resolve(pod_endpoint_port(e), w)
	s := {"monitor": kubernetes.display(m), "endpoint": sprintf("podMetricsEndpoints[%d]", [i]), "workload": w, "ns": ns, "port": target}
}

pod_endpoint_port(e) := e.port if e.port

pod_endpoint_port(e) := e.portNumber if {
	not e.port
	e.portNumber
}

# Ingress-restricting NetworkPolicies selecting the pods of w.
ingress_policies(w) := [p |
	some p in wiring.objects("NetworkPolicy", kubernetes.namespace_of(w))
	"Ingress" in wiring.policy_types(p)
	kubernetes.selector_matches(object.get(p, ["spec", "podSelector"], {}), kubernetes.pod_labels(w))
]

specific(p) if not wiring.empty_selector(object.get(p, ["spec", "podSelector"], {}))

port_allows(rule, _) if count(object.get(rule, "ports", [])) == 0

port_allows(rule, target) if {
	some p in rule.ports
	object.get(p, "protocol", "TCP") == "TCP"
	port_value_matches(p, target)
}

port_value_matches(p, _) if not p.port

port_value_matches(p, target) if p.port == target.number

port_value_matches(p, target) if {
	target.name != ""
	p.port == target.name
}

port_value_matches(p, target) if {
	is_number(p.port)
	p.port <= target.number
	target.number <= p.endPort
}

peer_allows(rule, _, _) if count(object.get(rule, "from", [])) == 0

peer_allows(rule, _, from_ns) if {
	some peer in rule.from
	peer.namespaceSelector
	kubernetes.selector_matches(peer.namespaceSelector, wiring.namespace_labels(from_ns))
}

peer_allows(rule, own_ns, own_ns) if {
	some peer in rule.from
	not peer.namespaceSelector
	peer.podSelector
}

peer_allows(rule, _, _) if {
	some peer in rule.from
	peer.ipBlock
}

allowed(s) if {
	some p in ingress_policies(s.workload)
	some rule in object.get(p, ["spec", "ingress"], [])
	port_allows(rule, s.port)
	some from_ns in scrape_namespaces
	peer_allows(rule, s.ns, from_ns)
}

# reports(p, w): p is where a blocked scrape of w's pods is reported.
reports(p, _) if specific(p)

reports(_, w) if {
	every other in ingress_policies(w) {
		not specific(other)
	}
}

port_display(target) := sprintf("%d", [target.number]) if target.name == ""

port_display(target) := sprintf("%d (%s)", [target.number, target.name]) if target.name != ""

violation contains {"msg": msg, "field": "spec.ingress"} if {
	some s in scrapes
	s.ns == kubernetes.namespace_of(np)
	some p in ingress_policies(s.workload)
	p == np
	reports(np, s.workload)
	not allowed(s)
	msg := sprintf(
		"%s: restricts ingress to the pods of %s, but neither it nor another NetworkPolicy selecting them allows TCP %s from namespace %s, where Prometheus runs, so %s %s cannot scrape them; add an ingress rule from namespaceSelector kubernetes.io/metadata.name: %s on that port",
		[
			kubernetes.display(np), kubernetes.display(s.workload), port_display(s.port),
			concat(", ", sort(scrape_namespaces)), s.monitor, s.endpoint, concat(", ", sort(scrape_namespaces)),
		],
	)
}
