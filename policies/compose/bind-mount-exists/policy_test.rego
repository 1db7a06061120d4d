package rules.compose.bind_mount_exists_test

import data.lib.docker_test as t
import data.rules.compose.bind_mount_exists
import rego.v1

nginx := {
	"image": "nginx:1.27.3-alpine",
	"volumes": [
		"./nginx/nginx.conf:/etc/nginx/nginx.conf:ro",
		"cache:/var/cache/nginx",
		{"type": "bind", "source": "./nginx/ssl", "target": "/etc/nginx/ssl"},
	],
	"env_file": [".env", {"path": "local.env", "required": false}],
}

test_existing_paths_allowed if {
	paths := {"./nginx/nginx.conf": true, "./nginx/ssl": true, ".env": true, "local.env": false}
	count(bind_mount_exists.violation) == 0 with input as t.compose_with({"nginx": nginx}, {}, paths)
}

test_missing_paths_denied if {
	paths := {"./nginx/nginx.conf": false, "./nginx/ssl": false, ".env": false, "local.env": false}
	v := bind_mount_exists.violation with input as t.compose_with({"nginx": nginx}, {}, paths)
	count(v) == 3
	{x.field | some x in v} == {"services.nginx.volumes[0]", "services.nginx.volumes[2]", "services.nginx.env_file[0]"}
}

test_single_env_file_denied if {
	v := bind_mount_exists.violation with input as t.compose_with({"api": {"env_file": "api.env"}}, {}, {"api.env": false})
	count(v) == 1
	some x in v
	x.field == "services.api.env_file"
}
