# METADATA
# title: Gateways serve named hosts over TLS with a certificate that exists
# description: >-
#   No server host `*` (or `ns/*`); plain HTTP servers (protocol HTTP or port 80) set
#   tls.httpsRedirect; HTTPS servers use tls.mode SIMPLE, MUTUAL or OPTIONAL_MUTUAL with a
#   credentialName whose Secret is produced (Secret, cert-manager Certificate, ExternalSecret,
#   SealedSecret) in the namespace of the gateway workload: the namespace of the target's workloads
#   that the Gateway's selector matches, else the Gateway's own namespace.
# scope: package
# custom:
#   id: istio/gateway-tls
#   input: kubernetes
#   severity: error
#   kinds: [Gateway]
#   ci_only: "reports what another object lacks or what is missing; at admission that object may still be on its way in the same sync, so admission would refuse a correct change"
#   rationale: >-
#     A `*` host exposes every VirtualService bound to the Gateway; plain HTTP without redirect
#     serves traffic unencrypted; the gateway proxy reads credentialName from its own namespace
#     only, so a Secret elsewhere (or never created) leaves the listener without a certificate.
#   baseline: 'Istio security best practices (Gateway hosts, HTTPS redirect, credentialName); seed review #33'
package rules.istio.gateway_tls

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

gw := kubernetes.resource if kubernetes.resource.kind == "Gateway"

servers := object.get(gw, ["spec", "servers"], [])

violation contains {"msg": msg, "field": sprintf("spec.servers[%d].hosts[%d]", [i, j])} if {
	some i, server in servers
	some j, host in object.get(server, "hosts", [])
	host_is_any(host)
	msg := sprintf("%s: servers[%d] accepts host '%s', which exposes every VirtualService bound to it; list the real host names", [kubernetes.display(gw), i, host])
}

host_is_any("*")

host_is_any(host) if endswith(host, "/*")

plain_http(server) if upper(object.get(server, ["port", "protocol"], "")) == "HTTP"

plain_http(server) if server.port.number == 80

violation contains {"msg": msg, "field": sprintf("spec.servers[%d].tls.httpsRedirect", [i])} if {
	some i, server in servers
	plain_http(server)
	not server.tls.httpsRedirect == true
	msg := sprintf("%s: servers[%d] serves plain HTTP on port %v without tls.httpsRedirect: true; redirect it to HTTPS", [kubernetes.display(gw), i, server.port.number])
}

https(server) if upper(object.get(server, ["port", "protocol"], "")) == "HTTPS"

tls_modes := {"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"}

violation contains {"msg": msg, "field": sprintf("spec.servers[%d].tls.mode", [i])} if {
	some i, server in servers
	https(server)
	mode := object.get(server, ["tls", "mode"], "unset")
	not mode in tls_modes
	msg := sprintf("%s: servers[%d] is HTTPS with tls.mode %s; use SIMPLE (or MUTUAL) with a credentialName", [kubernetes.display(gw), i, mode])
}

violation contains {"msg": msg, "field": sprintf("spec.servers[%d].tls.credentialName", [i])} if {
	some i, server in servers
	https(server)
	not server.tls.credentialName
	msg := sprintf("%s: servers[%d] is HTTPS without tls.credentialName; name the Secret holding the certificate (issued by cert-manager)", [kubernetes.display(gw), i])
}

# Namespaces of the gateway proxy: workloads of the target matched by the Gateway's selector.
selector := object.get(gw, ["spec", "selector"], {})

workload_namespaces := {kubernetes.namespace_of(w) |
	some w in wiring.workloads
	kubernetes.map_selector_matches(selector, kubernetes.pod_labels(w))
}

proxy_namespaces := workload_namespaces if count(workload_namespaces) > 0

proxy_namespaces := {kubernetes.namespace_of(gw)} if count(workload_namespaces) == 0

where := ", where the gateway proxy selected by this Gateway runs and reads it" if count(workload_namespaces) > 0

where := ", the Gateway's namespace; the gateway proxy reads credentialName only from its own namespace, so the Gateway must live beside the proxy" if count(workload_namespaces) == 0

external_secrets := {n | some n in object.get(data.config, ["external", "secrets"], [])}

violation contains {"msg": msg, "field": sprintf("spec.servers[%d].tls.credentialName", [i])} if {
	some i, server in servers
	name := server.tls.credentialName
	not name in external_secrets
	some ns in proxy_namespaces
	not name in wiring.produced_secrets(ns)
	msg := sprintf(
		"%s: servers[%d] credentialName '%s' is not created in namespace %s (no Secret, Certificate, ExternalSecret or SealedSecret there)%s; add a cert-manager Certificate with secretName %s in %s",
		[kubernetes.display(gw), i, name, wiring.ns_display(ns), where, name, wiring.ns_display(ns)],
	)
}
