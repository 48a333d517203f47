#include "saml/service_provider.hpp"

#include <zlib.h>

#include <ctime>

#include "common/encoding.hpp"
#include "saml/saml_names.hpp"
#include "saml/saml_time.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::saml {

namespace {

// The AuthnRequest (SAML core §3.4.1) as this SP sends it: HTTP-POST binding for the response,
// this SP's ACS URL, an unspecified NameID format the IdP may create. Every value is escaped.
std::string authn_request_xml(std::string_view id, std::int64_t issue_instant,
                              std::string_view destination, std::string_view acs_url,
                              std::string_view entity_id) {
  std::string xml;
  xml.reserve(640);
  xml += "<samlp:AuthnRequest xmlns:samlp=\"";
  xml += kSamlProtocolNs;
  xml += "\" xmlns:saml=\"";
  xml += kSamlAssertionNs;
  xml += "\" ID=\"";
  xml += markup_escape(id);
  xml += "\" Version=\"2.0\" IssueInstant=\"";
  xml += format_saml_time(issue_instant);
  xml += "\" Destination=\"";
  xml += markup_escape(destination);
  xml += "\" ProtocolBinding=\"";
  xml += kPostBinding;
  xml += "\" AssertionConsumerServiceURL=\"";
  xml += markup_escape(acs_url);
  xml += "\"><saml:Issuer>";
  xml += markup_escape(entity_id);
  xml += "</saml:Issuer><samlp:NameIDPolicy Format=\"";
  xml += kUnspecifiedFormat;
  xml += "\" AllowCreate=\"true\"/></samlp:AuthnRequest>";
  return xml;
}

// Raw DEFLATE (RFC 1951, no zlib header), as the HTTP-Redirect binding (§3.4.4.1) wants.
Result<std::string> deflate_raw(std::string_view text) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return fail(Cause::Internal, "zlib could not start compressing the AuthnRequest");
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return fail(Cause::Internal, "zlib could not compress the AuthnRequest");
  return out;
}

constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

// The HTTP-Redirect URL (SAML bindings §3.4.4): the IdP's SSO URL with SAMLRequest (deflated,
// base64, percent-encoded), RelayState and, when `key` is given, SigAlg and Signature, the
// RSA-SHA256 signature of "SAMLRequest=…&RelayState=…&SigAlg=…" exactly as sent.
Result<std::string> redirect_url(std::string_view sso_url, std::string_view request_xml,
                                 std::string_view relay_state, EVP_PKEY* key) {
  std::string deflated = TRY(deflate_raw(request_xml));
  std::string query = "SAMLRequest=" + percent_encode(base64_encode(as_bytes(deflated))) +
                      "&RelayState=" + percent_encode(relay_state);
  if (key != nullptr) {
    query += "&SigAlg=" + percent_encode(kRsaSha256);
    ossl::MdCtx ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, as_bytes(query).data(), query.size()) != 1)
      return fail(Cause::Internal, "the AuthnRequest could not be signed: " + ossl::last_error());
    Bytes signature(size);
    if (EVP_DigestSign(ctx.get(), signature.data(), &size, as_bytes(query).data(), query.size()) !=
        1)
      return fail(Cause::Internal, "the AuthnRequest could not be signed: " + ossl::last_error());
    signature.resize(size);
    query += "&Signature=" + percent_encode(base64_encode(signature));
  }
  // An SSO URL may carry a query of its own; the binding's parameters are added to it.
  char separator = sso_url.find('?') == std::string_view::npos ? '?' : '&';
  return std::string(sso_url) + separator + query;
}

// The SAMLResponse field without the line breaks some IdPs insert, decoded.
Result<SecretBytes> decode_response(std::string_view field) {
  if (field.empty()) return fail(Cause::InvalidInput, "the SAMLResponse is empty");
  if (field.size() > kMaxSamlResponseSize)
    return fail(Cause::InvalidInput, "the SAMLResponse is larger than 1 MiB");
  std::string compact;
  compact.reserve(field.size());
  for (char c : field)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') compact += c;
  auto decoded = base64_decode(compact);
  if (!decoded) return fail(Cause::InvalidInput, "the SAMLResponse is not valid base64");
  return std::move(*decoded);
}

}  // namespace

Result<std::shared_ptr<const ServiceProvider>> ServiceProvider::create(SpSettings settings) {
  init_xml_security();
  if (settings.entity_id.empty())
    return fail(Cause::InvalidSetting, "sp_entity_id is empty; set it to this service's URL");
  if (settings.key == nullptr || settings.certificate_der.empty())
    return fail(Cause::InvalidSetting, "keystore_file holds no key and certificate for SAML");
  if (EVP_PKEY_get_base_id(settings.key) != EVP_PKEY_RSA)
    return fail(Cause::InvalidSetting,
                "keystore_file holds a key that is not RSA; SAML signing and decryption here "
                "need an RSA key (2048 bits or more)");
  std::shared_ptr<ServiceProvider> sp(new ServiceProvider());
  sp->idp_ = TRY(parse_idp_metadata(as_bytes(settings.idp_metadata_xml), "idp-metadata.xml"));
  sp->keys_ = TRY(SignatureKeys::from_certificates(sp->idp_.signing_certificates));
  sp->decryption_ = TRY(DecryptionKey::from_private_key(settings.key));
  if (EVP_PKEY_up_ref(settings.key) != 1) return fail(Cause::Internal, "OpenSSL: key up-ref");
  sp->key_.reset(settings.key);
  sp->metadata_xml_ = sp_metadata_xml(settings);
  sp->expected_ = {settings.entity_id, settings.acs_url, sp->idp_.entity_id, settings.clock_skew,
                   settings.allow_sha1};
  sp->settings_ = std::move(settings);
  sp->settings_.key = sp->key_.get();
  return std::shared_ptr<const ServiceProvider>(std::move(sp));
}

ServiceProvider::~ServiceProvider() = default;

Result<ServiceProvider::AuthnRequest> ServiceProvider::make_authn_request(
    std::string_view relay_state) const {
  auto random = TRY(ossl::random_bytes(20));
  std::string id = "_" + hex_encode(random);
  std::string xml =
      authn_request_xml(id, static_cast<std::int64_t>(std::time(nullptr)), idp_.sso_redirect_url,
                        settings_.acs_url, settings_.entity_id);
  std::string url = TRY(redirect_url(idp_.sso_redirect_url, xml, relay_state,
                                     settings_.sign_requests ? key_.get() : nullptr));
  return AuthnRequest{std::move(url), id};
}

Result<LoginAssertion> ServiceProvider::check_response(std::string_view saml_response,
                                                       std::string_view request_id,
                                                       std::int64_t now) const {
  SecretBytes xml = TRY(decode_response(saml_response));
  std::string problem;
  XmlDoc doc = parse_xml(xml, problem);
  if (!doc) return fail(Cause::InvalidInput, "the SAMLResponse " + problem);
  LoginAssertion assertion =
      TRY(saml::check_response(doc.get(), expected_, *keys_, decryption_.get(), request_id, now));

  return assertion;
}

}  // namespace ssoc::saml
