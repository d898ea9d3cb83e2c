"""HTTPS on the shop's LAN (web/tls.py): the shop's CA is made once and kept, the server certificate it signs is issued
again when it must be, and `aixin serve` with `[server] tls = true` answers over TLS to a client that trusts only
that CA, by a configured name."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, Subject, VerificationError

from shop.settings import ServerSettings, Settings
from web.tls import (
    CA_DAYS, SERVER_DAYS, TlsError, export_ca, fingerprint, names_to_cover, server_certificate, shop_ca,
)

ROOT = Path(__file__).resolve().parents[2]
SHOP = "爱心超市·幸福社区店"


def settings(*names: str) -> Settings:
    return Settings(server=ServerSettings(tls=True, tls_names=names))


def certificates(folder: Path, *names: str, now: datetime | None = None):
    ca = shop_ca(folder, shop_name=SHOP, now=now)
    return ca, server_certificate(folder, ca, names=names_to_cover(settings(*names), host="127.0.0.1"), now=now)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def verifies(ca: Path, server: Path, name: Subject) -> bool:
    verifier = PolicyBuilder().store(Store([load(ca)])).build_server_verifier(name)
    try:
        verifier.verify(load(server), [])
        return True
    except VerificationError:
        return False


def test_the_ca_and_the_server_certificate_are_made_once_and_kept(tmp_path):
    folder = tmp_path / "tls"

    # when: the first start
    ca, served = certificates(folder, "shop.test")

    # then both are made, the keys readable by this user alone
    assert ca.made and served.issued_because == "there was none"
    for key in (folder / "ca.key", folder / "server.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    made = {name: (folder / name).read_bytes() for name in ("ca.crt", "ca.key", "server.crt", "server.key")}

    # when: the next start, with the same names
    again_ca, again = certificates(folder, "shop.test")

    # then nothing is made again: the tills keep trusting the same CA
    assert not again_ca.made and again.issued_because is None
    assert again_ca.fingerprint == ca.fingerprint == fingerprint(load(folder / "ca.crt"))
    assert {name: (folder / name).read_bytes() for name in made} == made


def test_the_ca_signs_servers_only_for_ten_years_and_the_server_certificate_is_under_browsers_limits(tmp_path):
    ca, served = certificates(tmp_path, "shop.test")

    authority, server = ca.certificate, load(served.cert_path)
    constraints = authority.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = authority.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and not usage.digital_signature
    assert authority.not_valid_after_utc - authority.not_valid_before_utc >= timedelta(days=CA_DAYS)
    assert SHOP in authority.subject.rfc4514_string()
    lifetime = server.not_valid_after_utc - server.not_valid_before_utc
    assert timedelta(days=SERVER_DAYS) <= lifetime <= timedelta(days=825)
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_server_certificate_verifies_against_the_ca_for_every_name_the_tills_use(tmp_path):
    ca, served = certificates(tmp_path, "shop.test", "192.168.1.10")

    for name in (x509.DNSName("localhost"), x509.DNSName("shop.test"),
                 x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                 x509.IPAddress(ipaddress.ip_address("192.168.1.10"))):
        assert verifies(ca.path, served.cert_path, name), name
    assert socket.gethostname().lower() in served.names  # this PC's name, as the tills may know it
    assert not verifies(ca.path, served.cert_path, x509.DNSName("bank.example"))
    assert {"localhost", "127.0.0.1", "shop.test", "192.168.1.10"} <= set(served.names)
    # and against another CA it does not
    other, _ = certificates(tmp_path / "other")
    assert not verifies(other.path, served.cert_path, x509.DNSName("shop.test"))


def test_a_name_added_to_the_settings_issues_the_server_certificate_again_from_the_same_ca(tmp_path):
    # given
    ca, served = certificates(tmp_path, "shop.test")
    assert not verifies(ca.path, served.cert_path, x509.DNSName("aixin.local"))

    # when
    again_ca, again = certificates(tmp_path, "shop.test", "aixin.local")

    # then
    assert again.issued_because == "the one there did not cover aixin.local"
    assert again_ca.fingerprint == ca.fingerprint and not again_ca.made
    assert verifies(ca.path, again.cert_path, x509.DNSName("aixin.local"))
    assert verifies(ca.path, again.cert_path, x509.DNSName("shop.test"))
    assert stat.S_IMODE((tmp_path / "server.key").stat().st_mode) == 0o600


def test_a_server_certificate_near_its_end_is_issued_again(tmp_path):
    # given a CA and a server certificate made SERVER_DAYS - 10 days ago: it expires in 10 days
    now = datetime.now(timezone.utc)
    ca, old = certificates(tmp_path, "shop.test", now=now - timedelta(days=SERVER_DAYS - 10))
    assert old.expires - now < timedelta(days=11)

    # when: a start today
    again_ca, again = certificates(tmp_path, "shop.test")

    # then
    assert again.issued_because == f"the one there expires on {old.expires:%Y-%m-%d}"
    assert again_ca.fingerprint == ca.fingerprint
    assert again.expires - now > timedelta(days=SERVER_DAYS - 1)
    assert verifies(ca.path, again.cert_path, x509.DNSName("shop.test"))


def test_a_server_certificate_issued_while_the_clock_was_ahead_is_issued_again(tmp_path):
    # given a server certificate issued with this PC's clock two days ahead
    ca = shop_ca(tmp_path, shop_name=SHOP)
    names = names_to_cover(settings("shop.test"), host="127.0.0.1")
    server_certificate(tmp_path, ca, names=names, now=datetime.now(timezone.utc) + timedelta(days=2))

    # when: a start with the clock right
    again = server_certificate(tmp_path, ca, names=names)

    # then
    assert again.issued_because is not None and again.issued_because.startswith("the one there is valid only from")
    assert verifies(ca.path, again.cert_path, x509.DNSName("shop.test"))


def test_a_server_certificate_of_another_ca_or_not_its_keys_is_issued_again(tmp_path):
    # given the server files of another shop's CA copied in
    certificates(tmp_path / "other", "shop.test")
    ca = shop_ca(tmp_path / "ours", shop_name=SHOP)
    for name in ("server.crt", "server.key"):
        shutil.copy(tmp_path / "other" / name, tmp_path / "ours" / name)
    names = names_to_cover(settings("shop.test"), host="127.0.0.1")

    # then
    assert server_certificate(tmp_path / "ours", ca, names=names).issued_because == \
        "the one there was signed by another CA"

    # given a server key that is not the certificate's
    shutil.copy(tmp_path / "other" / "server.key", tmp_path / "ours" / "server.key")
    # then
    assert server_certificate(tmp_path / "ours", ca, names=names).issued_because == "the one there could not be used"
    assert server_certificate(tmp_path / "ours", ca, names=names).issued_because is None


def test_the_ca_is_never_made_again_over_half_of_it(tmp_path):
    # given a CA whose certificate went missing
    ca, _ = certificates(tmp_path, "shop.test")
    key = (tmp_path / "ca.key").read_bytes()
    (tmp_path / "ca.crt").unlink()

    # then it stops, saying what to do, and keeps the key as it was
    with pytest.raises(TlsError, match="is there but not its certificate"):
        shop_ca(tmp_path, shop_name=SHOP)
    assert (tmp_path / "ca.key").read_bytes() == key
    assert not (tmp_path / "ca.crt").exists()


def test_a_configured_name_that_is_no_name_is_refused_naming_the_setting(tmp_path):
    with pytest.raises(TlsError, match="server.tls_names"):
        names_to_cover(settings("shop test!"), host="127.0.0.1")


def test_the_exported_ca_is_its_certificate_never_its_key(tmp_path):
    ca, _ = certificates(tmp_path / "tls")
    (tmp_path / "usb").mkdir()

    written = export_ca(ca, tmp_path / "usb")

    assert written == tmp_path / "usb" / "aixin-shop.crt"
    assert written.read_bytes() == ca.path.read_bytes() and b"PRIVATE KEY" not in written.read_bytes()
    assert export_ca(ca, written) == written  # the same again is fine
    (tmp_path / "other.crt").write_text("something else")
    with pytest.raises(TlsError, match="exists already"):
        export_ca(ca, tmp_path / "other.crt")
    assert (tmp_path / "other.crt").read_text() == "something else"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def over_tls(port: int, context: ssl.SSLContext, name: str, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=name) as tls:
        tls.sendall(request)
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
        return answer


def test_aixin_serve_answers_over_https_to_a_till_that_trusts_only_the_shops_ca(tmp_path):
    # given a shop set to serve HTTPS, known on its LAN as shop.test
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(f"""
[server]
port = {port}
data_dir = "{tmp_path / 'var'}"
tls = true
tls_names = ["shop.test"]
[database]
url = "sqlite:///{tmp_path / 'shop.sqlite'}"
[printer]
path = "{tmp_path / 'print'}"
[labels]
path = "{tmp_path / 'labels'}"
""", encoding="utf-8")
    env = {**os.environ, "AIXIN_CONFIG": str(config)}
    env = {k: v for k, v in env.items() if not k.startswith("AIXIN_") or k == "AIXIN_CONFIG"}
    said = tmp_path / "said.txt"
    exported = subprocess.run([sys.executable, "-m", "web.cli", "tls", "ca", "--export", str(tmp_path / "till.crt")],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert exported.returncode == 0, exported.stderr
    with said.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        # when a till that trusts only the shop's CA (as given to it) asks for the login page by the name shop.test
        till = ssl.create_default_context(cafile=tmp_path / "till.crt")
        request = f"GET /login HTTP/1.1\r\nHost: shop.test:{port}\r\nConnection: close\r\n\r\n".encode()
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = over_tls(port, till, "shop.test", request)
                break
            except (ConnectionRefusedError, ConnectionResetError, ssl.SSLEOFError):
                assert server.poll() is None and time.monotonic() < deadline, said.read_text()
                time.sleep(0.2)

        # then the page comes over TLS, its cookie only ever sent back over HTTPS
        head = answer.split(b"\r\n\r\n")[0].decode().lower()
        assert head.startswith("http/1.1 200"), head
        assert "set-cookie: csrftoken=" in head and "; secure" in head
        assert "strict-transport-security" in head
        # and serve said where the CA is and its fingerprint, the one exported
        printed = said.read_text()
        ca_file = tmp_path / "var" / "tls" / "ca.crt"
        assert (tmp_path / "till.crt").read_bytes() == ca_file.read_bytes()
        assert f"https://127.0.0.1:{port}/" in printed and str(ca_file) in printed
        assert f"SHA-256 {fingerprint(load(ca_file))}" in printed and f"SHA-256 {fingerprint(load(ca_file))}" in \
            exported.stdout
        # a name the certificate does not cover, or a client trusting only the usual authorities, is refused
        with pytest.raises(ssl.SSLCertVerificationError):
            over_tls(port, till, "bank.example", request)
        with pytest.raises(ssl.SSLCertVerificationError):
            over_tls(port, ssl.create_default_context(), "shop.test", request)
        # and plain HTTP to the same port gets no answer
        with socket.create_connection(("127.0.0.1", port), timeout=10) as plain:
            plain.sendall(request)
            try:
                reply = plain.recv(100)
            except ConnectionResetError:
                reply = b""
        assert not reply.startswith(b"HTTP/")
    finally:
        server.terminate()
        server.wait(timeout=30)
