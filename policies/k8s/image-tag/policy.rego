# METADATA
# title: Images must name a version, not latest
# description: Every container image has a tag other than latest, or a digest.
# scope: package
# custom:
#   id: k8s/image-tag
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: latest (or no tag, which means latest) is mutable; deployments are irreproducible and a rollback does not roll back.
#   baseline: NSA/CISA Kubernetes Hardening Guide "image hygiene"; Kubernetes configuration best practices
package rules.k8s.image_tag

import rego.v1

import data.lib.images
import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	ref := images.parse(entry.container.image)
	ref.digest == ""
	problem := issue(ref.tag)
	msg := sprintf("%s: %s image '%s' %s; use an immutable version tag such as 1.4.2 (and a digest)", [pss.name(obj), pss.label(entry), entry.container.image, problem])
	field := sprintf("%s.image", [entry.path])
}

issue("") := "has no tag, which means latest"

issue("latest") := "uses the mutable tag latest"
