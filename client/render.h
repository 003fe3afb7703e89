// Rendering for people: aligned tables and short human times.
#ifndef TANDEM_CLIENT_RENDER_H_
#define TANDEM_CLIENT_RENDER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tandem {

// Columns padded to their widest cell (UTF-8 aware), separated by two spaces; the last
// column is not padded.
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// "4s", "3m12s", "2h05m", "3d04h".
std::string HumanDuration(int64_t ms);

// "2026-11-25 13:15:05" (UTC).
std::string HumanTime(int64_t unix_ms);

}  // namespace tandem

#endif  // TANDEM_CLIENT_RENDER_H_
