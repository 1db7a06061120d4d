# METADATA
# title: Charts deploy only into namespaces their AppProject permits
# description: >-
#   Some pinned charts render objects outside the Application's destination namespace, chosen by
#   their Helm values: cert-manager puts its leader-election Roles and RoleBindings into
#   global.leaderElection.namespace (default kube-system); kube-prometheus-stack puts the Services
#   and ServiceMonitors of kubeControllerManager, kubeScheduler, kubeEtcd, kubeProxy and coreDns
#   (each enabled by default) into kube-system; metrics-server its auth-reader RoleBinding (rbac.create).
#   Each such namespace, as the values (or the chart's
#   default) set it, must be a destination of the Application's AppProject. Checked in targets that
#   render the AppProject.
# scope: package
# custom:
#   id: argocd/chart-namespaces
#   input: kubernetes
#   severity: error
#   kinds: [Application]
#   ci_only: "Argo CD wiring, judged against this repository (its paths, projects and repository URL), which the cluster does not hold"
#   rationale: >-
#     Argo CD refuses the whole sync of an Application when one object targets a namespace the project
#     does not permit; an add-on at an early sync wave then blocks every later wave of the root
#     Application.
#   baseline: Argo CD "Projects" (destinations); cert-manager chart v1.20.1 values.yaml global.leaderElection.namespace
package rules.argocd.chart_namespaces

import rego.v1

import data.lib.argocd
import data.lib.platform

app := argocd.application

project := argocd.projects[argocd.project_name(app)]

# Values of a chart that choose a namespace outside the release's: chart -> [{keys, default}].
namespace_values := {"cert-manager": [{"keys": ["global", "leaderElection", "namespace"], "default": "kube-system", "what": "its leader-election Roles and RoleBindings"}]}

# Parts of a chart that render into a fixed namespace while their toggle is on (default on).
exporter(name) := {"toggle": [name, "enabled"], "namespace": "kube-system", "what": sprintf("the Service and ServiceMonitor of %s (enabled by default)", [name])}

fixed_namespace_components := {
	"kube-prometheus-stack": [exporter(n) | some n in ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy", "coreDns"]],
	"metrics-server": [{"toggle": ["rbac", "create"], "namespace": "kube-system", "what": "its RoleBinding to extension-apiserver-authentication-reader (rbac.create, on by default)"}],
}

placements contains {"namespace": ns, "field": platform.values_field(src, v.keys), "what": sprintf("%s (%s, chart default %s)", [v.what, concat(".", v.keys), v.default])} if {
	some src in platform.chart_sources(app)
	some v in namespace_values[src.chart]
	ns := platform.value(src, v.keys, v.default)
}

placements contains {"namespace": c.namespace, "field": platform.values_field(src, c.toggle), "what": c.what} if {
	some src in platform.chart_sources(app)
	some c in fixed_namespace_components[src.chart]
	platform.value(src, c.toggle, true) != false
}

violation contains {"msg": msg, "field": p.field} if {
	some p in placements
	dest := object.union(object.get(app, ["spec", "destination"], {}), {"namespace": p.namespace})
	not argocd.destination_permitted(project, dest)
	msg := sprintf("%s: the chart renders %s into namespace \"%s\", which AppProject \"%s\" does not permit, so Argo CD refuses the sync; set the value to the release namespace or disable it", [argocd.display(app), p.what, p.namespace, argocd.project_name(app)])
}
