package lib.images_test

import rego.v1

import data.lib.images

test_docker_hub_short_name_normalised if {
	images.parse("postgres:16") == {
		"registry": "docker.io", "repository": "library/postgres",
		"name": "docker.io/library/postgres", "tag": "16", "digest": "",
	}
}

test_docker_hub_user_image if images.parse("bitnami/redis:7.4.1").name == "docker.io/bitnami/redis"

test_index_docker_io_is_docker_io if images.parse("index.docker.io/library/nginx").name == "docker.io/library/nginx"

test_registry_with_port_and_digest if {
	images.parse("localhost:5000/team/app:1.0@sha256:abc") == {
		"registry": "localhost:5000", "repository": "team/app",
		"name": "localhost:5000/team/app", "tag": "1.0", "digest": "sha256:abc",
	}
}

test_localhost_registry if images.parse("localhost/app").registry == "localhost"

test_digest_without_tag if {
	ref := images.parse("ghcr.io/funlynk/backend@sha256:abc")
	ref.tag == ""
	images.has_digest(ref)
}

test_immutable_version_tags if {
	every tag in ["1.4.2", "v1.4.2", "16.4", "16.4-alpine3.20", "2.53.1-debian-12-r0", "1.2.3-rc.1", "1.2.3+build.5", "1.2.3.4"] {
		images.immutable_version_tag(tag)
	}
}

test_mutable_tags if {
	every tag in ["", "latest", "stable", "alpine", "16", "v2", "16-alpine", "main", "sha-1a2b3c", "1.2.3.4.5", "1.x"] {
		not images.immutable_version_tag(tag)
	}
}
