-- Odd {auth_authen} values: empty means unauthenticated (accepted untouched
-- at MAIL FROM); a login nobody authorised is refused at end of message.
local lib = dofile(os.getenv("SEGEL_LUA_DIR") .. "/lib.lua")
local conn = lib.connect()

if lib.begin_message(conn, "", "alice@tangerangkota.go.id", "m1") ~= SMFIR_ACCEPT then
	error("an empty {auth_authen} must be treated as no authentication")
end

if lib.begin_message(conn, "bukan siapa-siapa \xC3\xA9", "alice@tangerangkota.go.id", "m2") ~= SMFIR_CONTINUE then
	error("mailfrom with an odd login")
end
lib.headers(conn, "alice@tangerangkota.go.id", "m2")
mt.bodystring(conn, "Isi.\r\n")
lib.expect(conn, SMFIR_CONTINUE, "body")
mt.eom(conn)
lib.expect(conn, SMFIR_REPLYCODE, "an unauthorised login")
if mt.eom_check(conn, MT_BODYCHANGE) then error("an unauthorised login got a body change") end

-- A bounce (null sender) is accepted untouched.
if lib.begin_message(conn, "alice@tangerangkota.go.id", "", "m3") ~= SMFIR_ACCEPT then
	error("a bounce must be accepted untouched")
end
mt.disconnect(conn)
