package rules.monitoring.grafana_dashboard_test

import rego.v1

import data.rules.monitoring.grafana_dashboard

cm(labels, content) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d", "namespace": "monitoring", "labels": labels}, "data": content}

model := json.marshal({"title": "D", "panels": []})

wrapped := json.marshal({"dashboard": {"title": "D", "panels": []}})

label := {"grafana_dashboard": "1"}

violations(r) := v if {
	v := grafana_dashboard.violation with input as {"kind": "kubernetes", "index": 0, "resource": r}
		with data.target as {"name": "t", "env": "prod", "resources": [r]}
}

test_model_with_label_allowed if count(violations(cm(label, {"d.json": model, "notes.txt": "x"}))) == 0

test_other_json_unlabelled_allowed if count(violations(cm({}, {"settings.json": "{\"a\": 1}", "bad.json": "{"}))) == 0

test_wrapped_denied if {
	v := violations(cm(label, {"d.json": wrapped}))
	count(v) == 1
	some f in v
	f.field == "data"
}

test_invalid_json_denied if count(violations(cm(label, {"d.json": "{\"title\": "}))) == 1

test_unlabelled_wrapped_denied if {
	v := violations(cm({}, {"d.json": wrapped}))
	count(v) == 2
	{f.field | some f in v} == {"data", "metadata.labels"}
}
