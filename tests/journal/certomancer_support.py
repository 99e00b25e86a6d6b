"""A real, local PKI for long-term signature tests: certomancer's Animator (root CA, an
intermediate with an OCSP responder, CRLs for both, and an RFC 3161 TSA) served over HTTP on
127.0.0.1, so pyHanko fetches timestamps and revocation data exactly as it would from the
municipality's services.

The signing certificate is short-lived on purpose: a test moves the validation time past its
end and checks that the embedded data still proves the signature.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from werkzeug.serving import WSGIRequestHandler, make_server

ARCH = "kommune"
SIGNER_DAYS = 3  # the signing certificate's whole life
P12_PASSPHRASE = b"test-passfrase"
KEYS = ("root", "interm", "ocsp", "tsa", "signer")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per OCSP/TSA call is noise in tests
        pass


class _Late:
    """The server must know its port before the PKI can name its own URLs."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _when(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _config(now: dt.datetime) -> dict:
    long = {"valid-from": _when(now - dt.timedelta(days=1)),
            "valid-to": _when(now + dt.timedelta(days=365 * 40))}
    short = {"valid-from": _when(now - dt.timedelta(hours=1)),
             "valid-to": _when(now + dt.timedelta(days=SIGNER_DAYS))}
    return {
        "keysets": {"keys": {"keys": {k: {"path": f"{k}.key.pem"} for k in KEYS}}},
        "pki-architectures": {ARCH: {
            "keyset": "keys",
            "entity-defaults": {"country-name": "NO", "organization-name": "Testkommune"},
            "entities": {"root": {"common-name": "Testkommune rot-CA"},
                         "interm": {"common-name": "Testkommune virksomhets-CA"},
                         "ocsp": {"common-name": "Testkommune OCSP"},
                         "tsa": {"common-name": "Testkommune tidsstempel"},
                         "signer": {"common-name": "Rusteam Alna signering"}},
            "certs": {
                "root": {"subject": "root", "issuer": "root", "validity": long,
                         "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}]},
                "interm": {"issuer": "root", "validity": long, "profiles": [
                    {"id": "simple-ca", "params": {"max-path-len": 0, "crl-repo": "interm",
                                                   "ocsp-service": "interm"}}]},
                "ocsp": {"issuer": "interm", "validity": long, "profiles": ["ocsp-responder"]},
                "tsa": {"issuer": "root", "validity": long, "extensions": [
                    {"id": "key_usage", "critical": True,
                     "smart-value": {"schema": "key-usage", "params": ["digital_signature"]}},
                    {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                    {"id": "crl_distribution_points", "smart-value": {
                        "schema": "crl-dist-url", "params": {"crl-repo-names": ["root"]}}}]},
                "signer": {"issuer": "interm", "validity": short,
                           "profiles": ["digsig-commitment"]},
            },
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp",
                                    "signing-key": "ocsp"}},
                "crl-repo": {
                    "root": {"for-issuer": "root", "signing-key": "root",
                             "simulated-update-schedule": "P90D"},
                    "interm": {"for-issuer": "interm", "signing-key": "interm",
                               "simulated-update-schedule": "P30D"}},
                "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
            },
        }},
    }


@dataclass
class LocalPki:
    url: str
    directory: Path
    signer_not_after: dt.datetime
    _server: object

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    @property
    def p12(self) -> Path:
        return self.directory / "signer.p12"

    @property
    def roots_pem(self) -> Path:
        return self.directory / "roots.pem"

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def start(directory: Path) -> LocalPki:
    """Generate keys, build the PKI, serve it; writes signer.p12 and roots.pem."""
    for label in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (directory / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    late = _Late()
    server = make_server("127.0.0.1", 0, late, request_handler=_Quiet, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cfg = CertomancerConfig(_config(now), key_search_dir=str(directory), external_url_prefix=url)
    arch = cfg.get_pki_arch(ARCH)
    late.app = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def cert(label):
        return x509.load_der_x509_certificate(arch.get_cert(label).dump())

    key = serialization.load_pem_private_key(
        (directory / "signer.key.pem").read_bytes(), password=None)
    (directory / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert("signer"), [cert("interm")],
        serialization.BestAvailableEncryption(P12_PASSPHRASE)))
    (directory / "roots.pem").write_bytes(pem.armor("CERTIFICATE", arch.get_cert("root").dump()))
    return LocalPki(url=url, directory=directory, signer_not_after=now + dt.timedelta(
        days=SIGNER_DAYS), _server=server)
