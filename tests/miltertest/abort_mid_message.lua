-- An abort in the middle of a message forgets it; the next message on the
-- same connection is handled from scratch.
local lib = dofile(os.getenv("SEGEL_LUA_DIR") .. "/lib.lua")
local conn = lib.connect()
lib.begin_message(conn, "alice@tangerangkota.go.id", "alice@tangerangkota.go.id", "aborted")
lib.headers(conn, "alice@tangerangkota.go.id", "aborted")
mt.bodystring(conn, "Setengah pesan")
lib.expect(conn, SMFIR_CONTINUE, "body")
if mt.abort(conn) ~= nil then error("abort failed") end

lib.begin_message(conn, "bambang@tangerangkota.go.id", "bambang@tangerangkota.go.id", "after")
lib.headers(conn, "bambang@tangerangkota.go.id", "after")
mt.bodystring(conn, "Pesan utuh.\r\n")
lib.expect(conn, SMFIR_CONTINUE, "body")
lib.expect_signed(conn, "after abort")
mt.disconnect(conn)
