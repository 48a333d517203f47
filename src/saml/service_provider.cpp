#include "saml/service_provider.hpp"

#include <lasso/lasso.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>
#include <openssl/pem.h>

#include <atomic>

#include "common/encoding.hpp"
#include "saml/saml_names.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::saml {

struct ServiceProvider::LassoState {
  std::uint64_t generation = 0;
  LassoServer* server = nullptr;
  LassoState() = default;
  LassoState(const LassoState&) = delete;
  LassoState& operator=(const LassoState&) = delete;
  ~LassoState() { reset(); }
  void reset() {
    if (server != nullptr) g_object_unref(server);
    server = nullptr;
    generation = 0;
  }
};

namespace {

std::atomic<std::uint64_t> next_generation{1};

struct GObjectUnref {
  void operator()(void* object) const noexcept { g_object_unref(object); }
};
using LoginPtr = std::unique_ptr<LassoLogin, GObjectUnref>;

std::string lasso_reason(int rc) {
  const char* text = lasso_strerror(rc);
  return std::string(text != nullptr ? text : "unknown error") + " (" + std::to_string(rc) + ")";
}

Result<SecretBytes> private_key_pem(EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail(Cause::Internal, "the keystore's key could not be written for Lasso");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  SecretBytes pem(data, data + size);
  pem.push_back(0);
  return pem;
}

std::string certificate_pem(const Bytes& der) {
  std::string b64 = base64_encode(der);
  std::string pem = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END CERTIFICATE-----\n";
}

// Builds one Lasso server: this SP (metadata, key) and the IdP as its one provider.
Result<LassoServer*> build_lasso_server(const std::string& sp_metadata, const SecretBytes& key_pem,
                                        const std::string& certificate_pem,
                                        const std::string& idp_metadata) {
  // No certificate: this service signs its requests itself, and Lasso 2.8 would otherwise
  // load the certificate again for every request it builds, leaking a BIO each time.
  (void)certificate_pem;
  LassoServer* server = lasso_server_new_from_buffers(
      sp_metadata.c_str(), reinterpret_cast<const char*>(key_pem.data()), nullptr, nullptr);
  if (server == nullptr)
    return fail(Cause::InvalidSetting,
                "Lasso refused this service's SAML settings (sp_entity_id, keystore_file); check "
                "that the keystore holds an RSA key");
  server->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA256;
  int rc = lasso_server_set_encryption_private_key(server,
                                                   reinterpret_cast<const char*>(key_pem.data()));
  if (rc == 0)
    rc = lasso_server_add_provider_from_buffer(server, LASSO_PROVIDER_ROLE_IDP,
                                               idp_metadata.c_str(), nullptr, nullptr);
  if (rc != 0) {
    g_object_unref(server);
    return fail(Cause::InvalidSetting,
                "Lasso refused the IdP metadata (idp_metadata_file): " + lasso_reason(rc) +
                    "; download the metadata again from the IdP");
  }
  return server;
}

constexpr std::string_view kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

// The HTTP-Redirect URL (SAML bindings §3.4.4): the IdP's SSO URL with SAMLRequest (as Lasso
// deflated and encoded it), RelayState and, when `key` is given, SigAlg and Signature, the
// RSA-SHA256 signature of "SAMLRequest=…&RelayState=…&SigAlg=…" exactly as sent.
Result<std::string> redirect_url(std::string_view lasso_url, std::string_view relay_state,
                                 EVP_PKEY* key) {
  std::size_t at = lasso_url.find("SAMLRequest=");
  if (at == std::string_view::npos || at == 0)
    return fail(Cause::Internal, "Lasso's AuthnRequest URL has no SAMLRequest");
  std::string_view base = lasso_url.substr(0, at);  // ends with '?' or '&'
  std::string_view request = lasso_url.substr(at);
  request = request.substr(0, request.find('&'));
  std::string query = std::string(request) + "&RelayState=" + percent_encode(relay_state);
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
  return std::string(base) + query;
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
                "keystore_file holds a key that is not RSA; SAML signing through Lasso needs an "
                "RSA key (2048 bits or more)");
  std::shared_ptr<ServiceProvider> sp(new ServiceProvider());
  sp->idp_ = TRY(parse_idp_metadata(as_bytes(settings.idp_metadata_xml), "idp-metadata.xml"));
  sp->keys_ = TRY(SignatureKeys::from_certificates(sp->idp_.signing_certificates));
  sp->decryption_ = TRY(DecryptionKey::from_private_key(settings.key));
  if (EVP_PKEY_up_ref(settings.key) != 1) return fail(Cause::Internal, "OpenSSL: key up-ref");
  sp->key_.reset(settings.key);
  sp->key_pem_ = TRY(private_key_pem(settings.key));
  sp->certificate_pem_ = certificate_pem(settings.certificate_der);
  sp->metadata_xml_ = sp_metadata_xml(settings);
  sp->expected_ = {settings.entity_id, settings.acs_url, sp->idp_.entity_id, settings.clock_skew,
                   settings.allow_sha1};
  sp->generation_ = next_generation.fetch_add(1);
  sp->settings_ = std::move(settings);
  sp->settings_.key = sp->key_.get();
  // Prove now, at start-up, that Lasso takes these settings.
  LassoServer* probe = TRY(build_lasso_server(sp->metadata_xml_, sp->key_pem_, sp->certificate_pem_,
                                              sp->settings_.idp_metadata_xml));
  g_object_unref(probe);
  return std::shared_ptr<const ServiceProvider>(std::move(sp));
}

ServiceProvider::~ServiceProvider() = default;

ServiceProvider::LassoState& ServiceProvider::lasso() const {
  thread_local LassoState state;
  if (state.generation != generation_ || state.server == nullptr) {
    state.reset();
    auto server =
        build_lasso_server(metadata_xml_, key_pem_, certificate_pem_, settings_.idp_metadata_xml);
    // create() built one from the same inputs, so this only fails for lack of memory.
    if (server) {
      state.server = *server;
      state.generation = generation_;
    }
  }
  return state;
}

Result<ServiceProvider::AuthnRequest> ServiceProvider::make_authn_request(
    std::string_view relay_state) const {
  LassoState& state = lasso();
  if (state.server == nullptr) return fail(Cause::Internal, "Lasso could not be set up");
  LoginPtr login(lasso_login_new(state.server));
  if (!login) return fail(Cause::Internal, "Lasso could not start a login");
  LassoProfile* profile = LASSO_PROFILE(login.get());
  int rc = lasso_login_init_authn_request(login.get(), const_cast<char*>(idp_.entity_id.c_str()),
                                          LASSO_HTTP_METHOD_REDIRECT);
  if (rc != 0)
    return fail(Cause::Internal, "Lasso could not make an AuthnRequest: " + lasso_reason(rc));
  auto* request = LASSO_SAMLP2_AUTHN_REQUEST(profile->request);
  auto random = TRY(ossl::random_bytes(20));
  std::string id = "_" + hex_encode(random);
  g_free(request->parent.ID);
  request->parent.ID = g_strdup(id.c_str());
  g_free(request->ProtocolBinding);
  request->ProtocolBinding = g_strdup(std::string(kPostBinding).c_str());
  g_free(request->AssertionConsumerServiceURL);
  request->AssertionConsumerServiceURL = g_strdup(settings_.acs_url.c_str());
  if (request->NameIDPolicy != nullptr) {
    g_free(request->NameIDPolicy->Format);
    request->NameIDPolicy->Format = g_strdup(std::string(kUnspecifiedFormat).c_str());
    request->NameIDPolicy->AllowCreate = TRUE;
  }
  g_free(profile->msg_relayState);
  profile->msg_relayState = g_strndup(relay_state.data(), relay_state.size());
  // Lasso builds the message unsigned; the query is signed here (see build_lasso_server).
  lasso_profile_set_signature_hint(profile, LASSO_PROFILE_SIGNATURE_HINT_FORBID);
  rc = lasso_login_build_authn_request_msg(login.get());
  if (rc != 0 || profile->msg_url == nullptr)
    return fail(Cause::Internal, "Lasso could not build the AuthnRequest: " + lasso_reason(rc));
  std::string url = TRY(
      redirect_url(profile->msg_url, relay_state, settings_.sign_requests ? key_.get() : nullptr));
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

  // Lasso's verdict on the same message: its signature checks must agree with ours.
  LassoState& state = lasso();
  if (state.server == nullptr) return fail(Cause::Internal, "Lasso could not be set up");
  LoginPtr login(lasso_login_new(state.server));
  if (!login) return fail(Cause::Internal, "Lasso could not start a login");
  std::string message(saml_response);
  int rc = lasso_login_process_authn_response_msg(login.get(), message.data());
  if (rc != 0) return fail(Cause::InvalidInput, "Lasso refused the response: " + lasso_reason(rc));
  // Lasso's return value covers the assertion's signature; its signature status covers only the
  // Response's (101, "not found", for a response that is not signed).
  if (int status = lasso_profile_get_signature_status(LASSO_PROFILE(login.get()));
      assertion.response_signed && status != 0)
    return fail(Cause::InvalidInput,
                "Lasso did not verify the response signature: " + lasso_reason(status));
  return assertion;
}

}  // namespace ssoc::saml
