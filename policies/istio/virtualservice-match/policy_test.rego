package rules.istio.virtualservice_match_test

import rego.v1

import data.rules.istio.virtualservice_match

vs(http) := {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "api", "namespace": "app"}, "spec": {"hosts": ["api.example.com"], "http": http}}

violations(r) := v if {
	v := virtualservice_match.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_uri_match_safe_retries_allowed if {
	count(violations(vs([{"match": [{"uri": {"prefix": "/api/"}, "headers": {"x-version": {"exact": "2"}}}], "retries": {"attempts": 2, "retryOn": "connect-failure, refused-stream,unavailable"}}]))) == 0
}

test_retries_disabled_allowed if count(violations(vs([{"retries": {"attempts": 0}}]))) == 0

test_host_header_denied if {
	v := violations(vs([{"match": [{"uri": {"prefix": "/api/"}}, {"headers": {"host": {"exact": "api.example.com"}}}]}]))
	count(v) == 1
	some f in v
	f.field == "spec.http[0].match[1].headers"
	not f.severity
}

test_authority_header_denied if {
	v := violations(vs([{"match": [{"headers": {":authority": {"exact": "api.example.com"}}}]}]))
	count(v) == 1
}

test_authority_match_warning if {
	v := violations(vs([{"match": [{"authority": {"exact": "api.example.com"}}]}]))
	count(v) == 1
	some f in v
	f.severity == "warning"
}

test_retries_without_retry_on_warning if {
	v := violations(vs([{"retries": {"attempts": 3, "perTryTimeout": "10s"}}]))
	count(v) == 1
	some f in v
	f.field == "spec.http[0].retries.retryOn"
}

test_retries_on_5xx_warning if {
	v := violations(vs([{"retries": {"attempts": 3, "retryOn": "5xx,connect-failure,reset"}}]))
	count(v) == 1
	some f in v
	contains(f.msg, "includes 5xx,reset")
}
