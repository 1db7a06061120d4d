package rules.k8s.hpa_target_test

import rego.v1

import data.rules.k8s.hpa_target

deployment(resources) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [{"name": "api", "resources": resources}]}}},
}

hpa(name, min, metrics) := {
	"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}, "minReplicas": min, "maxReplicas": 4, "metrics": metrics},
}

cpu_utilization := {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}

container_cpu(container) := {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": container, "target": {"type": "Utilization", "averageUtilization": 70}}}

memory_utilization := {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 80}}}

violations(resources, i) := v if {
	v := hpa_target.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_hpa_cpu_with_requests_allowed if {
	count(violations([deployment({"requests": {"cpu": "100m"}}), hpa("api", 2, [cpu_utilization, container_cpu("api")])], 1)) == 0
}

test_hpa_missing_target_denied if {
	v := violations([deployment({"requests": {"cpu": "100m"}}), hpa("backend", 2, [cpu_utilization])], 1)
	count(v) == 1
	some f in v
	f.field == "spec.scaleTargetRef.name"
}

test_hpa_min_above_max_denied if {
	count(violations([deployment({"requests": {"cpu": "100m"}}), hpa("api", 5, [])], 1)) == 1
}

test_hpa_cpu_without_requests_denied if {
	v := violations([deployment({}), hpa("api", 2, [cpu_utilization, container_cpu("api")])], 1)
	{f.field | some f in v} == {"spec.metrics[0].resource", "spec.metrics[1].containerResource"}
}

test_hpa_unknown_container_denied if {
	count(violations([deployment({"requests": {"cpu": "100m"}}), hpa("api", 2, [container_cpu("sidecar")])], 1)) == 1
}

test_hpa_memory_utilization_warning if {
	v := violations([deployment({"requests": {"cpu": "100m", "memory": "64Mi"}}), hpa("api", 2, [memory_utilization])], 1)
	count(v) == 1
	some f in v
	f.severity == "warning"
}
