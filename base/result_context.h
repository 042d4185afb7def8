// base: context for a failed Result, as Status::WithContext gives a failed Status.
#pragma once

#include <string_view>
#include <utility>

#include "base/status.h"

namespace base {

// `r` unchanged when OK; otherwise its status with the message "<context>: <message>".
template <typename T>
Result<T> WithContext(Result<T> r, std::string_view context) {
  if (r.ok()) return r;
  return r.status().WithContext(context);
}

}  // namespace base
