package rules.k8s.replicas_under_hpa_test

import rego.v1

import data.rules.k8s.replicas_under_hpa

deployment(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"}, "spec": spec}

hpa(kind) := {
	"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"scaleTargetRef": {"kind": kind, "name": "api"}, "minReplicas": 2, "maxReplicas": 4},
}

violations(resources, i) := v if {
	v := replicas_under_hpa.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_deployment_without_replicas_under_hpa_allowed if count(violations([deployment({}), hpa("Deployment")], 0)) == 0

test_deployment_with_replicas_without_hpa_allowed if count(violations([deployment({"replicas": 3})], 0)) == 0

test_deployment_with_replicas_other_kind_hpa_allowed if count(violations([deployment({"replicas": 3}), hpa("StatefulSet")], 0)) == 0

test_deployment_with_replicas_under_hpa_denied if {
	v := violations([deployment({"replicas": 3}), hpa("Deployment")], 0)
	count(v) == 1
	some f in v
	f.field == "spec.replicas"
}
