package rules.istio.sidecar_injection_test

import rego.v1

import data.rules.istio.sidecar_injection

namespace(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app", "labels": labels}}

pa := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "app"}, "spec": {"mtls": {"mode": "STRICT"}}}

mesh_pa := {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "STRICT"}}}

deployment(labels, annotations) := {
	"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "app"},
	"spec": {"template": {"metadata": {"labels": labels, "annotations": annotations}, "spec": {"containers": [{"name": "c"}]}}},
}

violations(resources, i) := v if {
	v := sidecar_injection.violation with input as {"kind": "kubernetes", "index": i, "resource": resources[i]}
		with data.target as {"name": "t", "env": "prod", "resources": resources}
}

test_injection_label_allowed if {
	rs := [namespace({"istio-injection": "enabled"}), pa, deployment({"app": "api"}, {})]
	count(violations(rs, 0)) == 0
	count(violations(rs, 1)) == 0
	count(violations(rs, 2)) == 0
}

test_revision_label_allowed if count(violations([namespace({"istio.io/rev": "stable"}), pa], 0)) == 0

test_namespace_without_policies_allowed if count(violations([namespace({}), mesh_pa], 0)) == 0

test_namespace_without_injection_denied if {
	v := violations([namespace({"name": "app"}), pa], 0)
	count(v) == 1
	some f in v
	f.field == "metadata.labels"
}

test_undeclared_namespace_warning if {
	rs := [pa, pa]
	v := violations(rs, 0)
	count(v) == 1
	some f in v
	f.severity == "warning"
	count(violations(rs, 1)) == 0
}

test_pod_opt_out_label_denied if {
	v := violations([namespace({"istio-injection": "enabled"}), pa, deployment({"sidecar.istio.io/inject": "false"}, {})], 2)
	count(v) == 1
	some f in v
	f.field == "spec.template.metadata.labels"
}

test_pod_opt_out_annotation_denied if {
	v := violations([namespace({"istio-injection": "enabled"}), pa, deployment({}, {"sidecar.istio.io/inject": "false"})], 2)
	count(v) == 1
	some f in v
	f.field == "spec.template.metadata.annotations"
}
