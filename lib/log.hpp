// Structured log: one JSON object per line on stderr (nginx or spawn-fcgi keeps it).
#pragma once

#include <string_view>

namespace cabinet {

void log_event(std::string_view level, std::string_view request_id, std::string_view message,
               std::string_view detail = {});

}  // namespace cabinet
