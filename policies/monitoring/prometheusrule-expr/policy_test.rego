package rules.monitoring.prometheusrule_expr_test

import rego.v1

import data.rules.monitoring.prometheusrule_expr

rule(exprs) := {
	"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"groups": [{"name": "api", "rules": [{"alert": sprintf("A%d", [i]), "expr": e} | some i, e in exprs]}]},
}

violations(r, promql) := v if {
	v := prometheusrule_expr.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
		with data.promql as promql
}

test_valid_expr_allowed if count(violations(rule(["up == 0"]), {"up == 0": {"ok": true, "error": ""}})) == 0

test_unparsed_expr_ignored if count(violations(rule(["up == 0"]), {})) == 0

test_invalid_expr_denied if {
	v := violations(rule(["up == 0", "rate(x[5m]"]), {"up == 0": {"ok": true, "error": ""}, "rate(x[5m]": {"ok": false, "error": "unclosed left parenthesis"}})
	count(v) == 1
	some f in v
	f.field == "spec.groups[0].rules[1].expr"
	contains(f.msg, "unclosed left parenthesis")
}

test_configmap_not_evaluated if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}, "data": {"d.json": "{\"panels\": [{\"targets\": [{\"expr\": \"rate(x[5m]\"}]}]}"}}
	count(violations(cm, {"rate(x[5m]": {"ok": false, "error": "e"}})) == 0
}
