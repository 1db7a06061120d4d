package rules.docker.add_instruction_test

import data.lib.docker_test as t
import data.rules.docker.add_instruction
import rego.v1

df(adds) := t.dockerfile([t.stage(0, null, t.image(1, "alpine", "3.21.0", null), adds)])

test_archive_allowed if {
	count(add_instruction.violation) == 0 with input as df([t.ins("ADD", 2, "rootfs.tar.gz /")])
}

test_url_with_checksum_allowed if {
	url := "https://example.org/tool.tar.gz"
	add := t.insf("ADD", 2, "--checksum=sha256:abc https://example.org/tool.tar.gz /tmp/", {"checksum": "sha256:abc"}, [url, "/tmp/"])
	count(add_instruction.violation) == 0 with input as df([add])
}

test_copy_allowed if {
	count(add_instruction.violation) == 0 with input as df([t.ins("COPY", 2, "app.js /app/")])
}

test_local_file_denied if {
	v := add_instruction.violation with input as df([t.ins("ADD", 2, "app.js config.json /app/")])
	count(v) == 2
}

test_url_without_checksum_denied if {
	v := add_instruction.violation with input as df([t.ins("ADD", 4, "https://example.org/tool /usr/local/bin/tool")])
	count(v) == 1
	some x in v
	x.line == 4
}
