# METADATA
# title: Nothing may be bound to cluster-admin
# description: No ClusterRoleBinding or RoleBinding refers to the ClusterRole cluster-admin; bind a role with the permissions needed.
# scope: package
# custom:
#   id: k8s/cluster-admin-binding
#   input: kubernetes
#   severity: error
#   kinds: [ClusterRoleBinding, RoleBinding]
#   rationale: cluster-admin is every permission on every object; a leaked credential of its subject owns the cluster.
#   baseline: CIS 5.1.1
package rules.k8s.cluster_admin_binding

import rego.v1

import data.lib.kubernetes
import data.lib.pss

violation contains {"msg": msg, "field": "roleRef.name"} if {
	obj := kubernetes.resource
	obj.kind in {"ClusterRoleBinding", "RoleBinding"}
	obj.roleRef.kind == "ClusterRole"
	obj.roleRef.name == "cluster-admin"
	subjects := [sprintf("%v/%v", [object.get(s, "kind", ""), object.get(s, "name", "")]) | some s in object.get(obj, "subjects", [])]
	msg := sprintf("%s: binds cluster-admin to %s; bind a Role or ClusterRole with only the permissions needed", [pss.name(obj), subject_text(subjects)])
}

subject_text(subjects) := "no subjects" if count(subjects) == 0

subject_text(subjects) := concat(", ", subjects) if count(subjects) > 0
