"""HTTPS on the shop's LAN: the shop's own certificate authority, and the server certificate it signs.

The offline till runs a service worker, and browsers run one only in a secure context: https://, or http:// to
127.0.0.1 on the server PC itself. A till on another PC reaches the server by its LAN address, so with
`[server] tls = true` `aixin serve` serves HTTPS, with a certificate signed by the shop's own certificate authority
(CA), which each till's browser trusts once. The CA is made once and kept (its key never leaves the server PC: only
ca.crt goes to the tills); the server certificate is issued again from it whenever it is missing, expires within
RENEW_DAYS (or is not valid yet), was signed by another CA, or does not cover a name or address the tills reach the
server by (a new LAN address after the router changed it, a name added to `[server] tls_names`).
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from shop.settings import Settings

CA_DAYS = 3650  # ten years: a till trusts the CA once
SERVER_DAYS = 730  # browsers refuse a server certificate valid for more than 825 days
RENEW_DAYS = 30  # a server certificate expiring within this is issued again at start
CLOCK_SKEW = timedelta(hours=1)  # valid from an hour ago: a till whose clock is a little behind still accepts it
CA_CERT, CA_KEY, SERVER_CERT, SERVER_KEY = "ca.crt", "ca.key", "server.crt", "server.key"
EXPORT_NAME = "aixin-shop.crt"

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TlsError(Exception):
    """The CA or a certificate cannot be used as it is: the message says which file and what to do."""


@dataclass(frozen=True)
class ShopCA:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    path: Path  # ca.crt: what the tills trust
    made: bool  # made just now (there was none)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


@dataclass(frozen=True)
class ServerCertificate:
    cert_path: Path
    key_path: Path
    names: tuple[str, ...]  # the host names and addresses it covers
    expires: datetime
    issued_because: str | None  # why it was issued just now; None: the one there was kept


@dataclass(frozen=True)
class Names:
    """What the server certificate must cover: the host names and the addresses the tills reach the server by."""

    hosts: tuple[str, ...]
    addresses: tuple[Address, ...]

    def general_names(self) -> set[x509.GeneralName]:
        return {*(x509.DNSName(h) for h in self.hosts), *(x509.IPAddress(a) for a in self.addresses)}


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as browsers and `openssl x509 -fingerprint -sha256` show it: AB:12:…"""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def tls_folder(settings: Settings) -> Path:
    """`[server] tls_dir`, or tls/ in the data folder (where the server keeps its other files, secret.key)."""
    return Path(settings.server.tls_dir or Path(settings.server.data_dir) / "tls")


def lan_address() -> str | None:
    """This PC's address on the shop's network (its default route), found without sending anything; None offline."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a UDP "connect" sends no packet: it only picks the route's interface
            return probe.getsockname()[0]
        except OSError:
            return None


def _host_name(name: str) -> str | None:
    """`name` as a DNS name a certificate can carry (lower case), or None when it is not one."""
    name = name.strip().rstrip(".").lower()
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return None
    return name


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.split("%")[0])  # an IPv6 address may carry its interface: fe80::1%eth0
    except ValueError:
        return None


def names_to_cover(settings: Settings, *, host: str) -> Names:
    """localhost, 127.0.0.1 and ::1, this PC's name and the addresses it finds for itself (its name's, its default
    route's, and `host` when the server listens on one address), and `[server] tls_names`."""
    hosts: list[str] = ["localhost"]
    addresses: list[Address] = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    for configured in settings.server.tls_names:
        if (address := _address(configured)) is not None:
            addresses.append(address)
        elif (name := _host_name(configured)) is not None:
            hosts.append(name)
        else:
            raise TlsError(f"setting server.tls_names is wrong: {configured!r} is neither a host name nor an address")
    found: list[str] = [host] if host not in ("0.0.0.0", "::", "") else []
    if (this_pc := _host_name(socket.gethostname())) is not None:
        hosts.append(this_pc)
        try:  # /etc/hosts or the local resolver: no network needed
            found += [str(info[4][0]) for info in socket.getaddrinfo(this_pc, None, proto=socket.IPPROTO_TCP)]
        except OSError:
            pass
    if (routed := lan_address()) is not None:
        found.append(routed)
    for text in found:
        if (address := _address(text)) is not None and not address.is_link_local and not address.is_unspecified:
            addresses.append(address)
    return Names(hosts=tuple(dict.fromkeys(hosts)), addresses=tuple(dict.fromkeys(addresses)))


def _write(path: Path, data: bytes, *, private: bool, replace: bool) -> None:
    """Write `path` whole or not at all: a private file (a key) is readable by this user alone (0600). Without
    `replace`, a file already there is never written over."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    mode = 0o600 if private else 0o644
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.chmod(temporary, mode)  # os.open's mode applies only to a file it creates, and through the umask
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)  # FileExistsError when one is there
    finally:
        temporary.unlink(missing_ok=True)


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _same_key(certificate: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> bool:
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return certificate.public_key().public_bytes(*spki) == key.public_key().public_bytes(*spki)


def _load(cert_path: Path, key_path: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """Raises ValueError (or TypeError) when either file is not what it should be."""
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not _same_key(certificate, key):
        raise ValueError("the key is not the certificate's")
    return certificate, key


def _new_ca(shop_name: str, now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{shop_name[:48]} Aixin CA"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, shop_name[:64]),
        # two CAs of one shop (one made again) are told apart in a till's list of trusted authorities
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"made {now:%Y-%m-%d %H:%M} UTC"),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)  # it signs servers, no CA
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def shop_ca(folder: Path, *, shop_name: str, now: datetime | None = None) -> ShopCA:
    """The shop's CA in `folder`: made when there is none, else the one there, never replaced."""
    now = now or datetime.now(timezone.utc)
    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    if not cert_path.exists() and not key_path.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        certificate, key = _new_ca(shop_name, now)
        try:
            _write(key_path, _pem_key(key), private=True, replace=False)
            _write(cert_path, certificate.public_bytes(serialization.Encoding.PEM), private=False, replace=False)
        except FileExistsError:  # another `aixin` made it meanwhile: theirs is the one
            return shop_ca(folder, shop_name=shop_name, now=now)
        return ShopCA(certificate=certificate, key=key, path=cert_path, made=True)
    renew = f"or move the folder {folder} away: a new CA is then made, which every till must trust again"
    if not key_path.exists():
        raise TlsError(f"the shop's CA certificate {cert_path} is there but not its key {key_path}: put the key "
                       f"back from a backup, {renew}")
    if not cert_path.exists():
        raise TlsError(f"the shop's CA key {key_path} is there but not its certificate {cert_path}: put the "
                       f"certificate back from a backup (or from a till that trusts it), {renew}")
    try:
        certificate, key = _load(cert_path, key_path)
    except (ValueError, TypeError) as error:
        raise TlsError(f"the shop's CA in {folder} cannot be used ({error}): put {CA_CERT} and {CA_KEY} back from "
                       f"a backup, {renew}") from error
    if certificate.not_valid_after_utc <= now:
        raise TlsError(f"the shop's CA {cert_path} expired on {certificate.not_valid_after_utc:%Y-%m-%d}: {renew}")
    return ShopCA(certificate=certificate, key=key, path=cert_path, made=False)


def _covered(certificate: x509.Certificate) -> set[x509.GeneralName]:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {n for n in names if isinstance(n, (x509.DNSName, x509.IPAddress))}


def _shown(name: x509.GeneralName) -> str:
    return str(name.value)


def _why_issue(folder: Path, ca: ShopCA, wanted: set[x509.GeneralName], now: datetime) -> str | None:
    """Why the server certificate in `folder` must be issued again, or None when it serves as it is."""
    cert_path, key_path = folder / SERVER_CERT, folder / SERVER_KEY
    if not cert_path.exists() or not key_path.exists():
        return "there was none"
    try:
        certificate, _ = _load(cert_path, key_path)
    except (ValueError, TypeError):
        return "the one there could not be used"
    try:
        certificate.verify_directly_issued_by(ca.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return "the one there was signed by another CA"
    if certificate.not_valid_before_utc > now:  # issued while this PC's clock was ahead
        return f"the one there is valid only from {certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
    if certificate.not_valid_after_utc - now < timedelta(days=RENEW_DAYS):
        return f"the one there expires on {certificate.not_valid_after_utc:%Y-%m-%d}"
    if missing := wanted - _covered(certificate):
        return "the one there did not cover " + ", ".join(sorted(_shown(n) for n in missing))
    return None


def server_certificate(folder: Path, ca: ShopCA, *, names: Names, now: datetime | None = None) -> ServerCertificate:
    """The server certificate in `folder`, issued again from `ca` when it must be (see the module's docstring)."""
    now = now or datetime.now(timezone.utc)
    wanted = names.general_names()
    cert_path, key_path = folder / SERVER_CERT, folder / SERVER_KEY
    reason = _why_issue(folder, ca, wanted, now)
    if reason is not None:
        key = ec.generate_private_key(ec.SECP256R1())
        ca_key_id = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        shop = ca.certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aixin server"), *shop])  # browsers read the SAN
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(ca.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - CLOCK_SKEW)
            .not_valid_after(min(now + timedelta(days=SERVER_DAYS), ca.certificate.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(
                [*(x509.DNSName(h) for h in names.hosts), *(x509.IPAddress(a) for a in names.addresses)]),
                critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id), critical=False)
            .sign(ca.key, hashes.SHA256())
        )
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # the key first: a stop between the two leaves a certificate that is not the key's, issued again next start
        _write(key_path, _pem_key(key), private=True, replace=True)
        _write(cert_path, certificate.public_bytes(serialization.Encoding.PEM), private=False, replace=True)
    else:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    covered = sorted(_covered(certificate), key=lambda n: (isinstance(n, x509.IPAddress), _shown(n)))
    return ServerCertificate(cert_path=cert_path, key_path=key_path, names=tuple(_shown(n) for n in covered),
                             expires=certificate.not_valid_after_utc, issued_because=reason)


def export_ca(ca: ShopCA, to: Path) -> Path:
    """Copy the CA certificate (never its key) to the file `to`, or into the folder `to` as aixin-shop.crt."""
    target = to / EXPORT_NAME if to.is_dir() else to
    pem = ca.certificate.public_bytes(serialization.Encoding.PEM)
    if target.exists():
        if target.read_bytes() == pem:
            return target
        raise TlsError(f"{target} exists already and is not the shop's CA certificate: name another file")
    try:
        target.write_bytes(pem)
    except OSError as error:
        raise TlsError(f"cannot write {target}: {error.strerror}") from error
    return target
