package rules.monitoring.histogram_quantile_by_le_test

import rego.v1

import data.rules.monitoring.histogram_quantile_by_le

rule(expr) := {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "r", "namespace": "app"}, "spec": {"groups": [{"name": "g", "rules": [{"alert": "Slow", "expr": expr}]}]}}

violations(r) := v if {
	v := histogram_quantile_by_le.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_sum_by_le_allowed if {
	count(violations(rule(`histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))`))) == 0
	count(violations(rule(`histogram_quantile(0.95, sum(rate(x_bucket[5m])) by (route, le)) > 1`))) == 0
}

test_no_histogram_allowed if count(violations(rule(`rate(x[5m])`))) == 0

test_without_by_le_warning if {
	v := violations(rule(`histogram_quantile(0.95, rate(x_bucket[5m])) > 1`))
	count(v) == 1
	some f in v
	f.field == "spec.groups[0].rules[0].expr"
}

test_by_other_label_warning if count(violations(rule(`histogram_quantile(0.95, sum by (route) (rate(x_bucket[5m])))`))) == 1
