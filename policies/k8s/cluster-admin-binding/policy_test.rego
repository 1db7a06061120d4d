package rules.k8s.cluster_admin_binding_test

import rego.v1

import data.rules.k8s.cluster_admin_binding

v(obj) := x if {
	x := cluster_admin_binding.violation with input as {"kind": "kubernetes", "index": 0, "resource": obj}
}

binding(kind, role_kind, role, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
	"subjects": subjects,
}

sa := [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]

test_other_roles_allowed if {
	count(v(binding("ClusterRoleBinding", "ClusterRole", "view", sa))) == 0
	count(v(binding("RoleBinding", "Role", "cluster-admin", sa))) == 0
}

test_cluster_role_binding_denied if {
	v(binding("ClusterRoleBinding", "ClusterRole", "cluster-admin", array.concat(sa, [{"kind": "Group", "name": "ops"}]))) == {{
		"msg": "ClusterRoleBinding/b: binds cluster-admin to ServiceAccount/deployer, Group/ops; bind a Role or ClusterRole with only the permissions needed",
		"field": "roleRef.name",
	}}
}

test_role_binding_denied if {
	v(binding("RoleBinding", "ClusterRole", "cluster-admin", [])) == {{
		"msg": "RoleBinding/b: binds cluster-admin to no subjects; bind a Role or ClusterRole with only the permissions needed",
		"field": "roleRef.name",
	}}
}
