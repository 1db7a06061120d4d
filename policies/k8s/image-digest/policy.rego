# METADATA
# title: Images must be pinned by digest
# description: >-
#   Every container image carries @sha256:<digest>. In an environment listed in data.config.digestRequiredIn a
#   missing digest is always an error; the message names where the digest comes from: the automation of
#   data.config.digestAutomation (release workflow, Renovate) whose prefix matches the image when its tag is an
#   immutable version (lib.images), else nobody, and then the tag itself must change. Elsewhere a missing digest
#   is a warning. An exception in a required environment is a waiver for that one image, with an expiry.
# scope: package
# custom:
#   id: k8s/image-digest
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   ci_only: "needs repository facts: which automation (the release workflow, Renovate) writes the digest"
#   rationale: Tags can be moved or re-pushed; only a digest guarantees that what was reviewed is what runs.
#   baseline: CIS Docker 4.2 (trusted, pinned base images); SLSA; NSA/CISA Kubernetes Hardening Guide "image hygiene"
package rules.k8s.image_digest

import rego.v1

import data.lib.images
import data.lib.kubernetes
import data.lib.pss

default env := null

env := data.target.env

default required_envs := []

required_envs := data.config.digestRequiredIn

required if env in required_envs

automation_names := {
	"release": "the release workflow (it writes the pushed digest into overlays/<env>/version.yaml)",
	"renovate": "Renovate (pinDigests)",
}

default automation_config := {}

automation_config := data.config.digestAutomation

# automation(name) is the automation whose longest configured prefix matches the image name.
automation(name) := best if {
	matches := [[count(prefix), kind] |
		some kind, prefixes in automation_config
		some prefix in prefixes
		startswith(name, prefix)
	]
	count(matches) > 0
	best := max(matches)[1]
}

unpinned contains entry if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	not images.has_digest(images.parse(entry.container.image))
}

# Outside digest-required environments: a warning.
violation contains {"msg": msg, "field": field, "severity": "warning"} if {
	not required
	some entry in unpinned
	msg := sprintf("%s: %s image '%s' is not pinned by digest; append @sha256:<digest> (required in %s)", [pss.name(pss.workload), pss.label(entry), entry.container.image, concat(", ", required_envs)])
	field := sprintf("%s.image", [entry.path])
}

# Digest required, an immutable version tag that automation pins: still an error until it has.
violation contains {"msg": msg, "field": field} if {
	required
	some entry in unpinned
	ref := images.parse(entry.container.image)
	images.immutable_version_tag(ref.tag)
	who := automation(ref.name)
	msg := sprintf("%s: %s image '%s' has no digest, and %s deploys only images pinned by digest; %s writes it: merge that change (or write image@sha256:<digest> from the registry)", [pss.name(pss.workload), pss.label(entry), entry.container.image, env, automation_names[who]])
	field := sprintf("%s.image", [entry.path])
}

# Digest required, a version tag, but no automation covers the image.
violation contains {"msg": msg, "field": field} if {
	required
	some entry in unpinned
	ref := images.parse(entry.container.image)
	images.immutable_version_tag(ref.tag)
	not automation(ref.name)
	msg := sprintf("%s: %s image '%s' is not pinned by digest and no digest automation covers %s; %s requires image@sha256:<digest>", [pss.name(pss.workload), pss.label(entry), entry.container.image, ref.name, env])
	field := sprintf("%s.image", [entry.path])
}

# Digest required and the tag is mutable: automation cannot pin it either.
violation contains {"msg": msg, "field": field} if {
	required
	some entry in unpinned
	ref := images.parse(entry.container.image)
	not images.immutable_version_tag(ref.tag)
	msg := sprintf("%s: %s image '%s' is not pinned by digest and its tag %s is not an immutable version; %s requires image@sha256:<digest> (or a version tag like 1.4.2 that digest automation pins)", [pss.name(pss.workload), pss.label(entry), entry.container.image, shown(ref.tag), env])
	field := sprintf("%s.image", [entry.path])
}

shown("") := "(none)"

shown(tag) := sprintf("'%s'", [tag]) if tag != ""
