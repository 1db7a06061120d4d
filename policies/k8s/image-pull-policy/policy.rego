# METADATA
# title: imagePullPolicy must fit how the image is referenced
# description: >-
#   Never is reported (the image must already be on every node). A mutable tag (neither a digest nor an immutable
#   version tag, see lib.images) with IfNotPresent, set or defaulted, is reported: nodes keep whatever they pulled
#   first, so pods of one Deployment run different code. Always with a digest is reported as info: the digest
#   already fixes the content and Always only makes pod start depend on the registry.
# scope: package
# custom:
#   id: k8s/image-pull-policy
#   input: kubernetes
#   severity: warning
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: The pull policy decides whether a node runs the image the manifest names or a stale copy.
#   baseline: Kubernetes documentation, Images, "Image pull policy"
package rules.k8s.image_pull_policy

import rego.v1

import data.lib.images
import data.lib.kubernetes
import data.lib.pss

# The policy Kubernetes applies: the set value, or its default (Always for latest or no tag, else IfNotPresent).
effective(c, _) := c.imagePullPolicy

effective(c, ref) := "Always" if {
	not c.imagePullPolicy
	ref.digest == ""
	ref.tag in {"", "latest"}
}

effective(c, ref) := "IfNotPresent" if {
	not c.imagePullPolicy
	not floating_default(ref)
}

floating_default(ref) if {
	ref.digest == ""
	ref.tag in {"", "latest"}
}

mutable(ref) if {
	ref.digest == ""
	not images.immutable_version_tag(ref.tag)
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	entry.container.imagePullPolicy == "Never"
	msg := sprintf("%s: %s sets imagePullPolicy: Never, so it starts only on nodes that already have '%s'; use IfNotPresent with a digest", [pss.name(obj), pss.label(entry), entry.container.image])
	field := sprintf("%s.imagePullPolicy", [entry.path])
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	ref := images.parse(entry.container.image)
	mutable(ref)
	effective(entry.container, ref) == "IfNotPresent"
	msg := sprintf("%s: %s pulls the mutable image '%s' with imagePullPolicy IfNotPresent%s, so nodes keep stale copies; pin a digest or an immutable version tag", [pss.name(obj), pss.label(entry), entry.container.image, how(entry.container)])
	field := sprintf("%s.imagePullPolicy", [entry.path])
}

violation contains {"msg": msg, "field": field, "severity": "info"} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	entry.container.imagePullPolicy == "Always"
	images.has_digest(images.parse(entry.container.image))
	msg := sprintf("%s: %s sets imagePullPolicy: Always for an image pinned by digest; IfNotPresent gives the same image without a registry round trip on every start", [pss.name(obj), pss.label(entry)])
	field := sprintf("%s.imagePullPolicy", [entry.path])
}

how(c) := "" if c.imagePullPolicy

how(c) := " (the default for a tag other than latest)" if not c.imagePullPolicy
