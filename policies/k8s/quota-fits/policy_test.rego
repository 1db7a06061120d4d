package rules.k8s.quota_fits_test

import rego.v1

import data.rules.k8s.quota_fits

units := {
	"cpu": {"100m": 100, "250m": 250, "500m": 500, "4": 4000, "8": 8000, "20": 20000},
	"memory": {"128Mi": 134217728, "256Mi": 268435456, "512Mi": 536870912, "8Gi": 8589934592, "16Gi": 17179869184},
}

config := {"istioSidecar": {"cpuRequest": "100m", "cpuLimit": "500m", "memoryRequest": "128Mi", "memoryLimit": "256Mi"}}

namespace(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": labels}}

quota(hard) := {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "app"}, "spec": {"hard": hard}}

seed_hard := {"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi", "pods": "20"}

full := {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}

deployment(resources, annotations) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {
		"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
		"template": {"metadata": {"labels": {"app": "api"}, "annotations": annotations}, "spec": {
			"initContainers": [{"name": "migrate", "resources": full}],
			"containers": [{"name": "api", "resources": resources}],
		}},
	},
}

hpa := {
	"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": 3, "maxReplicas": 10},
}

limit_range := {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "defaults", "namespace": "app"}, "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "250m"}}]}}

violations(resources, i) := v if {
	v := quota_fits.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
		with data.units as units
		with data.config as config
}

test_quota_fits_without_sidecar_allowed if {
	# 11 pods x 500m = 5500m <= 8000m; requests 11 x 250m = 2750m <= 4000m
	rs := [namespace({}), quota(seed_hard), deployment(full, {}), hpa]
	count(violations(rs, 1)) == 0
	count(violations(rs, 2)) == 0
}

test_quota_too_small_with_sidecar_denied if {
	# 11 pods x (500m + 500m sidecar) = 11000m > 8000m; everything else fits
	rs := [namespace({"istio-injection": "enabled"}), quota(seed_hard), deployment(full, {}), hpa]
	v := violations(rs, 1)
	count(v) == 1
	some f in v
	contains(f.msg, "limits.cpu 8 (8000m) is below the 11000m")
}

test_quota_sidecar_annotations_override_allowed if {
	ann := {"sidecar.istio.io/inject": "true", "sidecar.istio.io/proxyCPULimit": "100m"}
	rs := [namespace({}), quota(seed_hard), deployment(full, ann), hpa]
	count(violations(rs, 1)) == 0
}

test_quota_cpu_alias_denied if {
	rs := [namespace({"istio-injection": "enabled"}), quota({"cpu": "500m", "memory": "16Gi"}), deployment(full, {}), hpa]
	v := violations(rs, 1)
	count(v) == 1
}

test_quota_unparsed_quantity_warning if {
	rs := [namespace({}), quota({"limits.cpu": "eight"}), deployment(full, {}), hpa]
	v := violations(rs, 1)
	count(v) == 1
	some f in v
	f.severity == "warning"
}

test_quota_without_surge_recreate_allowed if {
	base := deployment(full, {})
	d := object.union(base, {"spec": {"strategy": {"type": "Recreate"}}})
	rs := [namespace({"istio-injection": "enabled"}), quota({"limits.cpu": "20"}), d, hpa]
	count(violations(rs, 1)) == 0
}

test_container_without_quota_resource_denied if {
	rs := [namespace({}), quota({"limits.cpu": "20", "requests.memory": "16Gi"}), deployment({"requests": {"memory": "256Mi"}}, {}), hpa]
	v := violations(rs, 2)
	count(v) == 1
	some f in v
	f.field == "spec.template.spec.containers[0].resources.limits.cpu"
}

test_container_without_quota_resource_limitrange_allowed if {
	rs := [namespace({}), quota({"limits.cpu": "20", "requests.cpu": "20"}), deployment({}, {}), hpa, limit_range]
	count(violations(rs, 2)) == 0
}

test_quota_sidecar_defaults_outside_units_denied if {
	# the gate's units table holds only the target's quantities, not the config's sidecar defaults
	target_only := {"cpu": {"250m": 250, "500m": 500, "8": 8000}, "memory": {"256Mi": 268435456, "512Mi": 536870912}}
	rs := [namespace({"istio-injection": "enabled"}), quota({"limits.cpu": "8"}), deployment(full, {}), hpa]
	v := quota_fits.violation with input as {"kind": "kubernetes", "index": 1, "resource": rs[1]}
		with data.target as {"name": "t", "env": "prod", "resources": rs}
		with data.units as target_only
		with data.config as config
	count(v) == 1
	some f in v
	contains(f.msg, "11000m")
}

test_fallback_quantity_parsing if {
	quota_fits.amount("cpu", 2) == 2000 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("cpu", "1.5") == 1500 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("cpu", "100m") == 100 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("memory", "1Gi") == 1073741824 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("memory", "2G") == 2000000000 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("memory", "512") == 512 with data.units as {"cpu": {}, "memory": {}}
	quota_fits.amount("memory", 64) == 64 with data.units as {"cpu": {}, "memory": {}}
	not quota_fits.amount("memory", "lots") with data.units as {"cpu": {}, "memory": {}}
}

test_quota_counts_sidecar_where_istio_policies_exist_denied if {
	pa := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "app"}, "spec": {"mtls": {"mode": "STRICT"}}}
	rs := [namespace({}), quota(seed_hard), deployment(full, {}), hpa, pa]
	count(violations(rs, 1)) == 1
	opted_out := [namespace({}), quota(seed_hard), deployment(full, {"sidecar.istio.io/inject": "false"}), hpa, pa]
	count(violations(opted_out, 1)) == 0
}

test_quota_pods_too_few_denied if {
	# HPA max 10 + surge 1 = 11 pods > 10
	rs := [namespace({}), quota(object.union(seed_hard, {"pods": "10"})), deployment(full, {}), hpa]
	v := violations(rs, 1)
	count(v) == 1
	some f in v
	f.field == "spec.hard.pods"
	contains(f.msg, "below the 11 pods")
}

test_quota_pods_enough_allowed if {
	rs := [namespace({}), quota(object.union(seed_hard, {"pods": "11"})), deployment(full, {}), hpa]
	count(violations(rs, 1)) == 0
}
