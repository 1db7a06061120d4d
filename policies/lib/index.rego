# The target index: lookups that cross-resource rules need for every evaluated object, computed
# once per target. The gate computes it in TypeScript (tools/src/policy/target-index.ts) and hands
# it over as data.index; `computed` is its definition in Rego (tools/test/target-index.test.ts
# checks the two agree). Without data.index (opa test, admission in Gatekeeper) the lib.wiring
# helpers scan the target instead, with the same results. Every list holds indices into
# data.target.resources, ascending.
package lib.index

import rego.v1

import data.lib.kubernetes

resources := kubernetes.target_resources

# available: the gate handed over the index.
available if data.index

target := data.index

computed := {
	"by_kind": by_kind,
	"by_ns_kind": by_ns_kind,
	"workloads_by_ns": workloads_by_ns,
	"namespace_at": namespace_at,
	"anchored_at": anchored_at,
	"earlier_duplicates": earlier_duplicates,
}

# by_kind[kind]: objects of that kind, in every namespace.
by_kind := {kind: found |
	some o in resources
	kind := o.kind
	is_string(kind)
	found := [i | some i, x in resources; x.kind == kind]
}

string_namespaces := {ns | some o in resources; ns := kubernetes.namespace_of(o); is_string(ns)}

# by_ns_kind[ns][kind]: objects of that kind in that namespace.
by_ns_kind := {ns: kinds |
	some ns in string_namespaces
	kinds := {kind: found |
		some o in resources
		kind := o.kind
		is_string(kind)
		kubernetes.namespace_of(o) == ns
		found := [i | some i, x in resources; x.kind == kind; kubernetes.namespace_of(x) == ns]
	}
}

# workloads_by_ns[ns]: workloads (objects of a pod-template kind) in that namespace.
workloads_by_ns := {ns: found |
	some ns in string_namespaces
	found := [i | some i, o in resources; kubernetes.is_workload(o); kubernetes.namespace_of(o) == ns]
	count(found) > 0
}

# namespace_at[name]: the first Namespace object of that name.
namespace_at := {name: min(found) |
	some o in resources
	o.kind == "Namespace"
	name := o.metadata.name
	is_string(name)
	found := [i | some i, x in resources; x.kind == "Namespace"; x.metadata.name == name]
}

first_namespace(ns) := min(found) if {
	found := [i | some i, o in resources; o.kind == "Namespace"; o.metadata.name == ns]
	count(found) > 0
}

workload_namespaces := {kubernetes.namespace_of(o) | some o in resources; kubernetes.is_workload(o)}

anchor(ns) := first_namespace(ns)

anchor(ns) := min([i | some i, o in resources; kubernetes.is_workload(o); kubernetes.namespace_of(o) == ns]) if {
	not first_namespace(ns)
}

# anchored_at[i]: namespaces holding a workload whose namespace-level findings go to object i.
anchored_at := {format_int(at, 10): namespaces |
	some ns in workload_namespaces
	at := anchor(ns)
	namespaces := [n | some n in workload_namespaces; anchor(n) == at]
}

group(api_version) := "" if not contains(api_version, "/")

group(api_version) := split(api_version, "/")[0] if contains(api_version, "/")

identity(o) := [group(o.apiVersion), o.kind, kubernetes.namespace_of(o), o.metadata.name]

# earlier_duplicates[i]: earlier objects with the same group, kind, namespace and name.
earlier_duplicates := {format_int(i, 10): earlier |
	some i, o in resources
	id := identity(o)
	earlier := [j | some j, x in resources; j < i; identity(x) == id]
	count(earlier) > 0
}
