// XML text and attribute escaping, shared by the SVG writers (model/attention_svg.cc,
// client/plot_svg.cc).
#ifndef TANDEM_COMMON_XML_H_
#define TANDEM_COMMON_XML_H_

#include <string>

#include "absl/strings/string_view.h"

namespace tandem {

// `text` with the five characters XML reserves replaced by entities: & &amp;, < &lt;,
// > &gt;, " &quot;, ' &apos;. Every other byte is copied unchanged (multi-byte UTF-8 as well
// as malformed bytes and control characters: callers that need valid XML 1.0 characters
// clean the text first, as attention_svg.cc does), so the result is safe both as element
// text and inside a single- or double-quoted attribute.
std::string XmlEscape(absl::string_view text);

}  // namespace tandem

#endif  // TANDEM_COMMON_XML_H_
