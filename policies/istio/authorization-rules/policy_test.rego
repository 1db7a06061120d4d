package rules.istio.authorization_rules_test

import rego.v1

import data.rules.istio.authorization_rules

ap(spec) := {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy", "metadata": {"name": "p", "namespace": "app"}, "spec": spec}

from := [{"source": {"principals": ["cluster.local/ns/istio-system/sa/gateway"]}}]

to := [{"operation": {"methods": ["GET"]}}]

violations(r) := v if {
	v := authorization_rules.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_rules_with_from_allowed if count(violations(ap({"rules": [{"from": from, "to": to}, {"from": from}]}))) == 0

test_allow_nothing_allowed if count(violations(ap({}))) == 0

test_deny_without_from_allowed if count(violations(ap({"action": "DENY", "rules": [{"to": to}]}))) == 0

test_rule_only_to_denied if {
	v := violations(ap({"rules": [{"from": from}, {"to": to}]}))
	count(v) == 1
	some f in v
	f.field == "spec.rules[1].from"
	contains(f.msg, "these operations")
}

test_empty_rule_denied if {
	v := violations(ap({"action": "ALLOW", "rules": [{}]}))
	count(v) == 1
	some f in v
	f.field == "spec.rules[0]"
}

test_rule_only_when_denied if {
	v := violations(ap({"rules": [{"when": [{"key": "request.headers[x]", "values": ["1"]}], "from": []}]}))
	count(v) == 1
}
