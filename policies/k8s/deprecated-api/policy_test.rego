package rules.k8s.deprecated_api_test

import rego.v1

import data.rules.k8s.deprecated_api

v(obj, version) := x if {
	x := deprecated_api.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
		with data.config as {"kubernetesVersion": version}
}

obj(api, kind) := {"apiVersion": api, "kind": kind, "metadata": {"name": "x"}}

test_current_apis_allowed if {
	every o in [
		obj("policy/v1", "PodDisruptionBudget"), obj("autoscaling/v2", "HorizontalPodAutoscaler"),
		obj("batch/v1", "CronJob"), obj("flowcontrol.apiserver.k8s.io/v1", "FlowSchema"), obj("apps/v1", "Deployment"),
		obj("networking.istio.io/v1", "VirtualService"),
	] {
		count(v(o, "1.35.0")) == 0
	}
}

test_removed_pdb_is_error_with_replacement if {
	v(obj("policy/v1beta1", "PodDisruptionBudget"), "1.35.0") == {{
		"msg": "PodDisruptionBudget/x: policy/v1beta1 PodDisruptionBudget is no longer served since Kubernetes 1.25 (clusters run 1.35.0); use policy/v1",
		"field": "apiVersion",
	}}
}

test_removed_examples if {
	every o in [
		obj("autoscaling/v2beta2", "HorizontalPodAutoscaler"), obj("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"),
		obj("extensions/v1beta1", "Ingress"), obj("batch/v1beta1", "CronJob"), obj("apps/v1beta2", "Deployment"),
	] {
		some x in v(o, "1.35.0")
		not x.severity
	}
}

test_deprecated_is_warning if {
	v(obj("v1", "Endpoints"), "v1.35.0") == {{
		"msg": "Endpoints/x: v1 Endpoints is deprecated since Kubernetes 1.33; use discovery.k8s.io/v1 EndpointSlice",
		"field": "apiVersion",
		"severity": "warning",
	}}
}

test_deprecated_not_yet_removed_on_older_cluster if {
	v(obj("autoscaling/v2beta2", "HorizontalPodAutoscaler"), "1.24.3") == {{
		"msg": "HorizontalPodAutoscaler/x: autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since Kubernetes 1.23 and removed in 1.26; use autoscaling/v2",
		"field": "apiVersion",
		"severity": "warning",
	}}
}

test_before_deprecation_nothing if {
	count(v(obj("v1", "Endpoints"), "1.32.0")) == 0
	count(v(obj("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"), "1.28.0")) == 0
}
