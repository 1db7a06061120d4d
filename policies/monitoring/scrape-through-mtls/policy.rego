# METADATA
# title: ServiceMonitors can scrape pods behind STRICT mutual TLS
# description: >-
#   When a ServiceMonitor selects a Service in a namespace with STRICT mTLS (see
#   istio/peer-authentication-strict), each endpoint must either present Istio certificates
#   (tlsConfig, or scheme https) or scrape Istio's merged metrics: a Service port whose port or
#   targetPort is 15020 (merged agent and application metrics) or 15090 (Envoy stats), or path
#   /stats/prometheus. Otherwise Prometheus, outside the mesh, speaks plaintext to a sidecar that
#   only accepts mTLS. A deliberately simple check: PeerAuthentication portLevelMtls exceptions
#   are not considered (istio/no-permissive-mtls forbids them).
# scope: package
# custom:
#   id: monitoring/scrape-through-mtls
#   input: kubernetes
#   severity: warning
#   kinds: [ServiceMonitor]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: Under STRICT mTLS a plaintext scrape is reset by the sidecar; the target shows as down and every metric-based alert goes blind.
#   baseline: 'Istio "Prometheus" integration (metrics merging, scraping with Istio certificates); seed review #34'
package rules.monitoring.scrape_through_mtls

import rego.v1

import data.lib.istio
import data.lib.kubernetes
import data.lib.wiring

sm := kubernetes.resource if kubernetes.resource.kind == "ServiceMonitor"

namespace_selector := object.get(sm, ["spec", "namespaceSelector"], {})

in_scope(_) if namespace_selector.any == true

in_scope(ns) if ns in object.get(namespace_selector, "matchNames", [])

in_scope(ns) if {
	not namespace_selector.any == true
	count(object.get(namespace_selector, "matchNames", [])) == 0
	ns == kubernetes.namespace_of(sm)
}

strict_services := [s |
	some s in wiring.resources
	s.kind == "Service"
	in_scope(kubernetes.namespace_of(s))
	kubernetes.selector_matches(object.get(sm, ["spec", "selector"], {}), object.get(s, ["metadata", "labels"], {}))
	istio.strict_mtls(kubernetes.namespace_of(s))
]

istio_metrics_ports := {15020, 15090}

mesh_ready(e) if e.tlsConfig

mesh_ready(e) if e.scheme == "https"

mesh_ready(e) if e.path == "/stats/prometheus"

mesh_ready(e) if {
	some s in strict_services
	some p in object.get(s, ["spec", "ports"], [])
	p.name == e.port
	some n in [p.port, object.get(p, "targetPort", p.port)]
	n in istio_metrics_ports
}

violation contains {"msg": msg, "field": sprintf("spec.endpoints[%d]", [i])} if {
	count(strict_services) > 0
	some i, e in object.get(sm, ["spec", "endpoints"], [])
	not mesh_ready(e)
	msg := sprintf(
		"%s: endpoints[%d] scrapes %s in plaintext, but namespace %s enforces STRICT mTLS, so the sidecar rejects the scrape; scrape Istio's merged metrics port 15020 (/stats/prometheus) or give the endpoint a tlsConfig with Istio certificates",
		[kubernetes.display(sm), i, concat(", ", sort([kubernetes.display(s) | some s in strict_services])), concat(", ", sort({kubernetes.namespace_of(s) | some s in strict_services}))],
	)
}
