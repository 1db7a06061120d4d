# METADATA
# title: Objects must not use removed or deprecated API versions
# description: >-
#   Compares each object's apiVersion and kind with lib.apis (the Kubernetes deprecation guide) for
#   data.config.kubernetesVersion: an API that version no longer serves is an error, a deprecated one a warning;
#   both name the replacement.
# scope: package
# custom:
#   id: k8s/deprecated-api
#   input: kubernetes
#   severity: error
#   kinds: ["*"]
#   rationale: The API server rejects removed versions; deprecated ones break at the next upgrade.
#   baseline: Kubernetes Deprecated API Migration Guide
package rules.k8s.deprecated_api

import rego.v1

import data.lib.apis
import data.lib.kubernetes
import data.lib.pss

version := data.config.kubernetesVersion

violation contains {"msg": msg, "field": "apiVersion"} if {
	obj := kubernetes.resource
	apis.status(obj.apiVersion, obj.kind, version) == "removed"
	entry := apis.lookup[[obj.apiVersion, obj.kind]]
	msg := sprintf("%s: %s %s is no longer served since Kubernetes 1.%d (clusters run %s); use %s", [pss.name(obj), obj.apiVersion, obj.kind, entry.removed, version, entry.replacement])
}

violation contains {"msg": msg, "field": "apiVersion", "severity": "warning"} if {
	obj := kubernetes.resource
	apis.status(obj.apiVersion, obj.kind, version) == "deprecated"
	entry := apis.lookup[[obj.apiVersion, obj.kind]]
	msg := sprintf("%s: %s %s is deprecated since Kubernetes 1.%d%s; use %s", [pss.name(obj), obj.apiVersion, obj.kind, entry.deprecated, removal(entry), entry.replacement])
}

removal(entry) := sprintf(" and removed in 1.%d", [entry.removed]) if entry.removed

removal(entry) := "" if not entry.removed
