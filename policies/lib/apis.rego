# Kubernetes API versions that were deprecated or removed, per minor release.
# Source: Kubernetes "Deprecated API Migration Guide",
# https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (removals v1.16 to v1.32), and the
# v1.33 release notes for the deprecation of core/v1 Endpoints in favour of discovery.k8s.io/v1
# EndpointSlice. `removed` is the first minor that no longer serves the API; `deprecated` (where set) the
# first minor that warns about it. Only kinds one would write in a manifest are listed.
package lib.apis

import rego.v1

table := [
	# v1.16
	{"apiVersion": "extensions/v1beta1", "kind": "NetworkPolicy", "removed": 16, "replacement": "networking.k8s.io/v1"},
	{"apiVersion": "extensions/v1beta1", "kind": "PodSecurityPolicy", "removed": 16, "replacement": "policy/v1beta1 (itself removed in 1.25: use Pod Security Admission namespace labels)"},
	{"apiVersion": "extensions/v1beta1", "kind": "DaemonSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta2", "kind": "DaemonSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "extensions/v1beta1", "kind": "Deployment", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta1", "kind": "Deployment", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta2", "kind": "Deployment", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta1", "kind": "StatefulSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta2", "kind": "StatefulSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "extensions/v1beta1", "kind": "ReplicaSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta1", "kind": "ReplicaSet", "removed": 16, "replacement": "apps/v1"},
	{"apiVersion": "apps/v1beta2", "kind": "ReplicaSet", "removed": 16, "replacement": "apps/v1"},
	# v1.22
	{"apiVersion": "admissionregistration.k8s.io/v1beta1", "kind": "MutatingWebhookConfiguration", "removed": 22, "replacement": "admissionregistration.k8s.io/v1"},
	{"apiVersion": "admissionregistration.k8s.io/v1beta1", "kind": "ValidatingWebhookConfiguration", "removed": 22, "replacement": "admissionregistration.k8s.io/v1"},
	{"apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition", "removed": 22, "replacement": "apiextensions.k8s.io/v1"},
	{"apiVersion": "apiregistration.k8s.io/v1beta1", "kind": "APIService", "removed": 22, "replacement": "apiregistration.k8s.io/v1"},
	{"apiVersion": "authentication.k8s.io/v1beta1", "kind": "TokenReview", "removed": 22, "replacement": "authentication.k8s.io/v1"},
	{"apiVersion": "authorization.k8s.io/v1beta1", "kind": "SubjectAccessReview", "removed": 22, "replacement": "authorization.k8s.io/v1"},
	{"apiVersion": "authorization.k8s.io/v1beta1", "kind": "LocalSubjectAccessReview", "removed": 22, "replacement": "authorization.k8s.io/v1"},
	{"apiVersion": "authorization.k8s.io/v1beta1", "kind": "SelfSubjectAccessReview", "removed": 22, "replacement": "authorization.k8s.io/v1"},
	{"apiVersion": "certificates.k8s.io/v1beta1", "kind": "CertificateSigningRequest", "removed": 22, "replacement": "certificates.k8s.io/v1"},
	{"apiVersion": "coordination.k8s.io/v1beta1", "kind": "Lease", "removed": 22, "replacement": "coordination.k8s.io/v1"},
	{"apiVersion": "extensions/v1beta1", "kind": "Ingress", "removed": 22, "replacement": "networking.k8s.io/v1"},
	{"apiVersion": "networking.k8s.io/v1beta1", "kind": "Ingress", "removed": 22, "replacement": "networking.k8s.io/v1"},
	{"apiVersion": "networking.k8s.io/v1beta1", "kind": "IngressClass", "removed": 22, "replacement": "networking.k8s.io/v1"},
	{"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "ClusterRole", "removed": 22, "replacement": "rbac.authorization.k8s.io/v1"},
	{"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "ClusterRoleBinding", "removed": 22, "replacement": "rbac.authorization.k8s.io/v1"},
	{"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "Role", "removed": 22, "replacement": "rbac.authorization.k8s.io/v1"},
	{"apiVersion": "rbac.authorization.k8s.io/v1beta1", "kind": "RoleBinding", "removed": 22, "replacement": "rbac.authorization.k8s.io/v1"},
	{"apiVersion": "scheduling.k8s.io/v1beta1", "kind": "PriorityClass", "removed": 22, "replacement": "scheduling.k8s.io/v1"},
	{"apiVersion": "storage.k8s.io/v1beta1", "kind": "CSIDriver", "removed": 22, "replacement": "storage.k8s.io/v1"},
	{"apiVersion": "storage.k8s.io/v1beta1", "kind": "CSINode", "removed": 22, "replacement": "storage.k8s.io/v1"},
	{"apiVersion": "storage.k8s.io/v1beta1", "kind": "StorageClass", "removed": 22, "replacement": "storage.k8s.io/v1"},
	{"apiVersion": "storage.k8s.io/v1beta1", "kind": "VolumeAttachment", "removed": 22, "replacement": "storage.k8s.io/v1"},
	# v1.25
	{"apiVersion": "batch/v1beta1", "kind": "CronJob", "deprecated": 21, "removed": 25, "replacement": "batch/v1"},
	{"apiVersion": "discovery.k8s.io/v1beta1", "kind": "EndpointSlice", "deprecated": 21, "removed": 25, "replacement": "discovery.k8s.io/v1"},
	{"apiVersion": "events.k8s.io/v1beta1", "kind": "Event", "removed": 25, "replacement": "events.k8s.io/v1"},
	{"apiVersion": "autoscaling/v2beta1", "kind": "HorizontalPodAutoscaler", "deprecated": 22, "removed": 25, "replacement": "autoscaling/v2"},
	{"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "deprecated": 21, "removed": 25, "replacement": "policy/v1"},
	{"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "deprecated": 21, "removed": 25, "replacement": "none: use Pod Security Admission (pod-security.kubernetes.io/enforce namespace labels)"},
	{"apiVersion": "node.k8s.io/v1beta1", "kind": "RuntimeClass", "removed": 25, "replacement": "node.k8s.io/v1"},
	# v1.26
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "removed": 26, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "PriorityLevelConfiguration", "removed": 26, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	{"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "deprecated": 23, "removed": 26, "replacement": "autoscaling/v2"},
	# v1.27
	{"apiVersion": "storage.k8s.io/v1beta1", "kind": "CSIStorageCapacity", "deprecated": 24, "removed": 27, "replacement": "storage.k8s.io/v1"},
	# v1.29
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2", "kind": "FlowSchema", "deprecated": 26, "removed": 29, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2", "kind": "PriorityLevelConfiguration", "deprecated": 26, "removed": 29, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	# v1.32
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "FlowSchema", "deprecated": 29, "removed": 32, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "PriorityLevelConfiguration", "deprecated": 29, "removed": 32, "replacement": "flowcontrol.apiserver.k8s.io/v1"},
	# deprecated, still served
	{"apiVersion": "v1", "kind": "Endpoints", "deprecated": 33, "replacement": "discovery.k8s.io/v1 EndpointSlice"},
]

# lookup[[apiVersion, kind]] is the table entry for an API.
lookup[[entry.apiVersion, entry.kind]] := entry if some entry in table

# minor("1.35.0") == 35; also accepts "v1.35".
minor(version) := to_number(split(trim_prefix(version, "v"), ".")[1])

# status(apiVersion, kind, version) is "removed" or "deprecated" for the cluster version, undefined otherwise.
status(api_version, kind, version) := "removed" if {
	entry := lookup[[api_version, kind]]
	entry.removed <= minor(version)
}

status(api_version, kind, version) := "deprecated" if {
	entry := lookup[[api_version, kind]]
	not removed_by(entry, minor(version))
	entry.deprecated <= minor(version)
}

removed_by(entry, m) if entry.removed <= m
