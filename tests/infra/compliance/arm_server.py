"""A local HTTPS stand-in for Azure Resource Manager, answering the REST paths the live reader uses.

It holds a fake subscription's documents and answers like ARM: resources.list without
properties and with nextLink pages, GET by id (only with an API version the provider lists),
list endpoints (`{id}/keys`, `{id}/providers/Microsoft.Insights/diagnosticSettings`, ...),
providers, resource groups. Bearer tokens are checked; faults (status, headers, delay) can be
scripted per path. TLS comes from a CA generated here with `cryptography`.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TOKEN = "test-token-7f3a9c"


@dataclass(frozen=True)
class Certificates:
    ca: Path
    certificate: Path
    key: Path


def make_certificates(directory: Path, name: str = "Test ARM CA") -> Certificates:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it, as PEM files."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])).issuer_name(ca_name)
              .public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                          x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    paths = Certificates(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.certificate.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return paths


@dataclass
class Fault:
    path: re.Pattern
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    times: int | None = None
    """How many requests it answers; None = all."""
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    path: str
    query: dict[str, str]
    authorization: str
    at: float


class FakeArm:
    def __init__(self, certificates: Certificates, subscription: str, page_size: int = 100):
        self.subscription, self.page_size = subscription, page_size
        self.documents: dict[str, dict[str, Any]] = {}
        self.listed: list[str] = []
        # Assignments at management groups above the subscription: its list includes them, as Azure's does.
        self.inherited_assignments: list[dict[str, Any]] = []
        self.providers: dict[str, list[dict[str, Any]]] = {}
        self.faults: list[Fault] = []
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # clients that hang up are part of the tests
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificates.certificate, certificates.key)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeArm:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- the fake subscription

    def add(self, document: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
        """Store a document; `listed` ones are what resources.list returns."""
        self.documents[document["id"].lower()] = document
        if listed:
            self.listed.append(document["id"].lower())
        return document

    def provider(self, namespace: str, types: dict[str, list[str]]) -> None:
        self.providers[namespace.lower()] = [{"resourceType": t, "apiVersions": v} for t, v in types.items()]

    def fail(self, path: str, status: int, *, times: int | None = None, headers: dict[str, str] | None = None,
             code: str = "", message: str = "", delay: float = 0.0) -> None:
        body = {"error": {"code": code, "message": message}} if code else None
        self.faults.append(Fault(re.compile(path, re.IGNORECASE), status, headers or {}, body, times, delay))

    def seen(self, pattern: str) -> list[Seen]:
        return [r for r in self.requests if re.search(pattern, r.path, re.IGNORECASE)]

    # --- answering

    def answer(self, path: str, query: dict[str, str], authorization: str) -> tuple[int, dict[str, str], Any, float]:
        with self.lock:
            self.requests.append(Seen(path, query, authorization, time.monotonic()))
            for fault in self.faults:
                if fault.path.search(path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault.status, fault.headers, fault.body, fault.delay
        if authorization != f"Bearer {TOKEN}":
            return 401, {"WWW-Authenticate": 'Bearer authorization_uri="https://login.example", error="invalid_token"'}, \
                {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}}, 0
        lowered = path.rstrip("/").lower()
        segments = lowered.strip("/").split("/")
        subscription = f"/subscriptions/{self.subscription}".lower()
        if lowered == f"{subscription}/resources" or re.fullmatch(rf"{subscription}/resourcegroups/[^/]+/resources", lowered):
            scope = lowered.rsplit("/resources", 1)[0] + "/"
            items = [{k: v for k, v in self.documents[i].items() if k not in ("properties", "apiVersion")}
                     for i in self.listed if i.startswith(scope)]
            return self._page(path, query, items)
        if len(segments) == 4 and segments[2] == "providers":
            if segments[3] not in self.providers:
                return 404, {}, {"error": {"code": "InvalidResourceNamespace", "message": "not found"}}, 0
            return 200, {}, {"namespace": segments[3], "resourceTypes": self.providers[segments[3]]}, 0
        if len(segments) % 2 == 0:
            document = self.documents.get(lowered)
            if document is None:
                return 404, {}, {"error": {"code": "ResourceNotFound", "message": f"{path} was not found."}}, 0
            if not self._version_ok(document, query.get("api-version", "")):
                return 400, {}, {"error": {"code": "NoRegisteredProviderFound", "message": "bad api-version"}}, 0
            return 200, {}, {k: v for k, v in document.items() if k != "apiVersion"}, 0
        kind = segments[-1]
        if kind in ("locks", "roleassignments", "policyassignments", "policyexemptions"):
            scope = lowered.rsplit("/providers/", 1)[0] + "/"
            items = [d for i, d in self.documents.items() if i.startswith(scope) and d["type"].lower().endswith(kind)]
            if kind == "policyassignments" and scope == f"{subscription}/":
                items += self.inherited_assignments
        else:
            items = [d for i, d in self.documents.items() if i.rsplit("/", 1)[0] == lowered]
        return self._page(path, query, [{k: v for k, v in d.items() if k != "apiVersion"} for d in items])

    def _version_ok(self, document: dict[str, Any], version: str) -> bool:
        namespace, _, rest = document["type"].partition("/")
        for entry in self.providers.get(namespace.lower(), []):
            if entry["resourceType"].lower() == rest.lower():
                return version in entry["apiVersions"]
        return True  # types the fake provider does not list accept any version

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, dict[str, str], Any, float]:
        start = int(query.get("$skiptoken", "0"))
        body: dict[str, Any] = {"value": items[start:start + self.page_size]}
        if start + self.page_size < len(items):
            version = query.get("api-version", "")
            body["nextLink"] = f"{self.base_url}{path}?api-version={version}&$skiptoken={start + self.page_size}"
        return 200, {}, body, 0


def _handler(arm: FakeArm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            status, headers, body, delay = arm.answer(parts.path, query, self.headers.get("Authorization", ""))
            if delay:
                time.sleep(delay)
            payload = json.dumps(body if body is not None else {"error": {"code": str(status), "message": ""}}).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802
            # The reader is read-only: any write is recorded and refused.
            arm.requests.append(Seen(f"POST {self.path}", {}, "", time.monotonic()))
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_PUT = do_PATCH = do_DELETE = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
