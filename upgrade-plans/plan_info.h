// plans::PlanInfo: where an upgrade plan says its binaries are (pure parsing, no I/O).
//
// A plan's `info` is an opaque string on chain. Cosmovisor reads it as inline JSON
// `{"binaries":{"linux/amd64":"<url>","any":"<url>"}}`, or as a URL to such a JSON document
// (which may carry its own `?checksum=`). Each binary URL may carry the artefact's checksum.
// Empty or free-text info (commit hashes, forum links in prose) is the common case on older
// chains and yields "plan <name> carries no binary". These functions take text and return
// values or errors; fetching the URL form is binary-registry's job, which then calls
// ParsePlanInfoDocument on what it fetched.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "upgrade-plans/checksum.h"

namespace plans {

// One platform's binary: the artefact URL (checksum query removed) and its checksum, if any.
struct BinarySpec {
  std::string platform;  // "linux/amd64", ..., or "any"
  std::string url;
  std::optional<Checksum> checksum;
  // The URL as a plan would carry it: `url` plus `?checksum=<algo>:<hex>` when known.
  std::string UrlWithChecksum() const;
  bool operator==(const BinarySpec&) const = default;
};

// Keyed by platform ("linux/amd64", "any").
using BinaryMap = std::map<std::string, BinarySpec>;

struct PlanInfo {
  enum class Kind { kInline, kUrl };
  Kind kind = Kind::kInline;
  BinaryMap binaries;  // kInline
  // kUrl: the document to fetch (checksum query removed) and its checksum, if any.
  std::string document_url;
  std::optional<Checksum> document_checksum;
};

// Parses a plan's info. kInvalidArgument "plan <name> carries no binary: ..." for empty info,
// free text, JSON without a usable `binaries` map; other kInvalidArgument errors name the
// platform key or URL that is malformed.
base::Result<PlanInfo> ParsePlanInfo(std::string_view plan_name, std::string_view info_text);

// Parses a fetched plan-info document (must be the inline JSON form; a URL inside a URL is
// refused). `source` names where it came from, for messages.
base::Result<BinaryMap> ParsePlanInfoDocument(std::string_view plan_name, std::string_view text,
                                              std::string_view source);

// Picks `platform` (e.g. "linux/amd64"), else "any". kNotFound names the platform and the keys
// that exist.
base::Result<BinarySpec> SelectBinary(std::string_view plan_name, const BinaryMap& binaries,
                                      std::string_view platform);

// The inline JSON form for `binaries` (what the mirror server publishes per upgrade).
std::string FormatPlanInfo(const BinaryMap& binaries);

// This build's platform key in Go's GOOS/GOARCH spelling, e.g. "linux/amd64", "linux/arm64".
std::string_view HostPlatform();

// True for "any" and for keys like "linux/amd64" (letters and digits on both sides of one '/').
bool IsValidPlatformKey(std::string_view key);

}  // namespace plans
