// One registration function per routes/<resource>.cpp file.
#pragma once

namespace knot::server {

class Router;

void add_health_routes(Router& router);      // GET /v1/health
void add_join_routes(Router& router);        // GET /join (the invite page)
void add_room_routes(Router& router);        // POST /v1/rooms, GET /v1/rooms/{room}
void add_agent_routes(Router& router);       // agents of a room, heartbeat
void add_event_routes(Router& router);       // GET /v1/rooms/{room}/events
void add_lock_routes(Router& router);        // locks, settings, doing
void add_task_routes(Router& router);        // tasks and their lifecycle
void add_message_routes(Router& router);     // chat messages and notices
void add_stream_routes(Router& router);      // GET /v1/rooms/{room}/stream (WebSocket)
void add_git_routes(Router& router);         // refs, receive and upload of packs (hosted mode)
void add_integration_routes(Router& router); // integration ref, runs, logs, undo, settings
void add_review_routes(Router& router);      // reviews: list, watch, claim, verdicts, settings
void add_patch_routes(Router& router);       // signed patches, verdicts and merges

} // namespace knot::server
