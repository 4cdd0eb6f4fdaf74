-- Shared helpers for the segel-milter miltertest scripts.
local M = {}

function M.connect()
	local conn = mt.connect(os.getenv("SEGEL_MILTER_SOCKET"), 40, 0.25)
	if conn == nil then
		error("cannot connect to segel-milter")
	end
	return conn
end

function M.expect(conn, reply, what)
	local got = mt.getreply(conn)
	if got ~= reply then
		error(what .. ": got reply " .. tostring(got) .. ", want " .. tostring(reply))
	end
end

-- MAIL FROM (with {auth_authen} when login is given), one RCPT, and the
-- header fields of a small signed-to-be message.
function M.begin_message(conn, login, from, message_id)
	if login ~= nil then
		mt.macro(conn, SMFIC_MAIL, "{auth_authen}", login, "i", "QTEST" .. message_id)
	else
		mt.macro(conn, SMFIC_MAIL, "i", "QTEST" .. message_id)
	end
	if mt.mailfrom(conn, "<" .. from .. ">") ~= nil then error("mailfrom failed") end
	return mt.getreply(conn)
end

function M.headers(conn, from, message_id)
	if mt.rcptto(conn, "<warga@example.com>") ~= nil then error("rcptto failed") end
	M.expect(conn, SMFIR_CONTINUE, "rcpt")
	for _, h in ipairs({{"From", from}, {"To", "warga@example.com"}, {"Subject", "miltertest " .. message_id},
	                    {"Message-ID", "<" .. message_id .. "@tangerangkota.go.id>"},
	                    {"Content-Type", "text/plain; charset=us-ascii"}}) do
		if mt.header(conn, h[1], h[2]) ~= nil then error("header failed") end
		M.expect(conn, SMFIR_CONTINUE, "header " .. h[1])
	end
	if mt.eoh(conn) ~= nil then error("eoh failed") end
	M.expect(conn, SMFIR_CONTINUE, "eoh")
end

-- End of message; the message must have been signed.
function M.expect_signed(conn, what)
	if mt.eom(conn) ~= nil then error("eom failed") end
	M.expect(conn, SMFIR_CONTINUE, what .. " eom")
	if not mt.eom_check(conn, MT_BODYCHANGE) then error(what .. ": body not replaced") end
	if not mt.eom_check(conn, MT_HDRADD, "Content-Type") then error(what .. ": no Content-Type added") end
	if not mt.eom_check(conn, MT_HDRDELETE, "Content-Type") then error(what .. ": old Content-Type not deleted") end
end

return M
