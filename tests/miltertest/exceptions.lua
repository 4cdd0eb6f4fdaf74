-- Run against segel-milter-faults: an exception thrown in any callback
-- tempfails that one message (or, in abort and close, is only logged); the
-- next message, on the same connection or a new one, is signed as usual.
local lib = dofile(os.getenv("SEGEL_LUA_DIR") .. "/lib.lua")
local alice = "alice@tangerangkota.go.id"

local function signed_message(conn, id)
	if lib.begin_message(conn, alice, alice, id) ~= SMFIR_CONTINUE then error(id .. ": MAIL FROM not taken") end
	lib.headers(conn, alice, id)
	mt.bodystring(conn, "Pesan utuh.\r\n")
	lib.expect(conn, SMFIR_CONTINUE, id .. " body")
	lib.expect_signed(conn, id)
end

-- A tempfail with its reply text set arrives as SMFIR_REPLYCODE.
local function tempfailed(reply)
	return reply == SMFIR_TEMPFAIL or reply == SMFIR_REPLYCODE
end

-- The message's envelope sender names the callback that throws.
local function faulted_begin(conn, step)
	mt.macro(conn, SMFIC_MAIL, "{auth_authen}", alice, "i", "QFAULT" .. step)
	if mt.mailfrom(conn, "<throw-in-" .. step .. "@tangerangkota.go.id>") ~= nil then error("mailfrom failed") end
	return mt.getreply(conn)
end

local conn = lib.connect()
if not tempfailed(faulted_begin(conn, "envfrom")) then error("a fault in envfrom must tempfail MAIL FROM") end
signed_message(conn, "after-envfrom")
for _, step in ipairs({"envrcpt", "header", "eoh", "body", "eom"}) do
	if faulted_begin(conn, step) ~= SMFIR_CONTINUE then error(step .. ": MAIL FROM not taken") end
	lib.headers(conn, alice, "fault-" .. step)
	mt.bodystring(conn, "Pesan.\r\n")
	lib.expect(conn, SMFIR_CONTINUE, step .. " body")
	if mt.eom(conn) ~= nil then error("eom failed") end
	if not tempfailed(mt.getreply(conn)) then error("a fault in " .. step .. " must tempfail its message") end
	-- A fault before end of message is answered by the failure policy
	-- (internal_error: tempfail); one in eom by the guard itself.
	local reply = step == "eom" and {"451", "4.3.0", "Temporary local problem, please try again later"}
	                             or {"451", "4.7.0", "Signing failed temporarily, please try again later"}
	if not mt.eom_check(conn, MT_SMTPREPLY, reply[1], reply[2], reply[3]) then
		error(step .. ": the reply is not " .. table.concat(reply, " "))
	end
	signed_message(conn, "after-" .. step)
end
if faulted_begin(conn, "abort") ~= SMFIR_CONTINUE then error("abort: MAIL FROM not taken") end
if mt.abort(conn) ~= nil then error("abort failed") end
signed_message(conn, "after-abort")
if faulted_begin(conn, "close") ~= SMFIR_CONTINUE then error("close: MAIL FROM not taken") end
mt.disconnect(conn)

local again = lib.connect()
signed_message(again, "after-close")
mt.disconnect(again)
