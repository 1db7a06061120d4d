# METADATA
# title: No object is declared twice
# description: >-
#   Two objects of a target with the same API group, kind, namespace and name collide: only one
#   survives the apply. Reported on the second and later copies.
# scope: package
# custom:
#   id: k8s/duplicates
#   input: kubernetes
#   severity: error
#   kinds: ["*"]
#   ci_only: "about the rendered target as a whole; the API server itself refuses a second object of one name"
#   rationale: The API server keeps one object per group/kind/namespace/name; Argo CD then flips between the copies or reports a shared-resource conflict, and whichever copy wins is an accident of ordering.
#   baseline: Kubernetes object identity (group, kind, namespace, name)
package rules.k8s.duplicates

import rego.v1

import data.lib.kubernetes
import data.lib.wiring

identity(o) := [wiring.group(o.apiVersion), o.kind, kubernetes.namespace_of(o), o.metadata.name]

violation contains {"msg": msg, "field": "metadata.name"} if {
	obj := kubernetes.resource
	some j, other in wiring.resources
	j < input.index
	identity(other) == identity(obj)
	msg := sprintf(
		"%s: declared again (document %d of the target repeats document %d, %s in namespace %s); keep one and merge the changes with a patch",
		[kubernetes.display(obj), input.index, j, other.apiVersion, wiring.ns_display(kubernetes.namespace_of(obj))],
	)
}
