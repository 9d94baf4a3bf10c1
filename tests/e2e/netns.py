"""Hosts on one machine: network namespaces joined by a bridge of their own, on a private /24
that leaves nothing on the machine's networks (the multi-host test and `make bench-scaleout`)."""

import http.client
import json
import random
import secrets
import subprocess


def ip(*args, namespace=None):
    command = ["ip", "netns", "exec", namespace, "ip", *args] if namespace else ["ip", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"


class Network:
    """A bridge in the root namespace (the test's address: .254) and one namespace per host."""

    def __init__(self):
        self.tag = secrets.token_hex(2)
        self.subnet = f"10.{random.randint(100, 250)}.{random.randint(0, 255)}"
        self.bridge = f"bzbr{self.tag}"
        self.namespaces = []
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.subnet}.254/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")

    def host(self, name, number):
        """A namespace `name` at SUBNET.number; returns (namespace, address)."""
        namespace = f"bz{self.tag}{name}"
        outside, inside = f"v{self.tag}{name}", f"v{self.tag}{name}p"
        ip("netns", "add", namespace)
        self.namespaces.append(namespace)
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        ip("link", "set", inside, "netns", namespace)
        ip("link", "set", outside, "master", self.bridge)
        ip("link", "set", outside, "up")
        ip("addr", "add", f"{self.subnet}.{number}/24", "dev", inside, namespace=namespace)
        ip("link", "set", inside, "up", namespace=namespace)
        ip("link", "set", "lo", "up", namespace=namespace)
        return namespace, f"{self.subnet}.{number}"

    def close(self):
        for namespace in self.namespaces:
            subprocess.run(["ip", "netns", "pids", namespace], capture_output=True)
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True)



def call(address, port, method, path, body=None, token=None, headers=None):
    """One HTTP request to a host: (status, Location, the JSON body, or None for another type)."""
    connection = http.client.HTTPConnection(address, port, timeout=120)
    sent = {**(headers or {}), **({"Content-Type": "application/json"} if body is not None else {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    connection.request(method, path, None if body is None else json.dumps(body), sent)
    answer = connection.getresponse()
    payload = answer.read()
    connection.close()
    is_json = "json" in (answer.getheader("Content-Type") or "")
    return answer.status, answer.getheader("Location"), json.loads(payload) if is_json and payload.strip() else None
