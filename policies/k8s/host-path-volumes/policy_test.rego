package rules.k8s.host_path_volumes_test

import rego.v1

import data.lib.testing as t
import data.rules.k8s.host_path_volumes

v(obj) := x if {
	x := host_path_volumes.violation with input as t.review(obj)
}

test_no_hostpath_allowed if {
	count(v(t.deployment({"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "c", "configMap": {"name": "x"}}]}))) == 0
}

test_no_volumes_allowed if count(v(t.pod({"containers": [{"name": "a"}]}))) == 0

test_hostpath_denied_in_every_kind if {
	every _, obj in t.workloads({"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "h", "hostPath": {"path": "/var/run"}}]}) {
		count(v(obj)) == 1
	}
}

test_message_and_field if {
	v(t.daemonset({"volumes": [{"name": "sock", "hostPath": {"path": "/run/containerd/containerd.sock"}}]})) == {{
		"msg": "DaemonSet/app: volume 'sock' mounts host path /run/containerd/containerd.sock; use an emptyDir, configMap, secret or persistentVolumeClaim instead",
		"field": "spec.template.spec.volumes[0].hostPath",
	}}
}
