# METADATA
# title: Services select pods and target ports those pods declare
# description: >-
#   A Service's selector must match the pod labels of some workload in its namespace (including
#   the labels controllers add, such as a StatefulSet's statefulset.kubernetes.io/pod-name, and the
#   pods prometheus-operator creates for a Prometheus or Alertmanager), and each named targetPort
#   must be a named containerPort of the selected pods. A numeric targetPort is not judged:
#   Kubernetes sends traffic to it whether or not a container declares it. When nothing matches
#   but the namespace holds a resource whose pods the gate cannot render (a HelmRelease, an Argo CD
#   Application, an operator's custom resource), the finding is only a warning.
# scope: package
# custom:
#   id: k8s/service-selector
#   input: kubernetes
#   severity: error
#   kinds: [Service]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A selector that matches nothing or a targetPort name no container declares leaves the Service without endpoints; traffic fails at runtime while every object applies cleanly.
#   baseline: Kubernetes Service semantics (endpoints controller)
package rules.k8s.service_selector

import rego.v1

import data.lib.created
import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

svc := kubernetes.resource if kubernetes.resource.kind == "Service"

selector := object.get(svc, ["spec", "selector"], {})

ns := kubernetes.namespace_of(svc)

selected := wiring.map_selected_workloads(selector, ns)

# Pods an operator creates from an object of the target (Prometheus, Alertmanager).
operator_selected := created.map_selected(selector, ns)

violation contains {"msg": msg, "field": "spec.selector"} if {
	count(selector) > 0
	count(selected) == 0
	count(operator_selected) == 0
	count(created.unrenderable(ns)) == 0
	msg := sprintf(
		"%s: selector %s matches no pods of any workload in namespace %s; fix the selector or the pod template labels",
		[kubernetes.display(svc), json.marshal(selector), wiring.ns_display(ns)],
	)
}

# Container ports of the selected pods, by number and by name.
violation contains {"msg": msg, "field": "spec.selector", "severity": "warning"} if {
	count(selector) > 0
	count(selected) == 0
	count(operator_selected) == 0
	count(created.unrenderable(ns)) > 0
	msg := sprintf(
		"%s: selector %s matches no pods the gate can render in namespace %s; they may be created by a resource the gate cannot render (%s): check the labels against it",
		[kubernetes.display(svc), json.marshal(selector), wiring.ns_display(ns), created.unrenderable_display(ns)],
	)
}

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

# A numeric targetPort need not be declared as containerPort (Kubernetes routes to it anyway);
# a named one must be, or the Service has no endpoint port.
violation contains {"msg": msg, "field": sprintf("spec.ports[%d].targetPort", [i])} if {
	count(selected) > 0
	some i, p in object.get(svc, ["spec", "ports"], [])
	tp := target_port(p)
	is_string(tp)
	not declared(tp)
	msg := sprintf(
		"%s: port %v targets the port named %v, which no container of %s declares (declared: numbers %s, names %s); name a declared port or use its number",
		[
			kubernetes.display(svc), object.get(p, "name", p.port), tp,
			concat(", ", sort([kubernetes.display(w) | some w in selected])),
			json.marshal(sort(port_numbers)), json.marshal(sort(port_names)),
		],
	)
}
