package rules.k8s.namespace_pss_label_test

import rego.v1

import data.rules.k8s.namespace_pss_label

v(obj) := x if {
	x := namespace_pss_label.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

ns(labels, annotations) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "funlynk", "labels": labels, "annotations": annotations}}

enforce(level) := {"pod-security.kubernetes.io/enforce": level}

field := "metadata.labels[\"pod-security.kubernetes.io/enforce\"]"

test_restricted_and_baseline_allowed if {
	count(v(ns(enforce("restricted"), {}))) == 0
	count(v(ns(enforce("baseline"), {}))) == 0
}

test_privileged_with_reason_allowed if {
	count(v(ns(enforce("privileged"), {"funlynk.io/pss-exception-reason": "istio-cni node agent"}))) == 0
}

test_missing_label_denied if {
	v(ns({"istio-injection": "enabled"}, {})) == {{
		"msg": "Namespace/funlynk: has no pod-security.kubernetes.io/enforce label, so any pod is admitted; set it to restricted (or baseline)",
		"field": field,
	}}
}

test_no_labels_at_all_denied if count(v({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})) == 1

test_privileged_without_reason_denied if {
	v(ns(enforce("privileged"), {"funlynk.io/pss-exception-reason": "  "})) == {{
		"msg": "Namespace/funlynk: enforces the privileged level without a reason; set restricted or baseline, or annotate funlynk.io/pss-exception-reason with why this namespace needs privileged pods",
		"field": field,
	}}
}

test_unknown_level_denied if {
	v(ns(enforce("strict"), {})) == {{
		"msg": "Namespace/funlynk: label pod-security.kubernetes.io/enforce is strict, which is not a Pod Security level; set restricted (or baseline)",
		"field": field,
	}}
}

test_other_kinds_ignored if count(v({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})) == 0
