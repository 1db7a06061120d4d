# METADATA
# title: ServiceMonitors select a Service and scrape ports it names
# description: >-
#   A ServiceMonitor's selector must match the labels of a Service of the target in the namespaces
#   of its namespaceSelector (matchNames, any: true, or by default its own namespace), and each
#   endpoint `port` must be the name of a port of such a Service.
# scope: package
# custom:
#   id: monitoring/servicemonitor-selects
#   input: kubernetes
#   severity: error
#   kinds: [ServiceMonitor]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: A ServiceMonitor that selects no Service, or names a port the Service does not have, produces no scrape target and no error; dashboards and alerts go silently empty.
#   baseline: prometheus-operator ServiceMonitor API (selector, namespaceSelector, endpoints.port)
package rules.monitoring.servicemonitor_selects

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

sm := kubernetes.resource if kubernetes.resource.kind == "ServiceMonitor"

selector := object.get(sm, ["spec", "selector"], {})

namespace_selector := object.get(sm, ["spec", "namespaceSelector"], {})

in_scope(_) if namespace_selector.any == true

in_scope(ns) if ns in object.get(namespace_selector, "matchNames", [])

in_scope(ns) if {
	not namespace_selector.any == true
	count(object.get(namespace_selector, "matchNames", [])) == 0
	ns == kubernetes.namespace_of(sm)
}

selected := [s |
	some s in wiring.resources
	s.kind == "Service"
	in_scope(kubernetes.namespace_of(s))
	kubernetes.selector_matches(selector, object.get(s, ["metadata", "labels"], {}))
]

scope_text := "any namespace" if namespace_selector.any == true

scope_text := sprintf("namespaces %s", [concat(", ", namespace_selector.matchNames)]) if {
	not namespace_selector.any == true
	count(object.get(namespace_selector, "matchNames", [])) > 0
}

scope_text := sprintf("namespace %s", [wiring.ns_display(kubernetes.namespace_of(sm))]) if {
	not namespace_selector.any == true
	count(object.get(namespace_selector, "matchNames", [])) == 0
}

violation contains {"msg": msg, "field": "spec.selector"} if {
	count(selected) == 0
	msg := sprintf(
		"%s: selector %s matches the labels of no Service in %s, so nothing is scraped; fix the selector, the Service labels or namespaceSelector",
		[kubernetes.display(sm), json.marshal(selector), scope_text],
	)
}

port_names := {p.name | some s in selected; some p in object.get(s, ["spec", "ports"], []); p.name}

violation contains {"msg": msg, "field": sprintf("spec.endpoints[%d].port", [i])} if {
	count(selected) > 0
	some i, e in object.get(sm, ["spec", "endpoints"], [])
	e.port
	not e.port in port_names
	msg := sprintf(
		"%s: endpoints[%d] scrapes port '%s', but the selected Services (%s) name only %s; use the Service port's name",
		[kubernetes.display(sm), i, e.port, concat(", ", sort([kubernetes.display(s) | some s in selected])), json.marshal(sort(port_names))],
	)
}
