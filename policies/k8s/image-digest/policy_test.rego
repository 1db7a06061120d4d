package rules.k8s.image_digest_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.image_digest

v(obj, env) := x if {
	x := image_digest.violation with input as t.review(obj)
		with data.target.env as env
		with data.config as t.config
}

img(name, image) := {"name": name, "image": image}

zero := concat("", ["sha256:", concat("", [d | some _ in numbers.range(1, 64); d := "0"])])

test_pinned_allowed_in_prod_everywhere if {
	pinned := sprintf("ghcr.io/funlynk/backend:1.4.2@%s", [zero])
	spec := {"containers": [img("a", pinned)], "initContainers": [img("i", pinned)], "ephemeralContainers": [img("e", pinned)]}
	every _, obj in t.workloads(spec) {
		count(v(obj, "prod")) == 0
	}
}

test_unpinned_reported_for_every_container_kind if {
	spec := {"containers": [img("a", "nginx:alpine")], "initContainers": [img("i", "busybox:1.37.0")], "ephemeralContainers": [img("e", "x.io/y:1.0.0")]}
	every _, obj in t.workloads(spec) {
		count(v(obj, "prod")) == 3
	}
}

test_dev_is_warning if {
	v(t.deployment({"containers": [img("a", "ghcr.io/funlynk/backend:latest")]}), "dev") == {{
		"msg": "Deployment/app: container 'a' image 'ghcr.io/funlynk/backend:latest' is not pinned by digest; append @sha256:<digest> (required in prod)",
		"field": "spec.template.spec.containers[0].image",
		"severity": "warning",
	}}
}

test_unknown_env_is_warning if {
	some x in v(t.pod({"containers": [img("a", "nginx:1.27.3")]}), null)
	x.severity == "warning"
}

test_prod_release_tag_own_image_is_error_naming_release_workflow if {
	v(t.deployment({"containers": [img("api", "ghcr.io/funlynk/backend:v1.4.2")]}), "prod") == {{
		"msg": "Deployment/app: container 'api' image 'ghcr.io/funlynk/backend:v1.4.2' has no digest, and prod deploys only images pinned by digest; the release workflow (it writes the pushed digest into overlays/<env>/version.yaml) writes it: merge that change (or write image@sha256:<digest> from the registry)",
		"field": "spec.template.spec.containers[0].image",
	}}
}

test_prod_third_party_version_is_error_naming_renovate if {
	some x in v(t.cronjob({"containers": [img("pg", "postgres:16.4-alpine3.20")]}), "prod")
	not x.severity
	contains(x.msg, "Renovate (pinDigests) writes it")
	x.field == "spec.jobTemplate.spec.template.spec.containers[0].image"
}

test_prod_mutable_tag_is_error if {
	v(t.deployment({"containers": [img("a", "ghcr.io/funlynk/backend:main")]}), "prod") == {{
		"msg": "Deployment/app: container 'a' image 'ghcr.io/funlynk/backend:main' is not pinned by digest and its tag 'main' is not an immutable version; prod requires image@sha256:<digest> (or a version tag like 1.4.2 that digest automation pins)",
		"field": "spec.template.spec.containers[0].image",
	}}
}

test_prod_untagged_is_error if {
	some x in v(t.deployment({"containers": [img("a", "nginx")]}), "prod")
	not x.severity
	contains(x.msg, "its tag (none) is not an immutable version")
}

test_prod_version_without_automation_is_error if {
	v(t.deployment({"containers": [img("a", "registry.example.com/agent:2.1.0")]}), "prod") == {{
		"msg": "Deployment/app: container 'a' image 'registry.example.com/agent:2.1.0' is not pinned by digest and no digest automation covers registry.example.com/agent; prod requires image@sha256:<digest>",
		"field": "spec.template.spec.containers[0].image",
	}}
}

test_prod_without_automation_config_is_error if {
	x := image_digest.violation with input as t.review(t.deployment({"containers": [img("a", "ghcr.io/funlynk/backend:1.4.2")]}))
		with data.target.env as "prod"
		with data.config as {"digestRequiredIn": ["prod"]}
	count(x) == 1
	some f in x
	not f.severity
}

test_without_target_or_config_is_warning if {
	x := image_digest.violation with input as t.review(t.deployment({"containers": [img("a", "nginx:1.27.3")]}))
	count(x) == 1
	some f in x
	f.severity == "warning"
}
