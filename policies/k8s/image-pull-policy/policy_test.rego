package rules.k8s.image_pull_policy_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.image_pull_policy

v(obj) := x if {
	x := image_pull_policy.violation with input as t.review(obj)
}

c(name, image, policy) := {"name": name, "image": image, "imagePullPolicy": policy}

zero := concat("", ["sha256:", concat("", [d | some _ in numbers.range(1, 64); d := "0"])])

test_sensible_policies_allowed if {
	count(v(t.deployment({"containers": [
		c("a", "ghcr.io/funlynk/backend:1.4.2", "IfNotPresent"),
		{"name": "b", "image": "nginx:1.27.3"},
		{"name": "c", "image": sprintf("nginx@%s", [zero])},
		c("d", "nginx:alpine", "Always"),
		{"name": "e", "image": "nginx:latest"},
		{"name": "f", "image": "nginx"},
	]}))) == 0
}

test_never_denied_for_every_container_kind if {
	spec := {
		"containers": [c("a", "x:1.0.0", "Never")],
		"initContainers": [c("i", "x:1.0.0", "Never")],
		"ephemeralContainers": [c("e", "x:1.0.0", "Never")],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_mutable_tag_with_default_policy if {
	v(t.deployment({"containers": [{"name": "a", "image": "nginx:alpine"}]})) == {{
		"msg": "Deployment/app: container 'a' pulls the mutable image 'nginx:alpine' with imagePullPolicy IfNotPresent (the default for a tag other than latest), so nodes keep stale copies; pin a digest or an immutable version tag",
		"field": "spec.template.spec.containers[0].imagePullPolicy",
	}}
}

test_mutable_tag_with_explicit_if_not_present if {
	v(t.cronjob({"initContainers": [c("i", "busybox", "IfNotPresent")]})) == {{
		"msg": "CronJob/app: init container 'i' pulls the mutable image 'busybox' with imagePullPolicy IfNotPresent, so nodes keep stale copies; pin a digest or an immutable version tag",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].imagePullPolicy",
	}}
}

test_always_with_digest_is_info if {
	v(t.pod({"containers": [c("a", sprintf("ghcr.io/funlynk/backend:1.4.2@%s", [zero]), "Always")]})) == {{
		"msg": "Pod/app: container 'a' sets imagePullPolicy: Always for an image pinned by digest; IfNotPresent gives the same image without a registry round trip on every start",
		"field": "spec.containers[0].imagePullPolicy",
		"severity": "info",
	}}
}
