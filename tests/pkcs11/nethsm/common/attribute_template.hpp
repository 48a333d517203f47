// Attribute templates on the wire (see protocol.hpp, "in-template" and "out-template").
//
// Values are copied as bytes, which is right for every attribute except the three whose value
// is itself a template of pointers (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE, CKA_DERIVE_TEMPLATE):
// those are refused with CKR_ATTRIBUTE_TYPE_INVALID when they carry a value. CK_ULONG and
// CK_BBOOL values keep the host's layout: client and server run on the same machine.
#pragma once

#include <vector>

#include "wire.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// True for the attribute types whose value holds pointers (nested templates).
bool holds_pointers(CK_ATTRIBUTE_TYPE type);

// --- client side ---

// Appends `count` attributes as an in-template. CKR_OK, CKR_ARGUMENTS_BAD (NULL template with a
// count) or CKR_ATTRIBUTE_TYPE_INVALID (a nested template).
CK_RV write_in_template(Writer& out, const CK_ATTRIBUTE* attributes, CK_ULONG count);

// Appends the request half of an out-template: types and the caller's buffer lengths (NULL
// pValue = length query). CKR_DEVICE_MEMORY if the buffers add up to more than a frame carries.
CK_RV write_out_template_request(Writer& out, const CK_ATTRIBUTE* attributes, CK_ULONG count);

// Reads the reply half into the caller's template: every ulValueLen, and the values for non-NULL
// pValue. False (nothing written) if the reply does not match the request.
[[nodiscard]] bool read_out_template_reply(Reader& in, CK_ATTRIBUTE* attributes, CK_ULONG count);

// --- server side ---

// A decoded in-template that owns its values; data() stays valid while the object lives.
class InTemplate {
 public:
  [[nodiscard]] bool read(Reader& in);
  CK_ATTRIBUTE_PTR data() { return attributes_.empty() ? nullptr : attributes_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(attributes_.size()); }

 private:
  std::vector<CK_ATTRIBUTE> attributes_;
  std::vector<Buffer> values_;
};

// A decoded out-template: each attribute gets a buffer of the requested length (or NULL), ready
// for C_GetAttributeValue; write_reply() sends back what the module filled in.
class OutTemplate {
 public:
  [[nodiscard]] bool read(Reader& in);
  CK_ATTRIBUTE_PTR data() { return attributes_.empty() ? nullptr : attributes_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(attributes_.size()); }
  void write_reply(Writer& out) const;

 private:
  std::vector<CK_ATTRIBUTE> attributes_;
  std::vector<OutputArea> areas_;
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
