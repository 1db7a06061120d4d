package lib.pss_test

import rego.v1

import data.lib.pss
import data.lib.testing as t

test_name_of_unnamed_object if {
	pss.name({"kind": "Pod", "metadata": {"generateName": "debug-"}}) == "Pod/<unnamed>"
	pss.name({"kind": "Pod"}) == "Pod/<unnamed>"
}

test_name_of_named_object if pss.name(t.deployment({})) == "Deployment/app"

test_field_key_plain_and_quoted if {
	pss.field_key("app") == ".app"
	pss.field_key("app.kubernetes.io/name") == "[\"app.kubernetes.io/name\"]"
}

test_label_of_each_container_kind if {
	labels := {pss.label(e) | some e in data.lib.kubernetes.containers(t.pod({
		"containers": [{"name": "a"}],
		"initContainers": [{"name": "i"}],
		"ephemeralContainers": [{"name": "e"}],
	}))}
	labels == {"container 'a'", "init container 'i'", "ephemeral container 'e'"}
}

test_workload_only_for_kubernetes_workloads if {
	pss.workload == t.job({}) with input as t.review(t.job({}))
	not pss.workload with input as t.review({"kind": "Service", "metadata": {"name": "s"}})
	not pss.workload with input as {"kind": "dockerfile", "resource": {"kind": "Deployment"}}
}
