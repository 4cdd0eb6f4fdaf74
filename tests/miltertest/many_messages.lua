-- Many messages on one connection, alternating senders, all signed.
local lib = dofile(os.getenv("SEGEL_LUA_DIR") .. "/lib.lua")
local conn = lib.connect()
for i = 1, 25 do
	local user = (i % 2 == 0) and "alice" or "bambang"
	local address = user .. "@tangerangkota.go.id"
	local id = "many" .. i
	lib.begin_message(conn, address, address, id)
	lib.headers(conn, address, id)
	mt.bodystring(conn, "Pesan nomor " .. i .. ".\r\n")
	lib.expect(conn, SMFIR_CONTINUE, "body " .. i)
	lib.expect_signed(conn, "message " .. i)
end
mt.disconnect(conn)
