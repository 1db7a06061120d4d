package rules.monitoring.prometheusrule_job_label_test

import rego.v1

import data.rules.monitoring.prometheusrule_job_label

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "backend-service", "namespace": "app", "labels": {"app.kubernetes.io/name": "backend"}}}

sm := {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "b", "namespace": "app"}, "spec": {"jobLabel": "app.kubernetes.io/name", "selector": {}}}

rule(expr) := {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": {"name": "r", "namespace": "app"}, "spec": {"groups": [{"name": "g", "rules": [{"record": "x", "expr": expr}]}]}}

dashboard(expr) := {
	"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d", "namespace": "app", "labels": {"grafana_dashboard": "1"}},
	"data": {"d.json": json.marshal({"title": "D", "panels": [{"targets": [{"expr": expr}]}]})},
}

violations(resources, i) := v if {
	v := prometheusrule_job_label.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_job_is_service_name_allowed if count(violations([rule(`rate(x{job="backend-service"}[5m])`), service], 0)) == 0

test_job_from_job_label_allowed if count(violations([rule(`rate(x{job='backend'}[5m])`), service, sm], 0)) == 0

test_regex_and_negative_matchers_ignored if count(violations([rule(`rate(x{job=~"back.*", job!="y"}[5m])`), service], 0)) == 0

test_unknown_job_in_rule_warning if {
	v := violations([rule(`rate(x{job="backend"}[5m]) / rate(y{job = "other"}[5m])`), service], 0)
	count(v) == 2
}

test_unknown_job_in_dashboard_warning if {
	v := violations([dashboard(`rate(http_requests_total{job="backend"}[5m])`), service], 0)
	count(v) == 1
	some f in v
	f.field == "data"
	contains(f.msg, "dashboard d.json")
}
