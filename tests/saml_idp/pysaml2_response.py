#!/usr/bin/python3
"""A SAMLResponse made by a second, independent IdP implementation: pysaml2.

Builds a real pysaml2 IdP (saml2.server.Server) from a configuration written to a temporary
folder, with metadata for the SP made on the fly (so pysaml2 knows the SP's ACS and, with
--encrypt-cert, its encryption certificate), calls create_authn_response for one user and writes
the base64 SAMLResponse, as the HTTP-POST binding carries it, to --out.

Attributes are sent under their plain Names "Email", "First", "Last" (NameFormat basic, through
an identity attribute map; pysaml2 adds FriendlyName with the same value); the NameID has the
emailAddress format. Signatures are rsa-sha256/sha256 unless --algorithms sha1 (pysaml2's own
default is SHA-1). pysaml2 signs (and encrypts) through the xmlsec1 command.

    /usr/bin/python3 tests/saml_idp/pysaml2_response.py --idp-key idp.key.pem \\
        --idp-cert idp.cert.pem --idp-entity-id https://idp.test/metadata \\
        --sp-entity-id https://sso.test/saml/metadata --acs-url https://sso.test:8443/saml/acs \\
        --in-response-to _abc --name-id alice@example.test --email alice@example.test \\
        --first Alice --last Example --sign-response --sign-assertion --out response.b64

Exit status 0 on success; 2 for bad arguments (argparse); 1 when pysaml2 fails (its message on
stderr).
"""

import argparse
import base64
import os
import sys
import tempfile
import textwrap
from xml.sax.saxutils import escape, quoteattr

XMLSEC_BINARY = "/usr/bin/xmlsec1"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
BASIC_FORMAT = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"

# An attribute map that leaves the local names as they are ("Email" stays "Email"), so pysaml2
# neither maps them to OIDs nor lower-cases them.
ATTRIBUTE_MAP = textwrap.dedent(
    """\
    MAP = {
        "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
        "fro": {"Email": "Email", "First": "First", "Last": "Last"},
        "to": {"Email": "Email", "First": "First", "Last": "Last"},
    }
    """
)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idp-key", required=True, help="the IdP's private key (PEM file)")
    parser.add_argument("--idp-cert", required=True, help="the IdP's certificate (PEM file)")
    parser.add_argument("--idp-entity-id", required=True)
    parser.add_argument("--sp-entity-id", required=True)
    parser.add_argument("--acs-url", required=True, help="Destination and Recipient")
    parser.add_argument("--in-response-to", required=True, help="the AuthnRequest's ID")
    parser.add_argument("--name-id", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--first", required=True)
    parser.add_argument("--last", required=True)
    parser.add_argument("--sign-response", action="store_true")
    parser.add_argument("--sign-assertion", action="store_true")
    parser.add_argument("--encrypt-cert", help="encrypt the assertion to this certificate (PEM)")
    parser.add_argument("--algorithms", choices=["sha256", "sha1"], default="sha256",
                        help="rsa-sha256 and sha256 (default), or rsa-sha1 and sha1 (pysaml2's "
                        "own default)")
    parser.add_argument("--out", required=True, help="where the base64 SAMLResponse goes")
    return parser.parse_args(argv)


def pem_body(path):
    lines, inside = [], False
    with open(path, encoding="ascii") as pem:
        for line in pem:
            if line.startswith("-----BEGIN CERTIFICATE"):
                inside = True
            elif line.startswith("-----END CERTIFICATE"):
                break
            elif inside:
                lines.append(line.strip())
    if not lines:
        raise ValueError(path + " holds no PEM certificate")
    return "".join(lines)


def sp_metadata(args):
    key_descriptor = ""
    if args.encrypt_cert:
        key_descriptor = (
            '<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            + pem_body(args.encrypt_cert)
            + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
        ' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID=' + quoteattr(args.sp_entity_id)
        + '><md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true"'
        ' protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        + key_descriptor
        + "<md:NameIDFormat>" + escape(EMAIL_FORMAT) + "</md:NameIDFormat>"
        '<md:AssertionConsumerService index="0" isDefault="true"'
        ' Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location='
        + quoteattr(args.acs_url)
        + "/></md:SPSSODescriptor></md:EntityDescriptor>"
    )


def algorithms(args):
    from saml2 import xmldsig

    if args.algorithms == "sha1":
        return xmldsig.SIG_RSA_SHA1, xmldsig.DIGEST_SHA1
    return xmldsig.SIG_RSA_SHA256, xmldsig.DIGEST_SHA256


def idp_config(args, folder):
    from saml2 import BINDING_HTTP_REDIRECT

    metadata_file = os.path.join(folder, "sp-metadata.xml")
    with open(metadata_file, "w", encoding="utf-8") as out:
        out.write(sp_metadata(args))
    map_folder = os.path.join(folder, "attribute_maps")
    os.mkdir(map_folder)
    with open(os.path.join(map_folder, "ssoc_plain_names.py"), "w", encoding="utf-8") as out:
        out.write(ATTRIBUTE_MAP)
    return {
        "entityid": args.idp_entity_id,
        "xmlsec_binary": XMLSEC_BINARY,
        "key_file": args.idp_key,
        "cert_file": args.idp_cert,
        "metadata": {"local": [metadata_file]},
        "attribute_map_dir": map_folder,
        "signing_algorithm": algorithms(args)[0],
        "digest_algorithm": algorithms(args)[1],
        "delete_tmpfiles": True,
        "service": {
            "idp": {
                "name": "SSO Connect test IdP (pysaml2)",
                "endpoints": {
                    "single_sign_on_service": [
                        (args.idp_entity_id.rstrip("/") + "/sso", BINDING_HTTP_REDIRECT)
                    ],
                },
                "name_id_format": [EMAIL_FORMAT],
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": BASIC_FORMAT,
                    },
                },
            },
        },
    }


def make_response(args, folder):
    from saml2 import saml
    from saml2.config import IdPConfig
    from saml2.saml import AUTHN_PASSWORD_PROTECTED
    from saml2.server import Server

    config = IdPConfig()
    config.load(idp_config(args, folder))
    idp = Server(config=config)
    identity = {"Email": [args.email], "First": [args.first], "Last": [args.last]}
    name_id = saml.NameID(format=EMAIL_FORMAT, text=args.name_id)
    encrypt_cert = None
    if args.encrypt_cert:
        with open(args.encrypt_cert, encoding="ascii") as pem:
            encrypt_cert = pem.read()
    response = idp.create_authn_response(
        identity,
        in_response_to=args.in_response_to,
        destination=args.acs_url,
        sp_entity_id=args.sp_entity_id,
        name_id=name_id,
        authn={"class_ref": AUTHN_PASSWORD_PROTECTED, "authn_auth": args.idp_entity_id},
        sign_response=args.sign_response,
        sign_assertion=args.sign_assertion,
        encrypt_assertion=bool(encrypt_cert),
        encrypt_cert_assertion=encrypt_cert,
        sign_alg=algorithms(args)[0],
        digest_alg=algorithms(args)[1],
    )
    return str(response)


def main(argv):
    args = parse_arguments(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="ssoc-pysaml2-") as folder:
            xml = make_response(args, folder)
    except Exception as error:  # pysaml2 raises many kinds; report and fail
        print("pysaml2 could not make the response: %s: %s" % (type(error).__name__, error),
              file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="ascii") as out:
        out.write(base64.b64encode(xml.encode("utf-8")).decode("ascii"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
