package lib.kubernetes_test

import rego.v1

import data.lib.kubernetes
import data.lib.quantity

deployment := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "api", "tier": "web"}},
		"spec": {
			"initContainers": [{"name": "init"}],
			"containers": [{"name": "a"}, {"name": "b"}],
		},
	}},
}

cronjob := {
	"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job"},
	"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c"}]}}}}},
}

test_containers_include_init_with_paths if {
	paths := {e.path | some e in kubernetes.containers(deployment)}
	paths == {
		"spec.template.spec.containers[0]",
		"spec.template.spec.containers[1]",
		"spec.template.spec.initContainers[0]",
	}
}

test_cronjob_pod_spec_path if {
	kubernetes.pod_spec_path(cronjob) == "spec.jobTemplate.spec.template.spec"
	count(kubernetes.containers(cronjob)) == 1
}

test_service_is_not_workload if not kubernetes.is_workload({"kind": "Service"})

test_selector_match_labels_and_expressions if {
	kubernetes.selector_matches(
		{"matchLabels": {"app": "api"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]},
		kubernetes.pod_labels(deployment),
	)
}

test_selector_mismatch if not kubernetes.selector_matches({"matchLabels": {"app": "other"}}, {"app": "api"})

test_selector_does_not_exist if {
	kubernetes.selector_matches({"matchExpressions": [{"key": "x", "operator": "DoesNotExist"}]}, {"app": "api"})
	not kubernetes.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"app": "api"})
	kubernetes.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "api"})
	kubernetes.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]}]}, {"app": "api"})
}

test_empty_map_selector_matches_nothing if not kubernetes.map_selector_matches({}, {"app": "api"})

test_quantities_from_units if {
	quantity.cpu_millis("250m") == 250 with data.units as {"cpu": {"250m": 250}, "memory": {}}
	quantity.cpu_millis(2) == 2000 with data.units as {"cpu": {"2": 2000}, "memory": {}}
	quantity.memory_bytes("1Ki") == 1024 with data.units as {"cpu": {}, "memory": {"1Ki": 1024}}
	quantity.cpu_millis(0.5) == 500 with data.units as {"cpu": {"0.5": 500}, "memory": {}}
}
