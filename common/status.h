// Status helpers: the one error style of Tandem is absl::Status / absl::StatusOr.
// Macro names carry the TANDEM_ prefix so they never collide with other projects' macros.
#ifndef TANDEM_COMMON_STATUS_H_
#define TANDEM_COMMON_STATUS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/status/statusor.h"

#define TANDEM_STATUS_CONCAT_INNER_(a, b) a##b
#define TANDEM_STATUS_CONCAT_(a, b) TANDEM_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status); returns it from the enclosing function if not OK.
#define TANDEM_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    ::absl::Status tandem_status_ = (expr);           \
    if (!tandem_status_.ok()) return tandem_status_;  \
  } while (0)

// `TANDEM_ASSIGN_OR_RETURN(auto x, F());` evaluates F() (an absl::StatusOr<T>); on error
// returns the status, otherwise moves the value into the declaration on the left.
#define TANDEM_ASSIGN_OR_RETURN(lhs, expr) \
  TANDEM_ASSIGN_OR_RETURN_IMPL_(TANDEM_STATUS_CONCAT_(tandem_statusor_, __LINE__), lhs, expr)
#define TANDEM_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                                  \
  if (!var.ok()) return std::move(var).status();      \
  lhs = std::move(var).value()

namespace tandem {

// `to` with every payload of `from` added (what a status says about its cause, e.g. which peer
// broke, survives the rewording of its message).
inline absl::Status WithPayloadsOf(absl::Status to, const absl::Status& from) {
  if (to.ok()) return to;
  from.ForEachPayload([&to](absl::string_view type_url, const absl::Cord& payload) {
    to.SetPayload(type_url, payload);
  });
  return to;
}

// Returns `status` with `context: ` put in front of its message (same code and payloads); OK
// stays OK.
inline absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  return WithPayloadsOf(
      absl::Status(status.code(), std::string(context) + ": " + std::string(status.message())),
      status);
}

}  // namespace tandem

#endif  // TANDEM_COMMON_STATUS_H_
