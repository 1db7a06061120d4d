# METADATA
# title: Namespaces must enforce a Pod Security Standard
# description: Every Namespace sets the label pod-security.kubernetes.io/enforce to baseline or restricted; privileged only with the annotation funlynk.io/pss-exception-reason saying why.
# scope: package
# custom:
#   id: k8s/namespace-pss-label
#   input: kubernetes
#   severity: error
#   kinds: [Namespace]
#   rationale: Without the label the Pod Security admission controller admits any pod into the namespace, privileged ones included.
#   baseline: PSS via Pod Security Admission; NSA/CISA Kubernetes Hardening Guide "pod security"
package rules.k8s.namespace_pss_label

import rego.v1

import data.lib.kubernetes
import data.lib.pss

label := "pod-security.kubernetes.io/enforce"

reason_annotation := "funlynk.io/pss-exception-reason"

label_field := sprintf("metadata.labels%s", [pss.field_key(label)])

namespace := obj if {
	obj := kubernetes.resource
	obj.kind == "Namespace"
}

violation contains {"msg": msg, "field": label_field} if {
	obj := namespace
	object.get(obj, ["metadata", "labels", label], null) == null
	msg := sprintf("%s: has no %s label, so any pod is admitted; set it to restricted (or baseline)", [pss.name(obj), label])
}

violation contains {"msg": msg, "field": label_field} if {
	obj := namespace
	level := obj.metadata.labels[label]
	not level in {"baseline", "restricted", "privileged"}
	msg := sprintf("%s: label %s is %v, which is not a Pod Security level; set restricted (or baseline)", [pss.name(obj), label, level])
}

violation contains {"msg": msg, "field": label_field} if {
	obj := namespace
	obj.metadata.labels[label] == "privileged"
	trim_space(object.get(obj, ["metadata", "annotations", reason_annotation], "")) == ""
	msg := sprintf("%s: enforces the privileged level without a reason; set restricted or baseline, or annotate %s with why this namespace needs privileged pods", [pss.name(obj), reason_annotation])
}
