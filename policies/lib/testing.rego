# Builders for policy tests: wrap a pod spec in each workload kind, make an input document,
# and a units table like the one the gate computes.
package lib.testing

import rego.v1

meta := {"name": "app", "namespace": "funlynk"}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}

deployment(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": meta,
	"spec": {
		"selector": {"matchLabels": {"app": "app"}},
		"template": {"metadata": {"labels": {"app": "app"}}, "spec": spec},
	},
}

statefulset(spec) := object.union(deployment(spec), {"kind": "StatefulSet"})

daemonset(spec) := object.union(deployment(spec), {"kind": "DaemonSet"})

job(spec) := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": meta,
	"spec": {"template": {"spec": spec}},
}

cronjob(spec) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": meta,
	"spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}},
}

# Every wrapper of a pod spec, by kind.
workloads(spec) := {
	"Pod": pod(spec),
	"Deployment": deployment(spec),
	"StatefulSet": statefulset(spec),
	"DaemonSet": daemonset(spec),
	"Job": job(spec),
	"CronJob": cronjob(spec),
}

# review(obj) is the input the gate gives a policy for one Kubernetes object.
review(obj) := {"kind": "kubernetes", "index": 0, "resource": obj}

# A units table covering the quantities used in tests.
units := {
	"cpu": {"50m": 50, "100m": 100, "250m": 250, "500m": 500, "1": 1000, "2": 2000, "0.5": 500},
	"memory": {
		"64Mi": 67108864, "128Mi": 134217728, "256Mi": 268435456,
		"512Mi": 536870912, "1Gi": 1073741824,
	},
}

# config like gitops.yaml's policy section plus kubernetesVersion.
config := {
	"kubernetesVersion": "1.35.0",
	"trustedRegistries": [
		"ghcr.io/funlynk/", "docker.io/library/", "docker.io/bitnami/",
		"quay.io/prometheus/", "registry.k8s.io/",
	],
	"digestRequiredIn": ["prod"],
	"digestAutomation": {
		"release": ["ghcr.io/funlynk/"],
		"renovate": ["docker.io/", "quay.io/", "registry.k8s.io/", "ghcr.io/"],
	},
}

# Argo CD: an Application of this repository's tests (the repository URL comes from data.config,
# set with `with data.config.argocd.repoUrls as [own_repo]`).
own_repo := "https://github.com/funlynk/funlynk-gitops.git"

application(name, spec) := {
	"apiVersion": "argoproj.io/v1alpha1",
	"kind": "Application",
	"metadata": {"name": name, "namespace": "argocd"},
	"spec": object.union({"project": "funlynk", "destination": {"server": "https://kubernetes.default.svc", "namespace": "funlynk"}}, spec),
}

# path_facts(p) is what data.repository.paths holds for an existing kustomization root p.
path_facts(p) := {"path": p, "exists": true, "directory": true, "kustomization": true}

# facts(apps, paths) is data.repository for Applications all rendered in clusters/dev, in this order.
facts(apps, paths) := {
	"complete": true,
	"applications": [{"target": "clusters/dev", "index": i, "name": a.metadata.name, "targets": ["clusters/dev"], "clusters": ["dev"], "resource": a} | some i, a in apps],
	"paths": paths,
	"overlays": [
		{"path": "overlays/dev", "env": "dev", "file": "overlays/dev/kustomization.yaml"},
		{"path": "overlays/prod", "env": "prod", "file": "overlays/prod/kustomization.yaml"},
	],
	"hpa": {},
}
