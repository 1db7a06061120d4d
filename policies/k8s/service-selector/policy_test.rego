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

test_service_unknown_target_port_names_denied if {
	v := violations([deployment, service({"app": "api"}, [{"port": 80, "targetPort": 8080}, {"port": 81, "targetPort": "metrics"}, {"port": 3000}])], 1)
	count(v) == 1
	{f.field | some f in v} == {"spec.ports[1].targetPort"}
}

test_service_numeric_target_port_undeclared_allowed if {
	bare := object.union(deployment, {"spec": {"template": {"spec": {"containers": [{"name": "api"}]}}}})
	count(violations([bare, service({"app": "api"}, [{"port": 80, "targetPort": 8080}])], 1)) == 0
}

statefulset := {
	"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "app"},
	"spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db"}]}}},
}

test_service_statefulset_pod_name_allowed if {
	count(violations([statefulset, service({"statefulset.kubernetes.io/pod-name": "db-2"}, [{"port": 5432}])], 1)) == 0
	count(violations([statefulset, service({"statefulset.kubernetes.io/pod-name": "db-3"}, [{"port": 5432}])], 1)) == 1
}

test_service_prometheus_operator_pods_allowed if {
	prom := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "app"}, "spec": {"podMetadata": {"labels": {"team": "obs"}}}}
	count(violations([prom, service({"app.kubernetes.io/name": "prometheus", "prometheus": "k8s", "team": "obs"}, [{"port": 9090, "targetPort": "web"}])], 1)) == 0
}

test_service_pods_of_helmrelease_warning if {
	hr := {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "redis", "namespace": "flux-system"}, "spec": {"targetNamespace": "app"}}
	v := violations([hr, service({"app.kubernetes.io/name": "redis"}, [{"port": 6379}])], 1)
	count(v) == 1
	some f in v
	f.severity == "warning"
	contains(f.msg, "created by a resource the gate cannot render (HelmRelease/redis)")
}

test_deployment_is_not_evaluated if {
	count(violations([deployment], 0)) == 0
}

test_service_targets_sidecar_port_allowed if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": {"istio-injection": "enabled"}}}
	rs := [deployment, service({"app": "api"}, [{"port": 15020, "targetPort": 15020}, {"port": 15090, "targetPort": "http-envoy-prom"}]), ns]
	count(violations(rs, 1)) == 0
	count(violations([deployment, service({"app": "api"}, [{"port": 15090, "targetPort": "http-envoy-prom"}])], 1)) == 1
}
