package rules.monitoring.histogram_quantile_by_le_test

import rego.v1

import data.rules.monitoring.histogram_quantile_by_le

rule(expr) := {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "r", "namespace": "app"}, "spec": {"groups": [{"name": "g", "rules": [{"alert": "Slow", "expr": expr}]}]}}

# facts(expr, problems): data.promql as the gate computes it over the parsed tree.
facts(expr, problems) := {expr: {"ok": true, "error": "", "typeErrors": [], "histogramQuantile": problems}}

violations(r, promql) := v if {
	v := histogram_quantile_by_le.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
		with data.promql as promql
}

test_sum_by_le_allowed if {
	e := `histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))`
	count(violations(rule(e), facts(e, []))) == 0
}

test_unparsed_expr_ignored if count(violations(rule(`histogram_quantile(0.9, rate(x_bucket[5m]))`), {})) == 0

test_bucket_problem_warning if {
	e := `histogram_quantile(0.95, sum by (route) (rate(x_bucket[5m])))`
	v := violations(rule(e), facts(e, ["histogram_quantile's sum keeps only route, so the buckets lose le"]))
	count(v) == 1
	some f in v
	f.field == "spec.groups[0].rules[0].expr"
	contains(f.msg, "keeps only route")
}

test_dashboard_expr_warning if {
	e := `histogram_quantile(0.95, rate(x_bucket[5m]))`
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d", "namespace": "app", "labels": {"grafana_dashboard": "1"}}, "data": {"d.json": json.marshal({"panels": [{"targets": [{"expr": e}]}]})}}
	count(violations(cm, facts(e, ["histogram_quantile reads bucket series without aggregating them by le"]))) == 1
}
