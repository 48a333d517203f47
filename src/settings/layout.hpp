// File names inside the data folder (DESIGN.md "The data folder").
#pragma once

#include <string_view>

namespace ssoc::settings {

inline constexpr std::string_view kInstanceProperties = "instance.properties";
inline constexpr std::string_view kSharedProperties = "shared.properties";
inline constexpr std::string_view kInstanceEncp = "instance.encp";
inline constexpr std::string_view kSharedEncp = "shared.encp";
inline constexpr std::string_view kSksProperties = "sks.properties";
// The record of a folder change in progress (see change_engine.hpp).
inline constexpr std::string_view kJournal = "transition.journal";
// Suffix of a settings file staged by a change, installed once the change commits.
inline constexpr std::string_view kStagedSuffix = ".next";
// Default keystore, also the default certificate chain file.
inline constexpr std::string_view kDefaultKeystore = "sso_keystore.p12";

}  // namespace ssoc::settings
