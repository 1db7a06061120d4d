# METADATA
# title: Services select pods and target ports those pods declare
# description: >-
#   A Service's selector must match the pod labels of some workload in its namespace, and each
#   targetPort (number or name) must be a containerPort of the selected pods.
# scope: package
# custom:
#   id: k8s/service-selector
#   input: kubernetes
#   severity: error
#   kinds: [Service]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A selector that matches nothing or a targetPort no container listens on leaves the Service without endpoints; traffic fails at runtime while every object applies cleanly.
#   baseline: Kubernetes Service semantics (endpoints controller)
package rules.k8s.service_selector

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

svc := kubernetes.resource if kubernetes.resource.kind == "Service"

selector := object.get(svc, ["spec", "selector"], {})

ns := kubernetes.namespace_of(svc)

selected := wiring.map_selected_workloads(selector, ns)

violation contains {"msg": msg, "field": "spec.selector"} if {
	count(selector) > 0
	count(selected) == 0
	msg := sprintf(
		"%s: selector %s matches no pods of any workload in namespace %s; fix the selector or the pod template labels",
		[kubernetes.display(svc), json.marshal(selector), wiring.ns_display(ns)],
	)
}

# Container ports of the selected pods, by number and by name.
port_numbers contains p.containerPort if {
	some w in selected
	some c in kubernetes.containers(w)
	some p in object.get(c.container, "ports", [])
}

# Ports the injected Istio sidecar serves: 15020 merged metrics and agent, 15021 health, 15090 Envoy stats.
port_numbers contains n if {
	some w in selected
	istio.has_sidecar(w)
	some n in [15020, 15021, 15090]
}

port_names contains "http-envoy-prom" if {
	some w in selected
	istio.has_sidecar(w)
}

port_names contains p.name if {
	some w in selected
	some c in kubernetes.containers(w)
	some p in object.get(c.container, "ports", [])
	p.name
}

target_port(p) := object.get(p, "targetPort", p.port)

declared(tp) if port_numbers[tp]

declared(tp) if port_names[tp]

violation contains {"msg": msg, "field": sprintf("spec.ports[%d].targetPort", [i])} if {
	count(selected) > 0
	some i, p in object.get(svc, ["spec", "ports"], [])
	tp := target_port(p)
	not declared(tp)
	msg := sprintf(
		"%s: port %v targets %v, which no container of %s declares as containerPort (declared: numbers %s, names %s); set targetPort to a declared port",
		[
			kubernetes.display(svc), object.get(p, "name", p.port), tp,
			concat(", ", sort([kubernetes.display(w) | some w in selected])),
			json.marshal(sort(port_numbers)), json.marshal(sort(port_names)),
		],
	)
}
