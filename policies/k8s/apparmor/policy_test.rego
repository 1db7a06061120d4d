package rules.k8s.apparmor_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.apparmor

v(obj) := x if {
	x := apparmor.violation with input as t.review(obj)
}

profile(type) := {"appArmorProfile": {"type": type}}

test_unset_runtime_default_localhost_allowed if {
	count(v(t.deployment({
		"securityContext": profile("RuntimeDefault"),
		"containers": [{"name": "a"}, {"name": "b", "securityContext": profile("Localhost")}],
	}))) == 0
}

test_unconfined_pod_and_every_container_kind_denied if {
	spec := {
		"securityContext": profile("Unconfined"),
		"containers": [{"name": "a", "securityContext": profile("Unconfined")}],
		"initContainers": [{"name": "i", "securityContext": profile("Unconfined")}],
		"ephemeralContainers": [{"name": "e", "securityContext": profile("Unconfined")}],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 4
	}
}

test_pod_level_field if {
	v(t.pod({"securityContext": profile("Unconfined")})) == {{
		"msg": "Pod/app: pod sets appArmorProfile.type: Unconfined; use RuntimeDefault or Localhost",
		"field": "spec.securityContext.appArmorProfile.type",
	}}
}

with_annotation(obj, value) := json.patch(obj, [{
	"op": "add", "path": "/spec/template/metadata/annotations",
	"value": {"container.apparmor.security.beta.kubernetes.io/a": value, "other.io/x": "unconfined"},
}])

test_annotation_allowed_values if {
	count(v(with_annotation(t.deployment({}), "runtime/default"))) == 0
	count(v(with_annotation(t.deployment({}), "localhost/my-profile"))) == 0
}

test_annotation_unconfined_denied if {
	v(with_annotation(t.deployment({}), "unconfined")) == {{
		"msg": "Deployment/app: annotation container.apparmor.security.beta.kubernetes.io/a is unconfined; use runtime/default or localhost/<profile> (or appArmorProfile in securityContext)",
		"field": "spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/a\"]",
	}}
}
