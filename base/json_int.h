// base: integers read from JSON without undefined behaviour.
//
// nlohmann::json's get<Int>() converts whatever number it holds with a static_cast: a float
// out of the integer's range (1e300, or a huge integer written with a decimal point) is
// undefined behaviour, and a negative integer read as unsigned wraps. Every reader of a stored
// or fetched JSON record takes its integers through JsonInt instead: only a JSON integer that
// fits the type is a value. Header-only and generic over the JSON type, so base/ depends on no
// JSON library; it never parses text itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace base {

// The value of `j` as an Int, or nullopt when `j` is not a JSON integer in Int's range
// (floats, strings, booleans and null are never integers here).
template <typename Int, typename Json>
std::optional<Int> JsonInt(const Json& j) {
  if (j.is_number_unsigned()) {
    uint64_t v = j.template get<uint64_t>();
    if (!std::in_range<Int>(v)) return std::nullopt;
    return static_cast<Int>(v);
  }
  if (j.is_number_integer()) {
    int64_t v = j.template get<int64_t>();
    if (!std::in_range<Int>(v)) return std::nullopt;
    return static_cast<Int>(v);
  }
  return std::nullopt;
}

// j[key] as an Int; throws Json's type_error (a json::exception, which readers already turn
// into a Corruption/InvalidArgument status) naming the key when it is missing or not an
// integer of Int's range.
template <typename Int, typename Json>
Int JsonIntAt(const Json& j, const std::string& key) {
  const Json& v = j.at(key);
  if (auto i = JsonInt<Int>(v)) return *i;
  throw Json::type_error::create(302, "\"" + key + "\" must be an integer in range, got " +
                                          v.dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 40),
                                 &v);
}

// Like JsonIntAt, but `fallback` when `key` is absent (as json::value does).
template <typename Int, typename Json>
Int JsonIntOr(const Json& j, const std::string& key, Int fallback) {
  if (!j.is_object() || !j.contains(key)) return fallback;
  return JsonIntAt<Int>(j, key);
}

}  // namespace base
