# METADATA
# title: Images must come from trusted registries
# description: Every container image, normalised (postgres:16 is docker.io/library/postgres), starts with a prefix listed in data.config.trustedRegistries.
# scope: package
# custom:
#   id: k8s/trusted-registries
#   input: kubernetes
#   severity: error
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob]
#   rationale: An image from an arbitrary registry or Docker Hub user is unreviewed code running with the pod's credentials.
#   baseline: NSA/CISA Kubernetes Hardening Guide "trusted repositories"; CIS Docker 4.2
package rules.k8s.trusted_registries

import rego.v1

import data.lib.images
import data.lib.kubernetes
import data.lib.pss

default trusted := []

trusted := data.config.trustedRegistries

trusted_image(name) if {
	some prefix in trusted
	startswith(name, prefix)
}

violation contains {"msg": msg, "field": field} if {
	obj := pss.workload
	some entry in kubernetes.containers(obj)
	ref := images.parse(entry.container.image)
	not trusted_image(ref.name)
	msg := sprintf("%s: %s image '%s' (%s) is not from a trusted registry; use one of %s or add the registry to policy.trustedRegistries in gitops.yaml", [pss.name(obj), pss.label(entry), entry.container.image, ref.name, concat(", ", trusted)])
	field := sprintf("%s.image", [entry.path])
}
