# METADATA
# title: VirtualService matches route by host through spec.hosts, and retries stay safe
# description: >-
#   An http match on `headers: {host: ...}` never matches (Envoy keeps the host in :authority) and
#   a `:authority` header match, placed beside other entries of one match list, is OR-ed with them:
#   route by host with spec.hosts, one VirtualService per host. A match on `authority` is a
#   warning for the same reason. Retries should name retryOn limited to conditions where the
#   request never reached the application (connect-failure, refused-stream, unavailable,
#   cancelled, retriable-status-codes), so a POST or PUT is never replayed after it ran.
# scope: package
# custom:
#   id: istio/virtualservice-match
#   input: kubernetes
#   severity: error
#   kinds: [VirtualService]
#   rationale: >-
#     Entries of one match list are OR-ed: `[{uri: /api/}, {headers: {host: api}}]` sends /api/ on
#     any host to the backend while the host entry never matches, so an admin route behind it is
#     dead. Retrying 5xx or reset replays non-idempotent requests that already had effects.
#   baseline: 'Istio HTTPMatchRequest and HTTPRetry reference; seed review #30'
package rules.istio.virtualservice_match

import rego.v1

import data.lib.kubernetes

vs := kubernetes.resource if kubernetes.resource.kind == "VirtualService"

matches contains {"match": m, "path": sprintf("spec.http[%d].match[%d]", [i, j])} if {
	some i, route in object.get(vs.spec, "http", [])
	some j, m in object.get(route, "match", [])
}

host_headers := {"host", ":authority"}

violation contains {"msg": msg, "field": sprintf("%s.headers", [m.path])} if {
	some m in matches
	some key, _ in m.match.headers
	lower(key) in host_headers
	msg := sprintf(
		"%s: %s matches the '%s' header; %s, and entries of one match list are OR-ed with each other; list the host in spec.hosts instead (one VirtualService per host)",
		[kubernetes.display(vs), trim_prefix(m.path, "spec."), key, header_reason(lower(key))],
	)
}

header_reason("host") := "Envoy keeps the host in :authority, so a host header match never matches"

header_reason(":authority") := "the host belongs in spec.hosts, where it is matched before any route"

violation contains {"msg": msg, "field": sprintf("%s.authority", [m.path]), "severity": "warning"} if {
	some m in matches
	m.match.authority
	msg := sprintf(
		"%s: %s matches on authority; entries of one match list are OR-ed, so other entries still match any host; prefer one VirtualService per host with the host in spec.hosts",
		[kubernetes.display(vs), trim_prefix(m.path, "spec.")],
	)
}

safe_retry_on := {"connect-failure", "refused-stream", "unavailable", "cancelled", "retriable-status-codes"}

retrying contains {"retries": route.retries, "path": sprintf("spec.http[%d].retries", [i])} if {
	some i, route in object.get(vs.spec, "http", [])
	object.get(route.retries, "attempts", 1) > 0
}

violation contains {"msg": msg, "field": sprintf("%s.retryOn", [r.path]), "severity": "warning"} if {
	some r in retrying
	not r.retries.retryOn
	msg := sprintf(
		"%s: %s sets %v attempts without retryOn; state retryOn: connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes so requests that reached the application (POST, PUT) are never replayed",
		[kubernetes.display(vs), trim_prefix(r.path, "spec."), object.get(r.retries, "attempts", "default")],
	)
}

violation contains {"msg": msg, "field": sprintf("%s.retryOn", [r.path]), "severity": "warning"} if {
	some r in retrying
	unsafe := {trim_space(t) | some t in split(r.retries.retryOn, ",")} - safe_retry_on
	count(unsafe) > 0
	msg := sprintf(
		"%s: %s retryOn includes %s, which replays requests the application may already have processed (POST, PUT); limit it to connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes",
		[kubernetes.display(vs), trim_prefix(r.path, "spec."), concat(",", sort(unsafe))],
	)
}
