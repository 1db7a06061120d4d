package rules.k8s.service_selector_test

import rego.v1

import data.rules.k8s.service_selector

deployment := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "api"}},
		"spec": {"containers": [{"name": "api", "ports": [{"containerPort": 3000, "name": "http"}]}]},
	}},
}

service(selector, ports) := {
	"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"selector": selector, "ports": ports},
}

violations(resources, i) := v if {
	v := service_selector.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_service_matching_port_number_allowed if {
	count(violations([deployment, service({"app": "api"}, [{"port": 80, "targetPort": 3000}])], 1)) == 0
}

test_service_matching_port_name_allowed if {
	count(violations([deployment, service({"app": "api"}, [{"port": 80, "targetPort": "http"}])], 1)) == 0
}

test_service_without_selector_allowed if {
	count(violations([service({}, [{"port": 80}])], 0)) == 0
}

test_service_selecting_nothing_denied if {
	v := violations([deployment, service({"app": "web"}, [{"port": 80, "targetPort": 3000}])], 1)
	count(v) == 1
	some f in v
	f.field == "spec.selector"
}

test_service_in_other_namespace_denied if {
	other := object.union(deployment, {"metadata": {"name": "api", "namespace": "other"}})
	count(violations([other, service({"app": "api"}, [{"port": 80}])], 1)) == 1
}

test_service_unknown_target_ports_denied if {
	v := violations([deployment, service({"app": "api"}, [{"port": 80, "targetPort": 8080}, {"port": 81, "targetPort": "metrics"}, {"port": 3000}])], 1)
	count(v) == 2
	{f.field | some f in v} == {"spec.ports[0].targetPort", "spec.ports[1].targetPort"}
}

test_deployment_is_not_evaluated if {
	count(violations([deployment], 0)) == 0
}

test_service_targets_sidecar_port_allowed if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": {"istio-injection": "enabled"}}}
	rs := [deployment, service({"app": "api"}, [{"port": 15020, "targetPort": 15020}, {"port": 15090, "targetPort": "http-envoy-prom"}]), ns]
	count(violations(rs, 1)) == 0
	count(violations([deployment, service({"app": "api"}, [{"port": 15020}])], 1)) == 1
}
