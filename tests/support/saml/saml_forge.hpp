// The SAML forge: what an identity provider sends to SSO Connect's ACS, good and hostile, made
// in the test process for the ACS rejection tests. Signatures and encryption use the xmlsec C
// API (OpenSSL back end); keys and certificates are made by the openssl command.
//
// It is test code: failures are programming errors of the test and throw (std::invalid_argument
// for a request that cannot be honoured, std::runtime_error when a tool fails). It never changes
// libxml2's parser settings itself, and it leaves xmlsec initialised (see ensure_xmlsec in
// xml_security.hpp) so that the service provider in the same process is not disturbed. Note that
// xmlSecInit() (called by the forge, or by lasso_init() in the SP) installs a process-wide
// libxml2 external entity loader that refuses every external entity: in a process using xmlsec,
// an XXE test cannot fail because of the SP's own parser options; check DOCTYPE refusal instead.
// In a test binary that also runs the SP, let the SP initialise first (lasso_init(), e.g. through
// its init function in a fixture): lasso_init() after the forge re-runs xmlSecInit(), which works
// but leaks ~1.6 KB inside libxmlsec1 that LeakSanitizer reports.
//
// A response made by make_response with the defaults looks like (no whitespace between elements):
//
//   <samlp:Response ID Version="2.0" IssueInstant Destination InResponseTo>
//     <saml:Issuer>idp_entity_id</saml:Issuer>
//     <ds:Signature>…Reference URI="#<Response ID>"…</ds:Signature>        (sign_response)
//     <samlp:Status><samlp:StatusCode Value="…:status:Success"/></samlp:Status>
//     <saml:Assertion ID Version="2.0" IssueInstant>                        (assertion_count×)
//       <saml:Issuer>…</saml:Issuer>
//       <ds:Signature>…Reference URI="#<Assertion ID>"…</ds:Signature>      (sign_assertion)
//       <saml:Subject>
//         <saml:NameID Format="…emailAddress">alice@example.test</saml:NameID>
//         <saml:SubjectConfirmation Method="…:cm:bearer">
//           <saml:SubjectConfirmationData NotOnOrAfter InResponseTo Recipient/>
//       <saml:Conditions NotBefore NotOnOrAfter>
//         <saml:AudienceRestriction><saml:Audience>audience</saml:Audience>
//       <saml:AuthnStatement AuthnInstant SessionIndex>…PasswordProtectedTransport…
//       <saml:AttributeStatement>
//         <saml:Attribute Name="Email" NameFormat="…attrname-format:basic">
//           <saml:AttributeValue xsi:type="xs:string">alice@example.test</saml:AttributeValue>
//         … First, Last
//
// With encrypt_to_cert_pem_file each (signed) Assertion is replaced by
//   <saml:EncryptedAssertion><xenc:EncryptedData Type="…#Element">
//     <xenc:EncryptionMethod aes256-gcm/><ds:KeyInfo><xenc:EncryptedKey rsa-oaep-mgf1p>…
// and the response signature (made last) covers the EncryptedAssertion.
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ssoc::test::saml {

// An RSA-2048 key (PKCS#8 PEM, unencrypted) and a self-signed certificate for it (SHA-256, ten
// years), as an IdP publishes in its metadata.
struct IdpKey {
  std::string key_pem_file, cert_pem_file;
};

// Makes <cn>.key.pem and <cn>.cert.pem in `dir` with the openssl command, once: files already
// there are reused. Several keys (the IdP's, an attacker's) can share a folder by their cn.
IdpKey make_idp_key(const std::filesystem::path& dir, const std::string& cn = "idp.test");

// md:EntityDescriptor with one IDPSSODescriptor: KeyDescriptor use="signing" holding the
// certificate, NameIDFormat emailAddress, SingleSignOnService HTTP-Redirect at `sso_url`.
std::string idp_metadata_xml(const std::string& entity_id, const std::string& cert_pem_file,
                             const std::string& sso_url);

struct ResponseSpec {
  std::string idp_entity_id = "https://idp.test/metadata";
  std::string destination;     // Response@Destination, written as given (even empty)
  std::string recipient;       // SubjectConfirmationData@Recipient, written as given
  std::string audience;        // AudienceRestriction/Audience, written as given
  std::string in_response_to;  // Response@ and SubjectConfirmationData@InResponseTo; empty: none
  std::string name_id = "alice@example.test";
  std::string name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
  std::vector<std::pair<std::string, std::string>> attributes = {
      {"Email", "alice@example.test"}, {"First", "Alice"}, {"Last", "Example"}};
  // Generated ("_" + 32 hex) when empty. assertion_id cannot be set with assertion_count > 1
  // (see duplicate_assertion_id for two assertions sharing one ID).
  std::string response_id, assertion_id;
  // IssueInstant of both (and AuthnInstant); Conditions NotBefore = now-60, NotOnOrAfter =
  // now+300; SubjectConfirmationData NotOnOrAfter = now+300; unless set below.
  std::time_t now = std::time(nullptr);
  std::optional<std::time_t> not_before, not_on_or_after, subject_not_on_or_after, issue_instant;
  std::string status = "urn:oasis:names:tc:SAML:2.0:status:Success";
  bool sign_response = true, sign_assertion = true;
  std::string digest = "sha256", signature = "rsa-sha256";  // or "sha1", "rsa-sha1" (also 384/512)
  IdpKey signer;  // key used to sign (required when anything is signed)
  // When set: each assertion, signed first, becomes an EncryptedAssertion for that certificate.
  std::optional<std::string> encrypt_to_cert_pem_file;
  std::string data_encryption = "aes256-gcm";    // or aes128-gcm, aes128-cbc, aes256-cbc
  std::string key_transport = "rsa-oaep-mgf1p";  // or rsa-1_5
  std::string subject_confirmation_method = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
  bool omit_authn_statement = false;
  bool omit_bearer = false;    // no SubjectConfirmation element at all
  bool omit_audience = false;  // no AudienceRestriction (Conditions stays)
  bool omit_subject_confirmation_data = false, omit_recipient = false;
  bool omit_subject_not_on_or_after = false, omit_assertion_issuer = false;
  bool omit_destination = false;
  std::string assertion_issuer;  // empty: idp_entity_id
  std::string response_issuer;   // empty: idp_entity_id
  int assertion_count = 1;       // 0: none; 2: two assertions, each signed (and encrypted)
};

// The response as the IdP's XML (UTF-8, with an XML declaration).
std::string make_response(const ResponseSpec& spec);

// Standard base64 on one line.
std::string base64(const std::string& xml);
// The HTTP-POST binding's body: "SAMLResponse=<urlencoded base64>&RelayState=<urlencoded>".
std::string form_body(const std::string& xml, const std::string& relay_state);

// ---- Hostile variants of a signed response; each returns new XML. ----

// Replaces every occurrence of `from` with `to` in the text (after signing, so the digest no
// longer matches). Throws std::invalid_argument when `from` does not occur.
std::string replace_after_signing(const std::string& xml, const std::string& from,
                                  const std::string& to);

// The comment truncation attack (Duo, 2018): in every saml:NameID, the text
// "<prefix><suffix>" becomes "<prefix><!--x--><suffix>" with the comment at byte `at`. The
// signature stays valid (exc-c14n without comments drops the comment); an SP reading only the
// first text node sees "<prefix>". Sign a NameID such as "alice@example.test.evil.test" and
// insert at 18. Throws when there is no NameID or `at` is past the end of its text.
std::string insert_comment_in_name_id(const std::string& xml, std::size_t at);
// The same in every saml:AttributeValue of the attributes named `attribute_name` (the user id
// comes from the Email attribute before the NameID).
std::string insert_comment_in_attribute(const std::string& xml, const std::string& attribute_name,
                                        std::size_t at);

enum class DoctypeEntity {
  // Bounded billion laughs: &lol3; = 1000 × "lol" replaces the NameID text (signature broken).
  bounded_laughs,
  // An internal entity whose value is the NameID's own text replaces that text: a parser that
  // expands entities sees the signed text, so the signature still verifies. Only refusing
  // DOCTYPEs protects. (Unexpanded, exc-c14n fails on the entity reference node: the xmlsec1
  // command, which does not expand, reports the signature as failed.)
  same_text,
  // An external entity SYSTEM "file://<system_file>" replaces the NameID text (XXE).
  external_file,
};
// Inserts <!DOCTYPE <root> [ … ]> after the XML declaration and references the entity in every
// saml:NameID.
std::string with_doctype_entity(const std::string& xml,
                                DoctypeEntity kind = DoctypeEntity::bounded_laughs,
                                const std::string& system_file = "/etc/hostname");

// XML signature wrapping ("On Breaking SAML", Somorovsky et al. 2012; SAML Raider's XSW1..8).
// "Evil" is what the attacker wants read: its saml:NameID texts, and the AttributeValue texts
// equal to the original NameID (the Email), are `evil_name_id`. "Original" is the signed element
// untouched, or an unsigned copy of it (its ds:Signature removed) that digests exactly as it did
// when signed. Unlike SAML Raider, every
// evil element gets a fresh ID, so no ID value repeats: only an SP that checks *what* was signed
// (the element it reads is the element the signature references) is protected — not one that
// merely rejects duplicate IDs. Layouts 1, 2, 9 need a signed Response (sign_response); 3..8, 10
// and 11 need a signed first Assertion (sign_assertion; sign_response=false keeps the response
// free of a second, now broken, signature). Encrypted assertions are not supported.
//
//   1  Response(evil) > Signature(original's) > … Response(original copy, after KeyInfo)
//   2  Response(evil) > Response(original copy), then Signature(original's)    [detached]
//   3  Response > Assertion(evil, unsigned), then Assertion(original, signed)
//   4  Response > Assertion(evil, unsigned) > …, Assertion(original, signed, last child)
//   5  Response > Assertion(evil, holds the original Signature), …, Assertion(original copy, last)
//   6  Response > Assertion(evil) > Signature(original's) > …, Assertion(original copy)
//   7  Response > samlp:Extensions > Assertion(evil, unsigned); Assertion(original, signed) stays
//   8  Response > Assertion(evil) > Signature(original's) > ds:Object > Assertion(original copy)
//   9  Response(evil) > samlp:Extensions > Response(original copy); Signature(original's) in evil
//  10  Response > Assertion(evil, holds Signature) > saml:Advice > Assertion(original copy)
//  11  Response > samlp:Extensions > Assertion(original copy); Assertion(evil, holds Signature)
//
// Under xmlsec (and any verifier whose enveloped-signature transform follows XML-DSig) layouts 1,
// 6 and 8 no longer verify: the referenced copy sits inside the ds:Signature, and the enveloped-
// signature transform removes the whole Signature subtree, so the digest is over nothing. They
// catch SPs with a hand-made enveloped transform; 9, 10 and 11 are the same ideas with the original
// outside the Signature, and verify. All others verify (see check_signatures).
std::string xsw(const std::string& signed_xml, int layout, const std::string& evil_name_id);

// Duplicate IDs: an unsigned evil copy of the first signed Assertion keeping the SAME ID, placed
// before or after it. libxml2 (and so xmlsec) resolve "#ID" to the first element in document
// order: with after_original the signature still verifies over the original while a second
// assertion claims the same ID.
enum class DuplicatePlace { before_original, after_original };
std::string duplicate_assertion_id(const std::string& signed_xml, const std::string& evil_name_id,
                                   DuplicatePlace place = DuplicatePlace::after_original);

// ---- Checking what the forge made (test preconditions, not the SP's logic). ----

struct SignatureCheck {
  std::string holder;      // path of the element holding the ds:Signature, e.g. "/Response"
  std::string reference;   // the (first) Reference@URI, e.g. "#_3f…"
  std::string referenced;  // path of the element the URI resolves to; empty when unresolved
  bool valid = false;      // digest and signature verify with the certificate's key
};
// Every ds:Signature in document order, verified with xmlsec against the public key of
// `cert_pem_file` (KeyInfo is ignored). IDs of SAML elements are registered first-wins.
std::vector<SignatureCheck> check_signatures(const std::string& xml,
                                             const std::string& cert_pem_file);

}  // namespace ssoc::test::saml
