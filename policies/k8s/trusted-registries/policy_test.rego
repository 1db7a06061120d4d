package rules.k8s.trusted_registries_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.trusted_registries

v(obj) := x if {
	x := trusted_registries.violation with input as t.review(obj)
		with data.config as t.config
}

img(name, image) := {"name": name, "image": image}

test_trusted_images_allowed if {
	count(v(t.deployment({
		"containers": [img("a", "ghcr.io/funlynk/backend:1.4.2"), img("b", "postgres:16.4")],
		"initContainers": [img("i", "bitnami/redis:7.4.1")],
		"ephemeralContainers": [img("e", "registry.k8s.io/kubectl:v1.35.0")],
	}))) == 0
}

test_untrusted_denied_for_every_container_kind if {
	spec := {
		"containers": [img("a", "someuser/app:1.0.0")],
		"initContainers": [img("i", "ghcr.io/other/app:1.0.0")],
		"ephemeralContainers": [img("e", "quay.io/other/app:1.0.0")],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_message if {
	v(t.pod({"containers": [img("a", "someuser/app:1.0.0")]})) == {{
		"msg": "Pod/app: container 'a' image 'someuser/app:1.0.0' (docker.io/someuser/app) is not from a trusted registry; use one of ghcr.io/funlynk/, docker.io/library/, docker.io/bitnami/, quay.io/prometheus/, registry.k8s.io/ or add the registry to policy.trustedRegistries in gitops.yaml",
		"field": "spec.containers[0].image",
	}}
}

test_no_config_trusts_nothing if {
	x := trusted_registries.violation with input as t.review(t.pod({"containers": [img("a", "postgres:16.4")]}))
		with data.config as {}
	count(x) == 1
}
