package rules.k8s.image_tag_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.image_tag

v(obj) := x if {
	x := image_tag.violation with input as t.review(obj)
}

img(name, image) := {"name": name, "image": image}

zero := concat("", ["sha256:", concat("", [d | some _ in numbers.range(1, 64); d := "0"])])

test_version_tags_and_digests_allowed if {
	count(v(t.deployment({
		"containers": [img("a", "ghcr.io/funlynk/backend:1.4.2"), img("b", sprintf("nginx@%s", [zero]))],
		"initContainers": [img("i", sprintf("postgres:latest@%s", [zero]))],
		"ephemeralContainers": [img("e", "localhost:5000/tools/debug:0.1")],
	}))) == 0
}

test_latest_and_untagged_denied_everywhere if {
	spec := {
		"containers": [img("a", "ghcr.io/funlynk/backend:latest")],
		"initContainers": [img("i", "busybox")],
		"ephemeralContainers": [img("e", "localhost:5000/debug")],
	}
	every _, obj in t.workloads(spec) {
		count(v(obj)) == 3
	}
}

test_latest_message if {
	v(t.deployment({"containers": [img("api", "ghcr.io/funlynk/backend:latest")]})) == {{
		"msg": "Deployment/app: container 'api' image 'ghcr.io/funlynk/backend:latest' uses the mutable tag latest; use an immutable version tag such as 1.4.2 (and a digest)",
		"field": "spec.template.spec.containers[0].image",
	}}
}

test_untagged_message if {
	v(t.cronjob({"initContainers": [img("i", "busybox")]})) == {{
		"msg": "CronJob/app: init container 'i' image 'busybox' has no tag, which means latest; use an immutable version tag such as 1.4.2 (and a digest)",
		"field": "spec.jobTemplate.spec.template.spec.initContainers[0].image",
	}}
}
